/**
 * The churn mode of the voice load generator (runs inside bench/load-voice.ts, its own process): a
 * soak test for what a long-running server keeps per call. `calls` lanes each place a call (the
 * signed `POST /twilio/voice`, the relay WebSocket, `setup`), take `turnsPerCall` turns with think
 * time, hang up as Twilio does (the socket closes, then the signed `<Connect action>` callback
 * `POST /twilio/voice/ended`), and place the next call at once. The run is cut into `phases`; at
 * the end of each, every lane finishes its call and places no other, and the server's heap is read
 * after a forced full collection with no call open. How that heap grows from one phase's end to the
 * next, per call ended, is what a leak shows: state kept for every call that has ended. (The heap
 * with calls open grows during a run for a reason that is not a leak: callers come back, from a
 * pool of 10,000 numbers, and each call holds its conversation's recent history, longer as the run
 * goes on.) Every `sampleEveryMs` within a phase it also reads the heap with the calls open.
 *
 * With `textAfterCallShare`, that share of callers text the same number right after hanging up
 * (`POST /twilio/sms`, signed): the text lands in the caller's conversation and is answered by SMS.
 * A phase then ends once the server has answered every text (its `/metrics` backlogs at zero).
 */
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import { fetchStats, type Percentiles, percentiles, sleep } from "./bench-util.js";
import type { CallState, LoadVoiceOptions } from "./load-voice.js";
import { postSessionEnded, postText } from "./twilio-webhooks.js";

export interface ChurnSample {
  /** Since the first call was placed, when the sample was asked for and when it came back. */
  elapsedMs: number;
  answeredAtMs: number;
  callsEnded: number;
  turns: number;
  /** Taken at a phase's end, with no call open (the others are taken with every lane on a call). */
  quiesced: boolean;
  /** After a forced full collection (the server runs with --expose-gc). */
  heapUsedBytes: number;
  rssBytes: number;
  /**
   * Turns sent since the previous sample and their first token p99 (NaN when none), leaving out the
   * turns in flight during a sample: its forced full collections pause the server.
   */
  windowTurns: number;
  windowFirstTokenP99Ms: number;
}

export interface ChurnResult {
  mode: "churn";
  /** Calls live at once (lanes). */
  calls: number;
  turnsPerCall: number;
  durationMs: number;
  phases: number;
  callsStarted: number;
  callsEnded: number;
  turns: number;
  connectErrors: number;
  errors: number;
  timeouts: number;
  /** `POST /twilio/voice/ended` answers other than 2xx, and requests that failed. */
  endedCallbackFailures: number;
  /** Turns in flight while a sample's forced collections ran, left out of the first token figures. */
  turnsDuringSamples: number;
  /** How long a sample's stats request took: mostly the server's two forced full collections. */
  sampleRequestMs: Percentiles;
  /** Texts sent after a call, and those not answered with a 2xx (or that failed). */
  textsSent: number;
  textsRefused: number;
  /** Prompt → first token of every turn but those in flight during a sample. */
  firstTokenMs: Percentiles;
  samples: ChurnSample[];
  /**
   * Least-squares slope of the heap with no call open against calls ended, over the later half of
   * the phases' ends (at least three; see `heapGrowthPerCall`); NaN with fewer than three.
   */
  heapGrowthBytesPerCall: number;
}

export interface ChurnDependencies {
  options: LoadVoiceOptions;
  counters: { connectErrors: number; errors: number; timeouts: number };
  openCall: (signature: string | undefined) => Promise<CallState | undefined>;
  runTurn: (call: CallState) => Promise<{ firstMs: number; lastMs: number } | undefined>;
  signature: string | undefined;
}

function exponential(mean: number): number {
  return -Math.log(1 - Math.random()) * mean;
}

/** The slope of y against x by least squares; NaN with fewer than three points or no spread in x. */
export function leastSquaresSlope(points: ReadonlyArray<{ x: number; y: number }>): number {
  if (points.length < 3) return Number.NaN;
  const meanX = points.reduce((sum, point) => sum + point.x, 0) / points.length;
  const meanY = points.reduce((sum, point) => sum + point.y, 0) / points.length;
  let covariance = 0;
  let variance = 0;
  for (const point of points) {
    covariance += (point.x - meanX) * (point.y - meanY);
    variance += (point.x - meanX) ** 2;
  }
  return variance === 0 ? Number.NaN : covariance / variance;
}

/**
 * The heap's growth per ended call: over the samples with no call open, taken at the later half of
 * the phases' ends (at least three of them). The first phases fill what is bounded: the JIT's code,
 * pools, and caches such as the SMS path's recent sessions (up to 50,000 messages of history);
 * what still grows after them grows with the calls.
 */
export function heapGrowthPerCall(samples: readonly ChurnSample[]): number {
  const phaseEnds = samples.filter((sample) => sample.quiesced && sample.callsEnded > 0);
  const later = phaseEnds.slice(-Math.max(3, Math.ceil(phaseEnds.length / 2)));
  return leastSquaresSlope(later.map((sample) => ({ x: sample.callsEnded, y: sample.heapUsedBytes })));
}

export async function driveChurn(dependencies: ChurnDependencies): Promise<ChurnResult> {
  const { options, counters, openCall, runTurn, signature } = dependencies;
  const turnsPerCall = options.turnsPerCall ?? 6;
  const sampleEveryMs = options.sampleEveryMs ?? 15_000;
  const phases = Math.max(1, options.phases ?? 4);
  const phaseMs = options.durationMs / phases;
  const turnTimes: TurnTime[] = [];
  const tally = {
    callsStarted: 0,
    callsEnded: 0,
    endedCallbackFailures: 0,
    textsSent: 0,
    textsRefused: 0,
  };
  const textShare = options.textAfterCallShare ?? 0;
  const samples: ChurnSample[] = [];
  const startedAt = performance.now();

  const takeSample = async (quiesced: boolean) => {
    const askedAt = performance.now();
    const callsEnded = tally.callsEnded;
    const turns = turnTimes.length;
    const stats = await fetchStats(options.statsUrl, true);
    samples.push({
      elapsedMs: askedAt - startedAt,
      answeredAtMs: performance.now() - startedAt,
      callsEnded,
      turns,
      quiesced,
      heapUsedBytes: stats.heapUsedBytes,
      rssBytes: stats.rssBytes,
      windowTurns: 0,
      windowFirstTokenP99Ms: Number.NaN,
    });
  };

  /** The caller hangs up: the socket closes, then Twilio calls the `<Connect action>` URL. */
  const hangUp = async (call: CallState, seconds: number) => {
    call.ended = true;
    await new Promise<void>((resolve) => {
      if (call.socket.readyState === WebSocket.CLOSED) return resolve();
      call.socket.once("close", () => resolve());
      call.socket.close(1000);
    });
    tally.callsEnded++;
    if (!(await postSessionEnded(options, call, seconds))) tally.endedCallbackFailures++;
    if (Math.random() < textShare) {
      tally.textsSent++;
      if (!(await postText(options, call.from))) tally.textsRefused++;
    }
  };

  const lane = async (deadline: number) => {
    // Spread the lanes' first calls so that calls end and start at a steady rate, not in waves.
    await sleep(Math.random() * Math.min(options.thinkMs * turnsPerCall, phaseMs / 4));
    while (performance.now() < deadline) {
      tally.callsStarted++;
      const call = await openCall(signature);
      if (!call) {
        await sleep(100);
        continue;
      }
      const placedAt = performance.now();
      for (let turn = 0; turn < turnsPerCall && performance.now() < deadline; turn++) {
        // The caller hangs up at the phase's end rather than after a last pause.
        await sleep(Math.min(exponential(options.thinkMs), deadline - performance.now()));
        if (performance.now() >= deadline || call.socket.readyState !== WebSocket.OPEN) break;
        const sentAtMs = performance.now() - startedAt;
        const result = await runTurn(call);
        if (!result) break;
        turnTimes.push({ sentAtMs, firstMs: result.firstMs, lastMs: result.lastMs });
      }
      await hangUp(call, Math.round((performance.now() - placedAt) / 1000));
    }
  };

  await takeSample(true);
  for (let phase = 1; phase <= phases; phase++) {
    const deadline = startedAt + phaseMs * phase;
    let sampling = Promise.resolve();
    const sampler = setInterval(() => {
      sampling = sampling.then(
        () => takeSample(false),
        () => undefined,
      );
    }, sampleEveryMs);
    await Promise.all(Array.from({ length: options.calls }, () => lane(deadline)));
    clearInterval(sampler);
    await sampling;
    if (textShare > 0) await waitForNoBacklog(options.statsUrl, 120_000);
    // Every call has ended: what the server still holds now is what it keeps.
    await sleep(1000);
    await takeSample(true);
  }

  const clear = turnsClearOfSamples(turnTimes, samples);
  return {
    mode: "churn",
    calls: options.calls,
    turnsPerCall,
    durationMs: options.durationMs,
    phases,
    ...tally,
    turns: turnTimes.length,
    ...counters,
    turnsDuringSamples: turnTimes.length - clear.length,
    sampleRequestMs: percentiles(samples.map((sample) => sample.answeredAtMs - sample.elapsedMs)),
    firstTokenMs: percentiles(clear.map((turn) => turn.firstMs)),
    samples: withWindows(samples, clear),
    heapGrowthBytesPerCall: heapGrowthPerCall(samples),
  };
}

export interface TurnTime {
  /** Since the run started, like the samples' times. */
  sentAtMs: number;
  firstMs: number;
  lastMs: number;
}

/** The turns not in flight while any sample ran (its forced collections pause the server). */
export function turnsClearOfSamples(turns: readonly TurnTime[], samples: readonly ChurnSample[]): TurnTime[] {
  return turns.filter((turn) =>
    samples.every(
      (sample) => turn.sentAtMs + turn.lastMs < sample.elapsedMs || turn.sentAtMs > sample.answeredAtMs,
    ),
  );
}

/** Each sample with the turns sent since the one before it (of `clear`) and their first token p99. */
function withWindows(samples: readonly ChurnSample[], clear: readonly TurnTime[]): ChurnSample[] {
  return samples.map((sample, index) => {
    const since = index === 0 ? Number.NEGATIVE_INFINITY : (samples[index - 1] as ChurnSample).elapsedMs;
    const window = clear
      .filter((turn) => turn.sentAtMs > since && turn.sentAtMs <= sample.elapsedMs)
      .map((turn) => turn.firstMs);
    return {
      ...sample,
      windowTurns: window.length,
      windowFirstTokenP99Ms: window.length > 0 ? percentiles(window).p99 : Number.NaN,
    };
  });
}

/** A gauge's value in a Prometheus text exposition (NaN when absent). */
export function gaugeValue(exposition: string, name: string): number {
  const match = new RegExp(`^${name} (\\S+)$`, "m").exec(exposition);
  return match ? Number(match[1]) : Number.NaN;
}

/**
 * Waits until the server's `/metrics` shows no accepted webhook left in its inbox and no reply
 * scheduled, twice in a row; throws after `limitMs`.
 */
export async function waitForNoBacklog(baseUrl: string, limitMs: number): Promise<void> {
  const startedAt = performance.now();
  let idleReads = 0;
  while (performance.now() - startedAt < limitMs) {
    const response = await fetch(`${baseUrl}/metrics`);
    const exposition = await response.text();
    const backlog =
      gaugeValue(exposition, "switchboard_inbox_backlog") +
      gaugeValue(exposition, "switchboard_reply_backlog");
    if (!response.ok || Number.isNaN(backlog))
      throw new Error(`GET /metrics: no backlog gauges (${response.status})`);
    idleReads = backlog === 0 ? idleReads + 1 : 0;
    if (idleReads >= 2) return;
    await sleep(100);
  }
  throw new Error(`SMS replies still pending ${limitMs} ms after the phase's last call`);
}
