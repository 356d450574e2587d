/**
 * CPU profile of the server under the SMS webhook load: starts bench-server, drives it with
 * autocannon, profiles the middle of the load (`/__bench/profile`: no start-up, no backlog after
 * it) and prints the top self-time functions.
 *
 * Usage: npx tsx bench/profile-sms.ts [concurrency=50] [seconds=8]
 */
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { sleep } from "./bench-util.js";
import { fireSmsLoad } from "./sms-scenario.js";
import { summarizeCpuProfile } from "./summarize-cpu-profile.js";
import { startVoiceServer } from "./voice-scenario.js";

const concurrency = Number(process.argv[2] ?? "50");
const seconds = Number(process.argv[3] ?? "8");
const directory = path.resolve("bench-results", "profiles-sms");
rmSync(directory, { recursive: true, force: true });
mkdirSync(directory, { recursive: true });
const file = path.join(directory, "sms-load.cpuprofile");
const server = await startVoiceServer({ kind: "switchboard", model: "tokens20", keepDataDirectory: true });
try {
  const load = fireSmsLoad(`http://127.0.0.1:${server.port}`, concurrency, seconds);
  await sleep(1000);
  const profileMs = Math.max(1000, (seconds - 2) * 1000);
  const profiled = fetch(
    `http://127.0.0.1:${server.port}/__bench/profile?ms=${profileMs}&file=${encodeURIComponent(file)}`,
  );
  console.log(JSON.stringify(await load));
  if (!(await profiled).ok) throw new Error("profile failed");
} finally {
  await server.stop();
  if (server.dataDirectory) rmSync(server.dataDirectory, { recursive: true, force: true });
}
for (const row of summarizeCpuProfile(file, 35)) console.log(JSON.stringify(row));
