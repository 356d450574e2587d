/**
 * The app's own cost per voice turn, without sockets: the real app (compiled, as deployed; its
 * agent, store, metrics and relay sessions) with the scripted 20-token model, driven through
 * `RelaySession` with in-memory sockets. No TCP, no WebSocket framing, no load generator sharing
 * the machine: what is left is the turn's JavaScript and its store, with a fifth of the noise of a
 * loopback run. Turns go round-robin over the calls, one per event-loop task, as separate sockets
 * would bring them.
 *
 * Usage: npx tsx bench/voice-turn-in-process.ts [CALLS=1000] [TURNS=10000] [ROUNDS=5]
 *        [WARM_UP_TURNS=20000] [STORE=sqlite|memory] [BENCH_DIST=/abs/path/dist] [PACE_MS=0]
 * PACE_MS idles that long after each measured turn, as a call's think time leaves the process
 * idle: the turn then pays for waking up and for caches gone cold (use TURNS=2000 or so).
 * Prints for each round, per turn: CPU (process.cpuUsage() over the round ÷ turns), the median
 * wall time of a turn (prompt → `last: true`), and the write calls and bytes of the process (its
 * SQLite writes, WAL and checkpoints); run through
 * bench/voice-turn-instructions.ts (valgrind), also the instructions executed per turn.
 */
import { execFile } from "node:child_process";
import { EventEmitter } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { WebSocket } from "ws";
import { createScriptedModel } from "../src/testing/create-scripted-model.js";
import { percentiles, twentyTokens } from "./bench-util.js";
import { buildDist } from "./build-dist.js";

const calls = Number(process.env.CALLS ?? "1000");
const turnsPerRound = Number(process.env.TURNS ?? "10000");
const rounds = Number(process.env.ROUNDS ?? "5");
const warmUpTurns = Number(process.env.WARM_UP_TURNS ?? "20000");
/** Idle time between measured turns (0: back to back); see bench/wake-up-cost.ts. */
const paceMs = Number(process.env.PACE_MS ?? "0");

/** What a `RelaySession` uses of its WebSocket; `settle` resolves at the reply's `last: true`. */
class MemorySocket extends EventEmitter {
  readyState = 1;
  private settle: (() => void) | undefined;

  send(frame: string): void {
    if (!frame.includes('"last":true')) return;
    const settle = this.settle;
    this.settle = undefined;
    settle?.();
  }

  close(): void {
    this.readyState = 3;
  }

  turn(prompt: Buffer): Promise<void> {
    return new Promise((resolve) => {
      this.settle = resolve;
      this.emit("message", prompt, false);
    });
  }
}

async function main(): Promise<void> {
  if (!process.env.BENCH_DIST) buildDist();
  const code = pathToFileURL(process.env.BENCH_DIST ?? path.resolve("dist")).href;
  const { createApp }: typeof import("../src/app/create-app.js") = await import(`${code}/app/create-app.js`);
  const { loadConfig }: typeof import("../src/config/config.js") = await import(`${code}/config/config.js`);
  const { RelaySession }: typeof import("../src/channels/voice-relay/relay-session.js") = await import(
    `${code}/channels/voice-relay/relay-session.js`
  );
  const { IdentityService }: typeof import("../src/identity/identity-service.js") = await import(
    `${code}/identity/identity-service.js`
  );
  const dataDirectory = mkdtempSync(path.join(os.tmpdir(), "switchboard-in-process-"));
  const config = loadConfig({
    NODE_ENV: "production",
    DATA_DIR: dataDirectory,
    STORE: process.env.STORE ?? "sqlite",
    LOG_LEVEL: "warn",
  });
  const model = createScriptedModel(() => ({ text: twentyTokens }), { keepCalls: false });
  const app = await createApp(config, { model });
  const resolver = new IdentityService({
    customers: app.stores.customers,
    conversations: app.store,
    enqueueOutbound: () => Promise.reject(new Error("no messages are sent in this benchmark")),
    logger: app.logger,
  });
  const sockets: MemorySocket[] = [];
  for (let index = 0; index < calls; index++) {
    const socket = new MemorySocket();
    new RelaySession(socket as unknown as WebSocket, {
      agent: app.agent,
      resolver,
      voice: config.voice,
      logger: app.logger,
    });
    const callSid = `CA${String(index).padStart(32, "0")}`;
    const setup = {
      type: "setup",
      sessionId: `VX${index}`,
      callSid,
      from: "+15550100000",
      to: "+15550199999",
    };
    socket.emit("message", Buffer.from(JSON.stringify(setup)), false);
    sockets.push(socket);
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  const prompt = Buffer.from(
    JSON.stringify({ type: "prompt", voicePrompt: "Where is my order?", last: true }),
  );
  /** Runs `turns` turns; returns each one's wall time, prompt emitted → `last: true` (ms). */
  const run = async (turns: number, idleMs = 0) => {
    const wallMs: number[] = [];
    for (let turn = 0; turn < turns; turn++) {
      const startedAt = performance.now();
      await (sockets[turn % calls] as MemorySocket).turn(prompt);
      wallMs.push(performance.now() - startedAt);
      await new Promise((resolve) => (idleMs > 0 ? setTimeout(resolve, idleMs) : setImmediate(resolve)));
    }
    return wallMs;
  };
  await run(warmUpTurns);
  const callgrind = process.env.CALLGRIND_OUT ? new CallgrindWindow(process.env.CALLGRIND_OUT) : undefined;
  for (let round = 1; round <= rounds; round++) {
    await callgrind?.start();
    const ioBefore = processIo();
    const before = process.cpuUsage();
    const wallMs = await run(turnsPerRound, paceMs);
    const used = process.cpuUsage(before);
    const ioAfter = processIo();
    const instructions = await callgrind?.stop();
    const perTurnMs = (used.user + used.system) / 1000 / turnsPerRound;
    const counted =
      instructions === undefined
        ? ""
        : `, ${Math.round(instructions / turnsPerRound).toLocaleString("en-US")} instructions per turn`;
    const wallP50 = percentiles(wallMs).p50 * 1000;
    const written =
      ioBefore && ioAfter
        ? `, ${((ioAfter.syscw - ioBefore.syscw) / turnsPerRound).toFixed(2)} write calls and ${((ioAfter.wchar - ioBefore.wchar) / 1024 / turnsPerRound).toFixed(1)} KiB written`
        : "";
    process.stdout.write(
      `round ${round}: CPU per turn ${perTurnMs.toFixed(4)} ms${counted}, turn wall p50 ${wallP50.toFixed(0)} µs${written} (${calls} calls, ${turnsPerRound} turns${paceMs > 0 ? `, ${paceMs} ms apart` : ""})\n`,
    );
  }
  // Appends still held for a batch are committed by close.
  await app.close();
  rmSync(dataDirectory, { recursive: true, force: true });
}

/** The process's write calls and bytes so far, all threads (Linux: /proc/self/io), if readable. */
function processIo(): { syscw: number; wchar: number } | undefined {
  try {
    const fields = new Map(
      readFileSync("/proc/self/io", "utf8")
        .trim()
        .split("\n")
        .map((line) => line.split(": ") as [string, string]),
    );
    return { syscw: Number(fields.get("syscw")), wchar: Number(fields.get("wchar")) };
  } catch {
    return undefined;
  }
}

/**
 * Under `valgrind --tool=callgrind --callgrind-out-file=<out>.%p` (see
 * bench/voice-turn-instructions.ts): zeroes the counts at the start of a round and dumps them at
 * its end, then reads the instructions executed (all threads) from the dump.
 */
class CallgrindWindow {
  private dumps = 0;

  constructor(private readonly outPrefix: string) {}

  start(): Promise<void> {
    return this.control("-z");
  }

  async stop(): Promise<number> {
    await this.control("-d");
    this.dumps++;
    const dump = readFileSync(`${this.outPrefix}.${process.pid}.${this.dumps}`, "utf8");
    const summary = /^summary: (\d+)/m.exec(dump);
    if (!summary?.[1]) throw new Error(`no summary line in callgrind dump ${this.dumps}`);
    return Number(summary[1]);
  }

  /** callgrind_control talks to this process, which must keep running (not block) meanwhile. */
  private control(flag: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const keepRunning = setInterval(() => undefined, 5);
      execFile("callgrind_control", [flag, String(process.pid)], (error) => {
        clearInterval(keepRunning);
        if (error) reject(new Error(`callgrind_control ${flag} failed: ${error.message}`));
        else resolve();
      });
    });
  }
}

await main();
process.exit(0);
