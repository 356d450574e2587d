/**
 * The open-loop mode of the voice load generator (runs inside bench/load-voice.ts, its own process).
 * The runner writes one `OpenLoopStep` per stdin line; for each, the generator opens calls up to
 * `calls` (signed, `setup`, one warm-up turn each), then sends prompts as a Poisson process at
 * `rate` turns/s, each on a call that is idle at that moment. It never waits for a call to become
 * idle (that would be closed-loop): an arrival that finds none is counted as `noIdleCall`. It answers
 * `BENCH_STEP {…}` per step and exits when stdin closes.
 */
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import WebSocket from "ws";
import {
  cpuMillisBetween,
  fetchStats,
  type Percentiles,
  percentiles,
  report,
  type ServerStats,
  sleep,
} from "./bench-util.js";
import type { CallState } from "./load-voice.js";

export interface OpenLoopStep {
  /** Target arrival rate, turns/s. */
  rate: number;
  /** Calls open during the step (opened before it starts, never during). */
  calls: number;
  /** Arrivals at `rate` before measuring starts (not recorded). */
  warmUpMs: number;
  /** Measured window of arrivals. */
  durationMs: number;
  /** A turn without `last: true` after this long is a timeout (its call is retired). */
  turnTimeoutMs: number;
}

export interface OpenLoopStepResult {
  rate: number;
  calls: number;
  connectErrors: number;
  errors: number;
  timeouts: number;
  /** Arrivals in the measured window, and those that found no idle call (not sent). */
  arrivals: number;
  noIdleCall: number;
  turns: number;
  measuredMs: number;
  /** Completed measured turns per second of the measured window. */
  turnsPerSecond: number;
  firstTokenMs: Percentiles;
  lastTokenMs: Percentiles;
  /** Scheduled arrival time → prompt actually sent (the generator's own lag). */
  scheduleLagMs: Percentiles;
  /** The generator's event-loop delay p99 and its CPU (% of one core) over the window. */
  generatorLoopDelayP99Ms: number;
  generatorCpuPercent: number;
  /** The server process's CPU (% of one core) and CPU per completed turn over the window. */
  serverCpuPercent: number;
  serverCpuMsPerTurn: number;
  serverRssBytes: number;
  /** Most turns in flight at once during the window. */
  maxInFlight: number;
}

interface Dependencies {
  statsUrl: string;
  counters: { connectErrors: number; errors: number; timeouts: number };
  openCalls(count: number): Promise<CallState[]>;
  warmUpTurn(call: CallState): Promise<unknown>;
}

const promptFrame = JSON.stringify({
  type: "prompt",
  voicePrompt: "Where is my order?",
  lang: "en-US",
  last: true,
});

function exponential(mean: number): number {
  return -Math.log(1 - Math.random()) * mean;
}

/** Stands in when the server did not answer its stats request in time (CPU figures become NaN). */
const statsFailed: ServerStats = {
  pid: 0,
  cpuUserMicros: Number.NaN,
  cpuSystemMicros: Number.NaN,
  rssBytes: Number.NaN,
  heapUsedBytes: Number.NaN,
  mainThreadSleeps: Number.NaN,
  nodeArguments: [],
};

interface InFlight {
  call: CallState;
  sentAt: number;
  firstAt: number | undefined;
  recorded: boolean;
}

/** Reads steps from stdin until it closes; answers each with `BENCH_STEP`. */
export async function serveOpenLoopSteps(dependencies: Dependencies): Promise<void> {
  const calls: CallState[] = [];
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const step = JSON.parse(line) as OpenLoopStep;
    const open = calls.filter((call) => call.socket.readyState === WebSocket.OPEN);
    calls.splice(0, calls.length, ...open);
    const missing = step.calls - calls.length;
    if (missing > 0) {
      const opened = await dependencies.openCalls(missing);
      await Promise.all(
        opened.map(async (call) => {
          // Warm-up turns at ≤ 500/s, all finished before the step starts.
          await sleep(Math.random() * Math.min(8000, Math.max(200, missing * 2)));
          if (call.socket.readyState === WebSocket.OPEN) await dependencies.warmUpTurn(call);
        }),
      );
      calls.push(...opened);
      await sleep(200);
    }
    // The first fetch() in a process loads undici (tens of ms): never inside a measured window.
    await fetchStats(dependencies.statsUrl);
    const result = await runStep(step, calls, dependencies);
    report("BENCH_STEP ", result);
  }
  for (const call of calls) {
    call.ended = true;
    call.socket.close(1000);
  }
  await sleep(100);
}

async function runStep(
  step: OpenLoopStep,
  calls: CallState[],
  dependencies: Dependencies,
): Promise<OpenLoopStepResult> {
  const { counters } = dependencies;
  const countersBefore = { ...counters };
  const idle: CallState[] = calls.filter((call) => call.socket.readyState === WebSocket.OPEN);
  const inFlight = new Set<InFlight>();
  const first: number[] = [];
  const last: number[] = [];
  const lag: number[] = [];
  let arrivals = 0;
  let noIdleCall = 0;
  let maxInFlight = 0;

  const send = (scheduledAt: number, recorded: boolean) => {
    if (recorded) arrivals++;
    const call = idle.pop();
    if (!call) {
      if (recorded) noIdleCall++;
      return;
    }
    const turn: InFlight = { call, sentAt: 0, firstAt: undefined, recorded };
    call.onRawFrame = (text, receivedAt) => {
      if (!text.includes('"type":"text"')) return;
      turn.firstAt ??= receivedAt;
      if (!text.includes('"last":true')) return;
      call.onRawFrame = undefined;
      inFlight.delete(turn);
      idle.push(call);
      if (turn.recorded) {
        first.push(turn.firstAt - turn.sentAt);
        last.push(receivedAt - turn.sentAt);
      }
    };
    inFlight.add(turn);
    if (recorded) maxInFlight = Math.max(maxInFlight, inFlight.size);
    turn.sentAt = performance.now();
    if (recorded) lag.push(turn.sentAt - scheduledAt);
    call.socket.send(promptFrame);
  };

  /** Timed-out turns: counted, and their call is hung up (a late reply would confuse a later turn). */
  const sweep = () => {
    const now = performance.now();
    for (const turn of inFlight) {
      if (now - turn.sentAt <= step.turnTimeoutMs) continue;
      inFlight.delete(turn);
      turn.call.onRawFrame = undefined;
      turn.call.ended = true;
      turn.call.socket.close(1000);
      counters.timeouts++;
    }
  };
  const sweeper = setInterval(sweep, 50);

  const meanGapMs = 1000 / step.rate;
  const startedAt = performance.now();
  const measureFrom = startedAt + step.warmUpMs;
  const measureUntil = measureFrom + step.durationMs;
  let statsBefore: ServerStats | undefined;
  let statsBeforeAt = 0;
  let cpuBefore = process.cpuUsage();
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });

  await new Promise<void>((resolve) => {
    let next = startedAt + exponential(meanGapMs);
    let measuring = false;
    const tick = () => {
      const now = performance.now();
      if (!measuring && now >= measureFrom) {
        measuring = true;
        cpuBefore = process.cpuUsage();
        loopDelay.enable();
        statsBeforeAt = now;
        fetchStats(dependencies.statsUrl).then(
          (stats) => {
            statsBefore = stats;
          },
          () => {
            statsBefore = statsFailed;
          },
        );
      }
      while (next <= now && next < measureUntil) {
        send(next, next >= measureFrom);
        next += exponential(meanGapMs);
      }
      if (next >= measureUntil) {
        resolve();
        return;
      }
      setTimeout(tick, Math.max(0, next - performance.now()));
    };
    setTimeout(tick, Math.max(0, next - performance.now()));
  });
  const scheduleEndedAt = performance.now();
  const generatorCpu = process.cpuUsage(cpuBefore);
  loopDelay.disable();
  // Drain: the window's last turns finish or time out (bounded by the turn timeout).
  while (inFlight.size > 0 && performance.now() - scheduleEndedAt < step.turnTimeoutMs + 200) await sleep(5);
  clearInterval(sweeper);
  sweep();
  const statsAfter = await fetchStats(dependencies.statsUrl).catch(() => statsFailed);
  const statsAfterAt = performance.now();
  while (!statsBefore) await sleep(5);
  for (const turn of inFlight) turn.call.onRawFrame = undefined;

  const measuredMs = scheduleEndedAt - measureFrom;
  const serverCpuMs = cpuMillisBetween(statsBefore, statsAfter);
  return {
    rate: step.rate,
    calls: calls.length,
    connectErrors: counters.connectErrors - countersBefore.connectErrors,
    errors: counters.errors - countersBefore.errors,
    timeouts: counters.timeouts - countersBefore.timeouts,
    arrivals,
    noIdleCall,
    turns: last.length,
    measuredMs: Math.round(measuredMs),
    turnsPerSecond: Math.round((last.length / measuredMs) * 1000 * 10) / 10,
    firstTokenMs: percentiles(first),
    lastTokenMs: percentiles(last),
    scheduleLagMs: percentiles(lag),
    generatorLoopDelayP99Ms: Math.round(loopDelay.percentile(99) / 1e4) / 100,
    generatorCpuPercent:
      Math.round(((generatorCpu.user + generatorCpu.system) / 1000 / measuredMs) * 1000) / 10,
    serverCpuPercent: Math.round((serverCpuMs / (statsAfterAt - statsBeforeAt)) * 1000) / 10,
    serverCpuMsPerTurn: last.length > 0 ? Math.round((serverCpuMs / last.length) * 1000) / 1000 : Number.NaN,
    serverRssBytes: statsAfter.rssBytes,
    maxInFlight,
  };
}
