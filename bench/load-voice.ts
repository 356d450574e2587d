/**
 * The voice load generator, in its own process so its CPU never counts as the server's. Opens C
 * ConversationRelay WebSockets signed like Twilio, sends `setup`, then drives calls as Twilio
 * would (see docs/performance.md) and prints `BENCH_RESULT {…}`.
 *
 * Mode `open-loop` (the saturation search) instead keeps its calls open and reads one step per
 * stdin line (bench/saturation-open-loop.ts); it exits when stdin closes. Mode `churn` (the soak)
 * places, talks on and hangs up calls for the whole run, sampling the server's heap
 * (bench/soak-churn.ts).
 *
 * Usage: node --import tsx bench/load-voice.ts '<json LoadVoiceOptions>'
 */
import { performance } from "node:perf_hooks";
import WebSocket from "ws";
import { signTwilioRequest } from "../src/testing/sign-twilio-request.js";
import {
  cpuMillisBetween,
  fetchStats,
  type Percentiles,
  percentiles,
  report,
  type ServerStats,
  sleep,
} from "./bench-util.js";
import { serveOpenLoopSteps } from "./saturation-open-loop.js";
import { driveChurn } from "./soak-churn.js";
import { forwardingDelaysMs } from "./stamped-tokens.js";
import { postTwilioForm, randomSid } from "./twilio-webhooks.js";

export interface LoadVoiceOptions {
  /** Where to connect, e.g. `ws://127.0.0.1:1234/twilio/relay`. */
  url: string;
  /** The URL Twilio signs (`ws://127.0.0.1/twilio/relay` for PUBLIC_URL=http://127.0.0.1). */
  signedUrl?: string;
  authToken?: string;
  /**
   * `POST /twilio/voice` before each call's upgrade, signed over `signedUrl` (as Twilio announces a
   * call): with signatures on, the server takes a relay `setup` only for an announced call.
   */
  voiceWebhook?: { url: string; signedUrl: string };
  /** Base URL of the server's `/__bench/stats`. */
  statsUrl: string;
  calls: number;
  mode: "turns" | "interrupt" | "open-loop" | "churn";
  /** turns, churn: how long prompts are issued; open-loop: the generator's whole time limit. */
  durationMs: number;
  /** turns: mean of the exponential think time between a reply's end and the next prompt. */
  thinkMs: number;
  /** A turn without `last: true` after this long is a timeout. */
  turnTimeoutMs: number;
  /** interrupt: interruptions per call, text frames to wait for first, and the observation window. */
  interruptsPerCall?: number;
  interruptAfterTokens?: number;
  interruptWindowMs?: number;
  /** How long the idle CPU of the server is sampled with the calls open (default 1000; 0 skips). */
  idleWindowMs?: number;
  /** Warm-up turns start within this many ms (default min(2000, thinkMs)). */
  warmUpSpreadMs?: number;
  /**
   * turns: unrecorded turns before measuring, in all (default: one per call), each call running
   * its share back to back. V8 optimizes a function after thousands of calls: at 200 turns/s the
   * turn's own functions were still being optimized 10–17 s into a run (`--trace-opt`).
   */
  warmUpTurns?: number;
  /** churn: turns each call takes before it hangs up (default 6). */
  turnsPerCall?: number;
  /** churn: how often the server's heap is read after a forced collection (default 15,000). */
  sampleEveryMs?: number;
  /** churn: the run is cut into this many phases, each ending with every call hung up (default 4). */
  phases?: number;
  /** churn: the share of callers who text the same number right after hanging up (default 0). */
  textAfterCallShare?: number;
}

export interface LoadVoiceResult {
  mode: "turns" | "interrupt" | "open-loop";
  calls: number;
  connectErrors: number;
  errors: number;
  timeouts: number;
  turns: number;
  turnsPerSecond: number;
  firstTokenMs: Percentiles;
  lastTokenMs: Percentiles;
  serverCpuMsPerTurn: number;
  /**
   * How often the server's main thread slept and woke per turn (NaN off Linux). The floor's and
   * Switchboard's compare directly: a turn's CPU after an idle wait is mostly its wake-up.
   */
  serverWakeUpsPerTurn: number;
  /** Server CPU per second with the C calls open and silent (timers, stats requests). */
  serverIdleCpuMsPerSecond: number;
  rssStartBytes: number;
  rssIdleBytes: number;
  rssActivePeakBytes: number;
  rssPerIdleCallBytes: number;
  rssPerActiveCallBytes: number;
  /** Stamped tokens (bench/stamped-tokens.ts): model emits a token → the generator receives it. */
  tokenForwardMs?: Percentiles;
  /** interrupt mode: interrupt sent → last text frame of the aborted reply received. */
  interruptStopMs?: Percentiles;
  framesAfterInterrupt?: Percentiles;
  /** interrupt mode: aborted replies whose `last: true` still arrived (the abort did not stop them). */
  repliesNotStopped?: number;
}

export interface CallState {
  socket: WebSocket;
  /** What the call's `setup` said (the churn mode's hang-up callback repeats them). */
  callSid: string;
  from: string;
  sessionId: string;
  accountSid: string;
  /** Called with each parsed frame. */
  onFrame: ((frame: { type?: string; last?: boolean }, receivedAt: number) => void) | undefined;
  /** When set, called with each frame's raw text instead of `onFrame` (no JSON.parse: open-loop). */
  onRawFrame: ((text: string, receivedAt: number) => void) | undefined;
  ended: boolean;
}

const options = JSON.parse(process.argv[2] ?? "{}") as LoadVoiceOptions;
const counters = { connectErrors: 0, errors: 0, timeouts: 0 };
/** Per-token forwarding delays of the measured turns (only stamped tokens produce any). */
const tokenDelays: number[] = [];
let recordTokenDelays = false;

function exponential(mean: number): number {
  return -Math.log(1 - Math.random()) * mean;
}

/** Announces the call as Twilio does; false when the server refused it. */
function announceCall(callSid: string, from: string): Promise<boolean> {
  return postTwilioForm(options, "/twilio/voice", {
    CallSid: callSid,
    AccountSid: randomSid("AC"),
    From: from,
    To: "+18885550100",
    CallStatus: "ringing",
    Direction: "inbound",
  });
}

async function openCall(signature: string | undefined): Promise<CallState | undefined> {
  const callSid = randomSid("CA");
  const from = `+1415555${String(Math.floor(Math.random() * 10_000)).padStart(4, "0")}`;
  if (!(await announceCall(callSid, from))) {
    counters.connectErrors++;
    return undefined;
  }
  return new Promise((resolve) => {
    const socket = new WebSocket(options.url, {
      headers: signature ? { "x-twilio-signature": signature } : {},
      perMessageDeflate: false,
      handshakeTimeout: 10_000,
    });
    const call: CallState = {
      socket,
      callSid,
      from,
      sessionId: randomSid("VX"),
      accountSid: randomSid("AC"),
      onFrame: undefined,
      onRawFrame: undefined,
      ended: false,
    };
    socket.on("message", (data) => {
      const receivedAt = performance.now();
      if (call.onRawFrame) {
        call.onRawFrame(data.toString(), receivedAt);
        return;
      }
      let frame: { type?: string; last?: boolean };
      try {
        frame = JSON.parse(data.toString()) as { type?: string; last?: boolean };
      } catch {
        counters.errors++;
        return;
      }
      call.onFrame?.(frame, receivedAt);
    });
    socket.once("open", () => {
      socket.send(
        JSON.stringify({
          type: "setup",
          sessionId: call.sessionId,
          accountSid: call.accountSid,
          parentCallSid: "",
          callSid,
          from,
          to: "+18885550100",
          forwardedFrom: "",
          callType: "PSTN",
          callerName: "",
          direction: "inbound",
          callStatus: "RINGING",
          customParameters: {},
        }),
      );
      resolve(call);
    });
    socket.on("error", () => {
      if (socket.readyState === WebSocket.CONNECTING || socket.readyState === WebSocket.CLOSED) {
        counters.connectErrors++;
        resolve(undefined);
      }
    });
    socket.on("close", () => {
      if (!call.ended) counters.errors++;
    });
  });
}

/** The upgrade's `X-Twilio-Signature`: over the URL alone, the same for every call. */
function relaySignature(): string | undefined {
  return options.authToken !== undefined
    ? signTwilioRequest(options.authToken, options.signedUrl ?? options.url, {})
    : undefined;
}

async function openCalls(count = options.calls): Promise<CallState[]> {
  const signature = relaySignature();
  const calls: CallState[] = [];
  for (let start = 0; start < count; start += 50) {
    const batch = Math.min(50, count - start);
    const opened = await Promise.all(Array.from({ length: batch }, () => openCall(signature)));
    for (const call of opened) if (call) calls.push(call);
  }
  return calls;
}

function sendPrompt(call: CallState): void {
  call.socket.send(
    JSON.stringify({ type: "prompt", voicePrompt: "Where is my order?", lang: "en-US", last: true }),
  );
}

/** One turn: prompt → first `text` → `text` with `last: true`; undefined on timeout. */
function runTurn(call: CallState): Promise<{ firstMs: number; lastMs: number } | undefined> {
  return new Promise((resolve) => {
    let firstAt: number | undefined;
    const timer = setTimeout(() => {
      call.onFrame = undefined;
      counters.timeouts++;
      resolve(undefined);
    }, options.turnTimeoutMs);
    call.onFrame = (frame, receivedAt) => {
      if (frame.type !== "text") return;
      firstAt ??= receivedAt;
      const token = (frame as { token?: unknown }).token;
      if (recordTokenDelays && typeof token === "string" && token.includes("@")) {
        tokenDelays.push(
          ...forwardingDelaysMs(token, Math.round((performance.timeOrigin + receivedAt) * 1000)),
        );
      }
      if (frame.last === true) {
        clearTimeout(timer);
        call.onFrame = undefined;
        resolve({ firstMs: firstAt - sentAt, lastMs: receivedAt - sentAt });
      }
    };
    const sentAt = performance.now();
    sendPrompt(call);
  });
}

async function driveTurns(calls: CallState[], first: number[], last: number[]): Promise<void> {
  const deadline = performance.now() + options.durationMs;
  await Promise.all(
    calls.map(async (call) => {
      for (;;) {
        const think = exponential(options.thinkMs);
        if (performance.now() + think >= deadline) return;
        await sleep(think);
        if (call.socket.readyState !== WebSocket.OPEN) return;
        const turn = await runTurn(call);
        if (!turn) return;
        first.push(turn.firstMs);
        last.push(turn.lastMs);
      }
    }),
  );
}

/**
 * Unrecorded turns (`warmUpTurns`, one per call by default; each call starts within up to 2 s and
 * runs its share back to back) so that the server, and the floor alike, are measured with their
 * code optimized, as a server that has been up for a while runs it.
 */
async function warmUp(calls: CallState[]): Promise<void> {
  const spreadMs = options.warmUpSpreadMs ?? Math.min(2000, options.thinkMs);
  const turnsPerCall = Math.max(
    1,
    Math.ceil((options.warmUpTurns ?? calls.length) / Math.max(1, calls.length)),
  );
  await Promise.all(
    calls.map(async (call) => {
      await sleep(Math.random() * spreadMs);
      for (let turn = 0; turn < turnsPerCall; turn++) {
        if (call.socket.readyState !== WebSocket.OPEN || !(await runTurn(call))) return;
      }
    }),
  );
}

interface InterruptSample {
  stopMs: number;
  framesAfter: number;
  completed: boolean;
}

/** Prompt, wait for some tokens, interrupt, then watch a bounded window for the aborted reply's tail. */
function interruptOnce(call: CallState): Promise<InterruptSample | undefined> {
  const afterTokens = options.interruptAfterTokens ?? 10;
  const windowMs = options.interruptWindowMs ?? 700;
  return new Promise((resolve) => {
    let tokens = 0;
    let interruptedAt: number | undefined;
    let lastFrameAt: number | undefined;
    let framesAfter = 0;
    let completed = false;
    const timeout = setTimeout(() => {
      call.onFrame = undefined;
      counters.timeouts++;
      resolve(undefined);
    }, options.turnTimeoutMs);
    call.onFrame = (frame, receivedAt) => {
      if (frame.type !== "text") return;
      if (interruptedAt !== undefined) {
        framesAfter++;
        lastFrameAt = receivedAt;
        if (frame.last === true) completed = true;
        return;
      }
      tokens++;
      if (tokens < afterTokens) return;
      clearTimeout(timeout);
      interruptedAt = performance.now();
      call.socket.send(
        JSON.stringify({ type: "interrupt", utteranceUntilInterrupt: "Sure", durationUntilInterruptMs: 300 }),
      );
      setTimeout(() => {
        call.onFrame = undefined;
        const start = interruptedAt ?? 0;
        resolve({ stopMs: lastFrameAt === undefined ? 0 : lastFrameAt - start, framesAfter, completed });
      }, windowMs);
    };
    sendPrompt(call);
  });
}

async function driveInterrupts(calls: CallState[], samples: InterruptSample[]): Promise<void> {
  const perCall = options.interruptsPerCall ?? 3;
  await Promise.all(
    calls.map(async (call) => {
      await sleep(Math.random() * 200);
      for (let index = 0; index < perCall; index++) {
        if (call.socket.readyState !== WebSocket.OPEN) return;
        const sample = await interruptOnce(call);
        if (!sample) return;
        samples.push(sample);
        await sleep(20 + Math.random() * 50);
      }
    }),
  );
}

async function main(): Promise<void> {
  const hardStop = setTimeout(
    () => {
      process.stderr.write("load-voice: hard time limit reached\n");
      process.exit(2);
    },
    options.durationMs + options.turnTimeoutMs * 4 + 60_000,
  );
  hardStop.unref();
  if (options.mode === "open-loop") {
    await serveOpenLoopSteps({ statsUrl: options.statsUrl, counters, openCalls, warmUpTurn: runTurn });
    process.exit(0);
  }
  if (options.mode === "churn") {
    const result = await driveChurn({ options, counters, openCall, runTurn, signature: relaySignature() });
    report("BENCH_RESULT ", result);
    process.exit(0);
  }
  const start = await fetchStats(options.statsUrl, true);
  const calls = await openCalls();
  await sleep(Math.min(3000, 500 + options.calls * 2));
  const idle = await fetchStats(options.statsUrl, true);
  const idleWindowMs = options.idleWindowMs ?? 1000;
  let idleCpuMsPerSecond = Number.NaN;
  if (idleWindowMs > 0) {
    // The forced GC above leaves sweeping to do for a while; it is not the calls' idle cost.
    await sleep(750);
    const idleBefore = await fetchStats(options.statsUrl);
    await sleep(idleWindowMs);
    const idleAfter = await fetchStats(options.statsUrl);
    idleCpuMsPerSecond = (cpuMillisBetween(idleBefore, idleAfter) * 1000) / idleWindowMs;
  }
  if (options.mode === "turns") await warmUp(calls);

  let peakRss = idle.rssBytes;
  const sampler = setInterval(() => {
    fetchStats(options.statsUrl).then(
      (stats) => {
        peakRss = Math.max(peakRss, stats.rssBytes);
      },
      () => undefined,
    );
  }, 2000);

  const first: number[] = [];
  const last: number[] = [];
  const samples: InterruptSample[] = [];
  const before: ServerStats = await fetchStats(options.statsUrl);
  const startedAt = performance.now();
  recordTokenDelays = true;
  if (options.mode === "interrupt") await driveInterrupts(calls, samples);
  else await driveTurns(calls, first, last);
  const elapsedMs = performance.now() - startedAt;
  const after = await fetchStats(options.statsUrl);
  clearInterval(sampler);
  peakRss = Math.max(peakRss, after.rssBytes);

  for (const call of calls) {
    call.ended = true;
    call.socket.close(1000);
  }
  const turns = options.mode === "interrupt" ? samples.length : last.length;
  const result: LoadVoiceResult = {
    mode: options.mode,
    calls: calls.length,
    connectErrors: counters.connectErrors,
    errors: counters.errors,
    timeouts: counters.timeouts,
    turns,
    turnsPerSecond: turns / (elapsedMs / 1000),
    firstTokenMs: percentiles(first),
    lastTokenMs: percentiles(last),
    serverCpuMsPerTurn: turns > 0 ? cpuMillisBetween(before, after) / turns : Number.NaN,
    serverWakeUpsPerTurn: turns > 0 ? (after.mainThreadSleeps - before.mainThreadSleeps) / turns : Number.NaN,
    serverIdleCpuMsPerSecond: idleCpuMsPerSecond,
    rssStartBytes: start.rssBytes,
    rssIdleBytes: idle.rssBytes,
    rssActivePeakBytes: peakRss,
    rssPerIdleCallBytes: (idle.rssBytes - start.rssBytes) / Math.max(1, calls.length),
    rssPerActiveCallBytes: (peakRss - start.rssBytes) / Math.max(1, calls.length),
  };
  if (tokenDelays.length > 0) result.tokenForwardMs = percentiles(tokenDelays);
  if (options.mode === "interrupt") {
    result.interruptStopMs = percentiles(samples.map((sample) => sample.stopMs));
    result.framesAfterInterrupt = percentiles(samples.map((sample) => sample.framesAfter));
    result.repliesNotStopped = samples.filter((sample) => sample.completed).length;
  }
  await sleep(200);
  report("BENCH_RESULT ", result);
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`load-voice failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
