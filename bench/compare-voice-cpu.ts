/**
 * A/B of the voice turn cost: runs the scripted voice level against fresh servers, alternating the
 * variants given as JSON (name → extra server environment), and prints CPU per turn and first-token
 * percentiles per run. Compare runs of the same round: the machines are shared and noisy.
 *
 * Usage: npx tsx bench/compare-voice-cpu.ts '{"sqlite":{},"memory":{"STORE":"memory"}}'
 *        [CALLS=1000] [DURATION_MS=12000] [ROUNDS=2] [MODEL=tokens20|openai] [THINK_MS=5000]
 *        [WARM_UP_TURNS=10000] (unrecorded turns first, so the JIT has optimized the turn's code)
 *
 * CALLS=1 THINK_MS=3 measures one call's turns back to back: the path of a turn through an
 * otherwise idle server, with little of the load's noise.
 *
 * A variant's `BENCH_NODE_ARGS` (e.g. "--maglev") are passed to its server's `node`: V8 flags
 * that NODE_OPTIONS refuses.
 *
 * MODEL=openai runs the configured lean OpenAI client against the fake OpenAI server (own process).
 * Two commits: build the other one in a worktree (with node_modules) and pass its dist/, e.g.
 * '{"before":{"BENCH_DIST":"/tmp/before/dist"},"after":{}}'.
 */
import { installCleanupHandlers, startChild } from "./bench-util.js";
import { runVoiceLevel, thinkTimeLoad, type VoiceTarget } from "./voice-scenario.js";

installCleanupHandlers();
const calls = Number(process.env.CALLS ?? "1000");
const durationMs = Number(process.env.DURATION_MS ?? "12000");
const rounds = Number(process.env.ROUNDS ?? "2");
const modelName = process.env.MODEL ?? "tokens20";
const thinkMs = Number(process.env.THINK_MS ?? "5000");
const warmUpTurns = Number(process.env.WARM_UP_TURNS ?? "10000");
const variants = JSON.parse(process.argv[2] ?? '{"default":{}}') as Record<string, Record<string, string>>;

let model = modelName as VoiceTarget["model"];
let providerEnvironment: Record<string, string> = {};
if (modelName === "openai") {
  const fake = startChild("bench/fake-openai-process.ts");
  const { url } = await fake.waitForLine<{ url: string }>("BENCH_READY ", 20_000);
  model = "configured";
  providerEnvironment = {
    LLM_PROVIDER: "openai",
    LLM_BASE_URL: url,
    LLM_API_KEY: "bench",
    LLM_MODEL: "gpt-4o-mini",
  };
}

for (let round = 1; round <= rounds; round++) {
  for (const [name, environment] of Object.entries(variants)) {
    const result = await runVoiceLevel(
      { kind: "switchboard", model, environment: { ...providerEnvironment, ...environment } },
      thinkTimeLoad({ calls, durationMs, thinkMs, warmUpTurns }),
    );
    const failures = result.errors + result.timeouts + result.connectErrors;
    process.stdout.write(
      `round ${round} ${name.padEnd(12)} CPU/turn ${result.serverCpuMsPerTurn.toFixed(3)} ms  first token p50 ${result.firstTokenMs.p50.toFixed(3)} p99 ${result.firstTokenMs.p99.toFixed(2)} ms  wake-ups/turn ${result.serverWakeUpsPerTurn.toFixed(2)}  turns ${result.turns}  failures ${failures}\n`,
    );
  }
}
process.exit(0);
