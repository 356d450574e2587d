/**
 * Sustained SMS load against one bench-server (SQLite), printing the size of the `-wal` file every
 * second during the load and for 15 s after it: the WAL must stay bounded while the writer never
 * stops committing (the checkpointer resets it past its limit), not grow with every webhook.
 *
 * Usage: npx tsx bench/sustained-sms-wal.ts [seconds=25] [concurrency=50]
 */
import { statSync } from "node:fs";
import path from "node:path";
import { installCleanupHandlers, sleep } from "./bench-util.js";
import { fireSmsLoad } from "./sms-scenario.js";
import { startVoiceServer } from "./voice-scenario.js";

installCleanupHandlers();
const seconds = Number(process.argv[2] ?? "25");
const concurrency = Number(process.argv[3] ?? "50");
const server = await startVoiceServer({ kind: "switchboard", model: "tokens20" });
const walFile = path.join(server.dataDirectory ?? "", "switchboard.db-wal");
const walMiB = () => {
  try {
    return (statSync(walFile).size / 1048576).toFixed(1);
  } catch {
    return "-";
  }
};
let loadOver = false;
const load = fireSmsLoad(`http://127.0.0.1:${server.port}`, concurrency, seconds).finally(() => {
  loadOver = true;
});
let largest = 0;
for (let second = 1; second <= seconds + 15; second++) {
  await sleep(1000);
  const size = walMiB();
  largest = Math.max(largest, Number(size) || 0);
  console.log(`t=${second}s wal=${size} MiB${loadOver ? " (load over)" : ""}`);
}
console.log(JSON.stringify({ ...(await load), largestWalMiB: largest }));
await server.stop();
process.exit(0);
