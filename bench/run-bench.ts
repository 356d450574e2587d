/**
 * `npm run bench [-- --quick] [--think-ms 5000] [--only voice,interrupt,forwarding,saturation,sms,knowledge,cold,client,soak]
 *  [--levels 100,500] [--duration-ms 30000] [--profile] [--saturation-rates 100,200,400]
 *  [--saturation-duration-ms 6000] [--voice-rounds 3] [--soak-ms 600000] [--soak-calls 1000]`
 *
 * The soak runs only when named in `--only` (it takes ten minutes), and briefly in `--quick`.
 *
 * Runs every scenario on 127.0.0.1, each server and load generator in its own process, and prints a
 * markdown table (scenario, value, floor, ratio); the full results go to bench-results/latest.json.
 * Every figure is measured in this run. See docs/performance.md.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { BenchResults } from "./bench-results.js";
import { installCleanupHandlers, killAllChildren, repositoryRoot, startChild } from "./bench-util.js";
import { runColdStartScenario } from "./cold-start-scenario.js";
import { runKnowledgeScenario } from "./knowledge-scenario.js";
import type { LoadVoiceResult } from "./load-voice.js";
import type { ClientCost } from "./measure-call-cost.js";
import { medianOpenAiRound, medianRound } from "./median-round.js";
import { renderMarkdownTable } from "./report-table.js";
import { buildTable } from "./result-table.js";
import { runSaturationScenario, type SaturationSettings } from "./saturation-search.js";
import { runSmsScenario } from "./sms-scenario.js";
import { runSoakScenario, type SoakSettings } from "./soak-scenario.js";
import { summarizeCpuProfile } from "./summarize-cpu-profile.js";
import { buildTargetRows, renderTargetTable } from "./target-table.js";
import { totalFailures } from "./total-failures.js";
import { runVoiceLevel } from "./voice-scenario.js";

installCleanupHandlers();

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const quick = process.argv.includes("--quick");
const profile = process.argv.includes("--profile");
const thinkMs = Number(argument("--think-ms") ?? "5000");
const only = argument("--only")?.split(",");
const levels = argument("--levels")?.split(",").map(Number) ?? (quick ? [50] : [100, 500, 1000]);
const durationMs = Number(argument("--duration-ms") ?? (quick ? "8000" : "30000"));
const settings = {
  quick,
  thinkMs,
  voiceLevels: levels,
  voiceDurationMs: durationMs,
  turnTimeoutMs: 10_000,
  interruptCalls: quick ? 20 : 50,
  interruptsPerCall: quick ? 2 : 5,
  smsConcurrency: [10, 50],
  smsDurationSeconds: quick ? 1 : 5,
  smsRounds: quick ? 1 : 3,
  coldStartRuns: quick ? 3 : 5,
  modelClientCalls: quick ? 100 : 500,
  // The provider row runs at the highest level too, so its CPU per turn compares at the same rate.
  openAiVoiceLevel: quick ? 0 : Math.max(...levels),
  idleWindowMs: quick ? 500 : 1000,
  warmUpSpreadMs: quick ? 1000 : 2000,
  // Unrecorded turns before a voice level is measured (zero-latency model), the floor's too.
  voiceWarmUpTurns: quick ? 1000 : 10_000,
  // The highest level runs this many times, Switchboard and floor alternating; its median round is
  // reported (the targets are judged there).
  voiceRounds: Number(argument("--voice-rounds") ?? (quick ? "1" : "3")),
};
/** Open-loop saturation search: doubling from 100 turns/s, then bisection (quick: two short steps). */
const saturation: SaturationSettings = {
  ladder:
    argument("--saturation-rates")?.split(",").map(Number) ??
    (quick ? [100, 300] : Array.from({ length: 9 }, (_, index) => 100 * 2 ** index)),
  bisectSteps: quick ? 0 : 3,
  confirmFailures: !quick,
  p99FirstTokenLimitMs: 50,
  warmUpMs: quick ? 200 : 1000,
  durationMs: Number(argument("--saturation-duration-ms") ?? (quick ? "1200" : "6000")),
  turnTimeoutMs: quick ? 2000 : 5000,
  callsPerRate: 1,
  minCalls: 50,
  maxCalls: 4000,
  generatorLagP99LimitMs: 10,
  generatorCpuLimitPercent: 85,
  quietWaitMs: quick ? 0 : 20_000,
  quietBelowCores: 0.3,
};
/** Calls placed, talked on and hung up for the whole run; the server's heap sampled (a leak check). */
const soak: SoakSettings = {
  calls: Number(argument("--soak-calls") ?? (quick ? "50" : "1000")),
  durationMs: Number(argument("--soak-ms") ?? (quick ? "8000" : "600000")),
  thinkMs: quick ? 300 : thinkMs,
  turnsPerCall: quick ? 2 : 6,
  sampleEveryMs: quick ? 2000 : 15_000,
  phases: quick ? 2 : 5,
  textAfterCallShare: 0.5,
  turnTimeoutMs: 10_000,
  judgeFromMs: 120_000,
};
const enabled = (scenario: string) =>
  scenario === "soak" ? (only ? only.includes(scenario) : quick) : !only || only.includes(scenario);
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const _kib = (bytes: number) => bytes / 1024;

const results: BenchResults = { voice: [] };

/** The think-time load of a voice level (scripted or OpenAI) at C calls. */
const turnLoad = (calls: number) => ({
  calls,
  mode: "turns" as const,
  durationMs: settings.voiceDurationMs,
  thinkMs: settings.thinkMs,
  turnTimeoutMs: settings.turnTimeoutMs,
  idleWindowMs: settings.idleWindowMs,
  warmUpSpreadMs: settings.warmUpSpreadMs,
  warmUpTurns: settings.voiceWarmUpTurns,
});

async function runVoice(): Promise<void> {
  for (const calls of settings.voiceLevels) {
    const load = turnLoad(calls);
    const highest = calls === Math.max(...settings.voiceLevels);
    const rounds = highest ? Math.max(1, settings.voiceRounds) : 1;
    const measured: Array<{ switchboard: LoadVoiceResult; floor: LoadVoiceResult }> = [];
    for (let round = 1; round <= rounds; round++) {
      const of = rounds > 1 ? `, round ${round} of ${rounds}` : "";
      // Profiled once: the profiler's own cost would otherwise sit in every round.
      const profileHere = profile && highest && round === 1;
      const profileDirectory = path.join(repositoryRoot, "bench-results", "profiles");
      if (profileHere) {
        rmSync(profileDirectory, { recursive: true, force: true });
        mkdirSync(profileDirectory, { recursive: true });
      }
      log(`voice C=${calls}${of}: switchboard (${settings.voiceDurationMs} ms)…`);
      const switchboard = await runVoiceLevel(
        {
          kind: "switchboard",
          model: "tokens20",
          ...(profileHere ? { cpuProfileDirectory: profileDirectory } : {}),
        },
        load,
      );
      if (profileHere) {
        const file = readdirSync(profileDirectory).find((name) => name.endsWith(".cpuprofile"));
        if (file) {
          const full = path.join(profileDirectory, file);
          results.profile = { file: path.relative(repositoryRoot, full), top: summarizeCpuProfile(full, 20) };
        }
      }
      log(`voice C=${calls}${of}: floor…`);
      const floor = await runVoiceLevel({ kind: "floor", model: "single" }, load);
      measured.push({ switchboard, floor });
    }
    results.voice.push(medianRound(calls, measured, profile));
  }
}

async function runVoiceOpenAi(): Promise<void> {
  const calls = settings.openAiVoiceLevel;
  if (calls <= 0) return;
  // As many rounds as the scripted model's highest level: one round swings as much as the target's margin.
  const rounds = Math.max(1, settings.voiceRounds);
  const fake = startChild("bench/fake-openai-process.ts");
  try {
    const { url } = await fake.waitForLine<{ url: string }>("BENCH_READY ", 20_000);
    const measured: LoadVoiceResult[] = [];
    for (let round = 1; round <= rounds; round++) {
      const of = rounds > 1 ? `, round ${round} of ${rounds}` : "";
      log(`voice C=${calls}${of}: switchboard with the openai provider against the fake OpenAI server…`);
      // With --profile, the first round's profile lands next to the scripted run's.
      const profileHere = profile && round === 1;
      measured.push(
        await runVoiceLevel(
          {
            kind: "switchboard",
            model: "configured",
            environment: {
              LLM_PROVIDER: "openai",
              LLM_BASE_URL: url,
              LLM_API_KEY: "bench",
              LLM_MODEL: "gpt-4o-mini",
            },
            ...(profileHere
              ? { cpuProfileDirectory: path.join(repositoryRoot, "bench-results", "profiles", "openai") }
              : {}),
          },
          turnLoad(calls),
        ),
      );
    }
    results.voiceOpenAi = medianOpenAiRound(calls, measured, profile);
  } finally {
    await fake.stop();
  }
}

/** Per-token forwarding: stamped tokens at a real model's pace, model → caller, against the floor. */
async function runForwarding(): Promise<void> {
  const calls = quick ? 20 : 200;
  log(`per-token forwarding: C=${calls}, stamped tokens every 20 ms…`);
  const load = {
    calls,
    mode: "turns" as const,
    durationMs: quick ? 4000 : 15_000,
    thinkMs: 1000,
    turnTimeoutMs: settings.turnTimeoutMs,
    idleWindowMs: 0,
  };
  const switchboard = await runVoiceLevel({ kind: "switchboard", model: "stamped" }, load);
  const floor = await runVoiceLevel({ kind: "floor", model: "stamped" }, load);
  results.forwarding = { calls, switchboard, floor };
}

async function runInterrupt(): Promise<void> {
  log(`interrupt: ${settings.interruptCalls} calls × ${settings.interruptsPerCall}…`);
  const load = {
    calls: settings.interruptCalls,
    mode: "interrupt" as const,
    durationMs: 0,
    thinkMs: settings.thinkMs,
    turnTimeoutMs: settings.turnTimeoutMs,
    interruptsPerCall: settings.interruptsPerCall,
    interruptAfterTokens: 10,
    interruptWindowMs: 700,
    idleWindowMs: 0,
  };
  const switchboard = await runVoiceLevel({ kind: "switchboard", model: "stream200" }, load);
  const floor = await runVoiceLevel({ kind: "floor", model: "stream200" }, load);
  results.interrupt = { switchboard, floor };
}

async function runModelClient(): Promise<void> {
  log(`model client cost: ${settings.modelClientCalls} calls per client…`);
  const fake = startChild("bench/fake-openai-process.ts");
  try {
    const { url } = await fake.waitForLine<{ url: string }>("BENCH_READY ", 20_000);
    const client = startChild("bench/model-client-cost.ts", {
      scriptArguments: [url, String(settings.modelClientCalls)],
    });
    try {
      results.modelClient = await client.waitForLine<ClientCost[]>("BENCH_RESULT ", 120_000);
    } finally {
      await client.stop();
    }
  } finally {
    await fake.stop();
  }
}

function machine() {
  let cpuModel = os.cpus()[0]?.model ?? "unknown";
  try {
    cpuModel =
      execFileSync("sh", ["-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"]).toString().trim() ||
      cpuModel;
  } catch {
    // not Linux
  }
  return {
    nproc: os.availableParallelism(),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    cpuModel,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  };
}

/** A last-resort bound on the whole run; each scenario has its own, tighter limits. */
const watchdog = setTimeout(
  () => {
    log("time limit reached; stopping");
    killAllChildren();
    process.exit(1);
  },
  quick ? 180_000 : 45 * 60_000,
);
watchdog.unref();

async function main(): Promise<void> {
  const startedAt = new Date();
  const wallStart = Date.now();
  const scenarioErrors: string[] = [];
  const scenarioSeconds: Record<string, number> = {};
  const attempt = async (name: string, run: () => Promise<void>) => {
    if (!enabled(name)) return;
    const scenarioStart = Date.now();
    try {
      await run();
      scenarioSeconds[run.name || name] = (Date.now() - scenarioStart) / 1000;
    } catch (error) {
      scenarioErrors.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
      log(`${name} FAILED: ${error instanceof Error ? error.message : String(error)}`);
      killAllChildren();
    }
  };
  await attempt("voice", runVoice);
  await attempt("interrupt", runInterrupt);
  await attempt("forwarding", runForwarding);
  await attempt("saturation", async () => {
    results.saturation = await runSaturationScenario(saturation, log);
  });
  await attempt("sms", async () => {
    log(
      `sms: concurrency ${settings.smsConcurrency.join(", ")} × ${settings.smsDurationSeconds} s, ${settings.smsRounds} round(s)…`,
    );
    results.sms = await runSmsScenario(
      settings.smsConcurrency,
      settings.smsDurationSeconds,
      settings.smsRounds,
    );
  });
  await attempt("knowledge", async () => {
    results.knowledge = await runKnowledgeScenario(quick);
  });
  await attempt("cold", async () => {
    log(`cold start: ${settings.coldStartRuns} runs…`);
    results.coldStart = await runColdStartScenario(settings.coldStartRuns);
  });
  await attempt("client", runModelClient);
  await attempt("voice", runVoiceOpenAi);
  await attempt("soak", async () => {
    log(
      `soak: ${soak.calls} calls at a time, ${soak.turnsPerCall} turns each then a hang-up, ${soak.durationMs / 1000} s…`,
    );
    results.soak = await runSoakScenario(soak);
  });

  const table = buildTable(results);
  // A quick run's short, small levels say nothing about the targets: only a full run is judged.
  const targets = quick ? undefined : buildTargetRows(results);
  const failures = totalFailures(results);
  const output = {
    date: startedAt.toISOString(),
    command: `npx tsx bench/run-bench.ts ${process.argv.slice(2).join(" ")}`.trim(),
    durationSeconds: Math.round((Date.now() - wallStart) / 1000),
    scenarioSeconds,
    machine: machine(),
    settings: { ...settings, saturation, soak },
    failures,
    scenarioErrors,
    table,
    targets,
    results,
  };
  const directory = path.join(repositoryRoot, "bench-results");
  mkdirSync(directory, { recursive: true });
  writeFileSync(path.join(directory, "latest.json"), `${JSON.stringify(output, null, 2)}\n`);

  const { nproc, node, cpuModel } = output.machine;
  process.stdout.write(
    `\nSwitchboard benchmark — ${output.date} — ${quick ? "quick" : "full"} — nproc ${nproc}, node ${node}, ${cpuModel}\n\n`,
  );
  process.stdout.write(`${renderMarkdownTable(table)}\n\n`);
  process.stdout.write(
    targets
      ? `Targets (docs/performance.md):\n\n${renderTargetTable(targets)}\n\n`
      : "Targets: judged on a full run only (npm run bench).\n\n",
  );
  if (results.profile) {
    process.stdout.write(`Top self time in bench-server (${results.profile.file}):\n`);
    for (const row of results.profile.top.slice(0, 12)) {
      process.stdout.write(`  ${String(row.percent).padStart(5)}%  ${row.function}\n`);
    }
    process.stdout.write("\n");
  }
  process.stdout.write(`Wrote bench-results/latest.json (${output.durationSeconds} s).\n`);
  if (failures > 0 || scenarioErrors.length > 0) {
    process.stdout.write(
      `FAILED: ${failures} errors/timeouts; ${scenarioErrors.join("; ") || "no scenario errors"}\n`,
    );
    process.exitCode = 1;
  }
}

main()
  .catch((error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    killAllChildren();
    process.exit(Number(process.exitCode ?? 0));
  });
