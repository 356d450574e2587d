/**
 * Instructions executed per voice turn: bench/voice-turn-in-process.ts under valgrind's callgrind,
 * counting its measured rounds only (all threads: the app's, V8's compiler and GC helpers, the
 * SQLite checkpointer). An instruction count hardly moves with the machine's load (within ± 5 %
 * between runs here, against ± 30 % for CPU time), so it can show a change of a few percent that
 * CPU time hides. It does not see cache misses or the cost of waking up after a wait: confirm a
 * gain with `compare-voice-cpu.ts` before calling it one.
 *
 * Needs valgrind (Debian: `apt-get install valgrind`); about a minute per run.
 * Usage: npx tsx bench/voice-turn-instructions.ts [CALLS=200] [TURNS=2000] [ROUNDS=2]
 *        [WARM_UP_TURNS=3000] [STORE=sqlite|memory] [BENCH_DIST=/abs/path/dist]
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { repositoryRoot } from "./bench-util.js";
import { buildDist } from "./build-dist.js";

if (spawnSync("valgrind", ["--version"]).error) {
  process.stderr.write("valgrind is not installed (Debian: apt-get install valgrind)\n");
  process.exit(1);
}
// Compiled here, at full speed, not under valgrind.
if (!process.env.BENCH_DIST) buildDist();
const directory = mkdtempSync(path.join(os.tmpdir(), "switchboard-callgrind-"));
const outPrefix = path.join(directory, "callgrind.out");
const child = spawn(
  "valgrind",
  [
    "--tool=callgrind",
    "--cache-sim=no",
    // V8 writes and rewrites machine code at run time.
    "--smc-check=all-non-file",
    `--callgrind-out-file=${outPrefix}.%p`,
    process.execPath,
    "--import",
    "tsx",
    path.join("bench", "voice-turn-in-process.ts"),
  ],
  {
    cwd: repositoryRoot,
    stdio: ["ignore", "inherit", "pipe"],
    env: {
      ...process.env,
      CALLGRIND_OUT: outPrefix,
      BENCH_DIST: process.env.BENCH_DIST ?? path.join(repositoryRoot, "dist"),
      CALLS: process.env.CALLS ?? "200",
      TURNS: process.env.TURNS ?? "2000",
      ROUNDS: process.env.ROUNDS ?? "2",
      WARM_UP_TURNS: process.env.WARM_UP_TURNS ?? "3000",
    },
  },
);
let valgrindOutput = "";
child.stderr.on("data", (chunk: Buffer) => {
  valgrindOutput = (valgrindOutput + chunk.toString()).slice(-20_000);
});
const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
rmSync(directory, { recursive: true, force: true });
if (code !== 0) {
  process.stderr.write(`${valgrindOutput}\nvalgrind exited with ${code}\n`);
  process.exit(1);
}
