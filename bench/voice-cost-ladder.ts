/**
 * Where a voice turn's CPU goes, as rungs measured side by side under the same think-time load:
 * 1. `floor`: a bare `ws` server answering each prompt with one frame (the voice floor);
 * 2. `two frames`: the same server sending a Switchboard reply's two frames (the first token at
 *    once, the rest with `last: true` when the event-loop turn ends), and nothing else;
 * 3. `+ transcript`: rung 2 plus the turn's two messages appended to the compiled app's SQLite
 *    store, batched as Switchboard batches them;
 * 4. `Switchboard`: the real server (bench-server, scripted 20-token model).
 * The steps between rungs split a turn's cost into the frames, the store and the rest of the app;
 * the main thread's wake-ups per turn show whether a rung's extra cost comes with extra wake-ups.
 * Rungs alternate within each round; the summary gives each rung's median over the rounds.
 *
 * Usage: npx tsx bench/voice-cost-ladder.ts [CALLS=1000] [DURATION_MS=15000] [ROUNDS=3]
 *        [THINK_MS=5000] [WARM_UP_TURNS=10000] [RUNGS=floor,two-frames,transcript,switchboard]
 */
import { installCleanupHandlers, percentiles } from "./bench-util.js";
import { runVoiceLevel, thinkTimeLoad, type VoiceTarget } from "./voice-scenario.js";

installCleanupHandlers();
const calls = Number(process.env.CALLS ?? "1000");
const durationMs = Number(process.env.DURATION_MS ?? "15000");
const rounds = Number(process.env.ROUNDS ?? "3");
const thinkMs = Number(process.env.THINK_MS ?? "5000");
const warmUpTurns = Number(process.env.WARM_UP_TURNS ?? "10000");

const allRungs: Array<{ key: string; name: string; target: VoiceTarget }> = [
  { key: "floor", name: "floor", target: { kind: "floor", model: "single" } },
  { key: "two-frames", name: "two frames", target: { kind: "floor", model: "two-frames" } },
  { key: "transcript", name: "+ transcript", target: { kind: "floor", model: "transcript" } },
  { key: "switchboard", name: "Switchboard", target: { kind: "switchboard", model: "tokens20" } },
];
const chosen = (process.env.RUNGS ?? "floor,two-frames,transcript,switchboard").split(",");
const unknown = chosen.filter((key) => !allRungs.some((rung) => rung.key === key));
if (unknown.length > 0) throw new Error(`unknown rungs: ${unknown.join(", ")}`);
const rungs = allRungs.filter((rung) => chosen.includes(rung.key));

/** The middle value (the lower of the two middle ones for an even count). */
const median = (values: readonly number[]) => percentiles(values).p50;

const cpuPerTurn = new Map<string, number[]>();
const firstTokenP50 = new Map<string, number[]>();
const wakeUpsPerTurn = new Map<string, number[]>();
for (let round = 1; round <= rounds; round++) {
  for (const { name, target } of rungs) {
    const result = await runVoiceLevel(target, thinkTimeLoad({ calls, durationMs, thinkMs, warmUpTurns }));
    const failures = result.errors + result.timeouts + result.connectErrors;
    if (failures > 0) throw new Error(`${name}: ${failures} failed turns or connections in round ${round}`);
    cpuPerTurn.set(name, [...(cpuPerTurn.get(name) ?? []), result.serverCpuMsPerTurn]);
    firstTokenP50.set(name, [...(firstTokenP50.get(name) ?? []), result.firstTokenMs.p50]);
    wakeUpsPerTurn.set(name, [...(wakeUpsPerTurn.get(name) ?? []), result.serverWakeUpsPerTurn]);
    process.stdout.write(
      `round ${round} ${name.padEnd(13)} CPU/turn ${result.serverCpuMsPerTurn.toFixed(3)} ms  first token p50 ${result.firstTokenMs.p50.toFixed(3)} ms  main-thread wake-ups/turn ${result.serverWakeUpsPerTurn.toFixed(2)}  turns ${result.turns}\n`,
    );
  }
}

const floorMs = median(cpuPerTurn.get(rungs[0]?.name ?? "") ?? []);
let previousMs: number | undefined;
const lines = [
  `\nVoice turn cost ladder, ${calls} calls, think time ${thinkMs} ms, median of ${rounds} rounds\n`,
  `| rung | CPU per turn (ms) | step from the rung above (ms) | × ${rungs[0]?.name ?? "first rung"} | first token p50 (ms) | main-thread wake-ups per turn |`,
  "|---|---:|---:|---:|---:|---:|",
];
for (const { name } of rungs) {
  const ms = median(cpuPerTurn.get(name) ?? []);
  const step = previousMs === undefined ? "" : (ms - previousMs).toFixed(3);
  lines.push(
    `| ${name} | ${ms.toFixed(3)} | ${step} | ${(ms / floorMs).toFixed(2)} | ${median(firstTokenP50.get(name) ?? []).toFixed(3)} | ${median(wakeUpsPerTurn.get(name) ?? []).toFixed(2)} |`,
  );
  previousMs = ms;
}
process.stdout.write(`${lines.join("\n")}\n`);
process.exit(0);
