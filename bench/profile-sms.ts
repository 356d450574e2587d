/**
 * CPU profile of the server under the SMS webhook load: starts bench-server with --cpu-prof,
 * drives it with autocannon, stops it and prints the top self-time functions.
 *
 * Usage: npx tsx bench/profile-sms.ts [concurrency=50] [seconds=8]
 */
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { fireSmsLoad, waitForReplies } from "./sms-scenario.js";
import { summarizeCpuProfile } from "./summarize-cpu-profile.js";
import { startVoiceServer } from "./voice-scenario.js";

const concurrency = Number(process.argv[2] ?? "50");
const seconds = Number(process.argv[3] ?? "8");
const directory = path.resolve("bench-results", "profiles-sms");
rmSync(directory, { recursive: true, force: true });
mkdirSync(directory, { recursive: true });
const server = await startVoiceServer({
  kind: "switchboard",
  model: "tokens20",
  cpuProfileDirectory: directory,
  keepDataDirectory: true,
});
const result = await fireSmsLoad(`http://127.0.0.1:${server.port}`, concurrency, seconds);
// The profile covers the replies' backlog too: the server stops once every turn is answered.
const drainMs = server.dataDirectory
  ? await waitForReplies(path.join(server.dataDirectory, "switchboard.db"), 120_000)
  : Number.NaN;
await server.stop();
if (server.dataDirectory) rmSync(server.dataDirectory, { recursive: true, force: true });
console.log(JSON.stringify({ ...result, replyDrainMs: Math.round(drainMs) }));
const file = readdirSync(directory).find((name) => name.endsWith(".cpuprofile"));
if (!file) throw new Error("no profile written");
for (const row of summarizeCpuProfile(path.join(directory, file), 35)) console.log(JSON.stringify(row));
