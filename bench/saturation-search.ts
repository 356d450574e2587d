/**
 * The saturation search (BENCHMARKS.md "Saturation"): open-loop Poisson arrivals at increasing
 * rates against one server process (Switchboard through bench-server with the scripted 20-token
 * model, or the bare `ws` floor), until p99 prompt → first token exceeds the limit, a turn errors,
 * or the load generator cannot keep its own schedule. One server and one generator process per
 * target for the whole search; the generator keeps its calls open between steps
 * (bench/saturation-open-loop.ts).
 */
import { readFileSync } from "node:fs";
import os from "node:os";
import { type BenchChild, sleep, startChild } from "./bench-util.js";
import type { OpenLoopStep, OpenLoopStepResult } from "./saturation-open-loop.js";
import { loadOptionsFor, startVoiceServer, type VoiceTarget } from "./voice-scenario.js";

export interface SaturationSettings {
  /** Rates tried in order (turns/s); the search stops at the first failing one. */
  ladder: number[];
  /** Bisection steps between the last passing and the first failing rate (0: none). */
  bisectSteps: number;
  /** Run a step that failed on latency or generator lag once more before accepting it (shared machines). */
  confirmFailures: boolean;
  p99FirstTokenLimitMs: number;
  warmUpMs: number;
  durationMs: number;
  turnTimeoutMs: number;
  /** Calls open per turn/s of rate (C = rate × this, within minCalls…maxCalls). */
  callsPerRate: number;
  minCalls: number;
  maxCalls: number;
  /** The generator cannot keep the schedule above these. */
  generatorLagP99LimitMs: number;
  generatorCpuLimitPercent: number;
  /**
   * Before each step, wait (up to this long) until the rest of the machine uses less than
   * `quietBelowCores` of CPU: the machines are shared, and another job's burst reads as our latency.
   */
  quietWaitMs: number;
  quietBelowCores: number;
}

export interface SaturationStep extends OpenLoopStepResult {
  passed: boolean;
  /** Why the step failed (absent when it passed). */
  reason?: string;
  generatorSaturated: boolean;
  /** Whole-machine CPU during the step (all processes, in cores; Linux /proc/stat), and before it. */
  machineBusyCores: number;
  machineBusyCoresBefore: number;
}

export interface SaturationSearch {
  target: VoiceTarget["kind"];
  steps: SaturationStep[];
  /** Highest rate that passed below the first failure (undefined: the first step failed). */
  maxPassingRate: number | undefined;
  lastPassing: SaturationStep | undefined;
  firstFailing: SaturationStep | undefined;
  /** What ended the search. */
  limitedBy: "server latency" | "errors" | "load generator" | "ladder exhausted";
}

export interface SaturationResult {
  /** os.availableParallelism() of this machine (server, generator and everything else share it). */
  cores: number;
  settings: SaturationSettings;
  switchboard: SaturationSearch;
  floor: SaturationSearch;
}

function callsFor(rate: number, settings: SaturationSettings): number {
  return Math.min(settings.maxCalls, Math.max(settings.minCalls, Math.ceil(rate * settings.callsPerRate)));
}

/** Busy and total CPU jiffies of the whole machine (undefined when /proc/stat is not there). */
function machineJiffies(): { busy: number; total: number } | undefined {
  try {
    const fields = (readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "")
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const total = fields.slice(0, 8).reduce((sum, value) => sum + value, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return undefined;
  }
}

function busyCoresBetween(
  before: ReturnType<typeof machineJiffies>,
  after: ReturnType<typeof machineJiffies>,
): number {
  if (!before || !after || after.total <= before.total) return Number.NaN;
  return (
    Math.round(((after.busy - before.busy) / (after.total - before.total)) * os.cpus().length * 100) / 100
  );
}

/** Waits until the machine is quiet (bounded); answers the busy cores last seen. */
async function waitForQuietMachine(
  settings: SaturationSettings,
  log: (message: string) => void,
): Promise<number> {
  const deadline = Date.now() + settings.quietWaitMs;
  let busy = Number.NaN;
  let logged = false;
  for (;;) {
    const before = machineJiffies();
    await sleep(500);
    busy = busyCoresBetween(before, machineJiffies());
    if (!(busy >= settings.quietBelowCores) || Date.now() >= deadline) return busy;
    if (!logged)
      log(
        `  machine busy (${busy} cores in use by other processes); waiting up to ${settings.quietWaitMs} ms`,
      );
    logged = true;
  }
}

function judge(
  result: OpenLoopStepResult,
  settings: SaturationSettings,
  machine: { machineBusyCores: number; machineBusyCoresBefore: number },
): SaturationStep {
  const failures = result.errors + result.timeouts + result.connectErrors;
  // Latency that the generator's worst lag cannot explain is the server's, unless the generator was
  // short of CPU (then replies queue in it, unseen by the lag).
  const serverLatencyFailed =
    result.firstTokenMs.p99 > settings.p99FirstTokenLimitMs + result.scheduleLagMs.max;
  const generatorSaturated =
    result.generatorCpuPercent > settings.generatorCpuLimitPercent ||
    (result.scheduleLagMs.p99 > settings.generatorLagP99LimitMs && !serverLatencyFailed);
  let reason: string | undefined;
  if (generatorSaturated) {
    reason = `generator cannot keep the schedule (lag p99 ${result.scheduleLagMs.p99} ms, CPU ${result.generatorCpuPercent} %)`;
  } else if (failures > 0) {
    reason = `${result.errors} errors, ${result.timeouts} timeouts, ${result.connectErrors} connect errors`;
  } else if (result.noIdleCall > 0) {
    reason = `${result.noIdleCall} arrivals found no idle call of ${result.calls}`;
  } else if (!(result.firstTokenMs.p99 <= settings.p99FirstTokenLimitMs)) {
    reason = `p99 first token ${result.firstTokenMs.p99} ms > ${settings.p99FirstTokenLimitMs} ms`;
  }
  return {
    ...result,
    passed: reason === undefined,
    ...(reason ? { reason } : {}),
    generatorSaturated,
    ...machine,
  };
}

async function measure(
  generator: BenchChild,
  rate: number,
  settings: SaturationSettings,
  log: (message: string) => void,
): Promise<SaturationStep> {
  const step: OpenLoopStep = {
    rate,
    calls: callsFor(rate, settings),
    warmUpMs: settings.warmUpMs,
    durationMs: settings.durationMs,
    turnTimeoutMs: settings.turnTimeoutMs,
  };
  const machineBusyCoresBefore =
    settings.quietWaitMs > 0 ? await waitForQuietMachine(settings, log) : Number.NaN;
  const jiffiesBefore = machineJiffies();
  const answer = generator.waitForLine<OpenLoopStepResult>(
    "BENCH_STEP ",
    settings.warmUpMs + settings.durationMs + settings.turnTimeoutMs + 120_000,
  );
  generator.child.stdin?.write(`${JSON.stringify(step)}\n`);
  const result = await answer;
  const machineBusyCores = busyCoresBetween(jiffiesBefore, machineJiffies());
  const judged = judge(result, settings, { machineBusyCores, machineBusyCoresBefore });
  log(
    `  ${rate} turns/s, C=${judged.calls}: ${judged.turnsPerSecond} turns/s done, first token p50 ${judged.firstTokenMs.p50} / p99 ${judged.firstTokenMs.p99} ms, server CPU ${judged.serverCpuPercent} %, generator lag p99 ${judged.scheduleLagMs.p99} ms, CPU ${judged.generatorCpuPercent} %, machine ${judged.machineBusyCores} cores busy → ${judged.passed ? "pass" : `FAIL: ${judged.reason}`}`,
  );
  await sleep(300);
  return judged;
}

function limitOf(step: SaturationStep): SaturationSearch["limitedBy"] {
  if (step.generatorSaturated) return "load generator";
  if (step.errors + step.timeouts + step.connectErrors > 0) return "errors";
  return "server latency";
}

/** Doubling (the ladder) until the first failure, then bisection between the last pass and it. */
async function searchTarget(
  target: VoiceTarget,
  settings: SaturationSettings,
  log: (message: string) => void,
): Promise<SaturationSearch> {
  const stepLimitMs = settings.warmUpMs + settings.durationMs + settings.turnTimeoutMs + 60_000;
  const start = async () => {
    const server = await startVoiceServer(target);
    const options = loadOptionsFor(server, target.kind, {
      calls: 0,
      mode: "open-loop",
      durationMs: stepLimitMs * (settings.ladder.length + settings.bisectSteps) * 3,
      thinkMs: 0,
      turnTimeoutMs: settings.turnTimeoutMs,
      idleWindowMs: 0,
    });
    const generator = startChild("bench/load-voice.ts", { scriptArguments: [JSON.stringify(options)] });
    return { server, generator };
  };
  const stop = async (running: Awaited<ReturnType<typeof start>>) => {
    running.generator.child.stdin?.end();
    await Promise.race([running.generator.exited, sleep(3000)]);
    await running.generator.stop();
    await running.server.stop();
  };
  let running = await start();
  const steps: SaturationStep[] = [];
  let lastPassing: SaturationStep | undefined;
  let firstFailing: SaturationStep | undefined;
  /** One rate, run again once when it failed on latency or generator lag and confirmation is on. */
  const tryRate = async (rate: number): Promise<SaturationStep> => {
    // After an overloaded step (backlog, grown memory), the next one starts on a fresh server.
    if (steps.at(-1)?.passed === false) {
      await stop(running);
      running = await start();
    }
    let step = await measure(running.generator, rate, settings, log);
    steps.push(step);
    for (let retry = 0; retry < 2 && !step.passed && settings.confirmFailures; retry++) {
      if (limitOf(step) === "errors" || (retry > 0 && limitOf(step) !== "load generator")) break;
      log(`  ${rate} turns/s: running it again to confirm`);
      await stop(running);
      running = await start();
      step = await measure(running.generator, rate, settings, log);
      steps.push(step);
    }
    return step;
  };
  try {
    for (const rate of settings.ladder) {
      const step = await tryRate(rate);
      if (step.passed) lastPassing = step;
      else {
        firstFailing = step;
        break;
      }
    }
    for (let index = 0; index < settings.bisectSteps; index++) {
      if (!lastPassing || !firstFailing || firstFailing.generatorSaturated) break;
      const low = lastPassing.rate;
      const high = firstFailing.rate;
      if (high - low <= Math.max(50, low * 0.1)) break;
      const middle = Math.round((low + high) / 2 / 50) * 50;
      if (middle <= low || middle >= high) break;
      const step = await tryRate(middle);
      if (step.passed) lastPassing = step;
      else firstFailing = step;
    }
  } finally {
    await stop(running);
  }
  return {
    target: target.kind,
    steps,
    maxPassingRate: lastPassing?.rate,
    lastPassing,
    firstFailing,
    limitedBy: firstFailing ? limitOf(firstFailing) : "ladder exhausted",
  };
}

export async function runSaturationScenario(
  settings: SaturationSettings,
  log: (message: string) => void,
): Promise<SaturationResult> {
  log(`saturation: switchboard, rates ${settings.ladder.join(", ")} (${settings.durationMs} ms each)…`);
  const switchboard = await searchTarget({ kind: "switchboard", model: "tokens20" }, settings, log);
  log("saturation: floor…");
  const floor = await searchTarget({ kind: "floor", model: "single" }, settings, log);
  return { cores: os.availableParallelism(), settings, switchboard, floor };
}
