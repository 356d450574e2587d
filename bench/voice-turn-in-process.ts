/**
 * The app's own cost per voice turn, without sockets: the real app (compiled, as deployed; its
 * agent, store, metrics and relay sessions) with the scripted 20-token model, driven through
 * `RelaySession` with in-memory sockets. No TCP, no WebSocket framing, no load generator sharing
 * the machine: what is left is the turn's JavaScript and its store, with a fifth of the noise of a
 * loopback run. Turns go round-robin over the calls, one per event-loop task, as separate sockets
 * would bring them.
 *
 * Usage: npx tsx bench/voice-turn-in-process.ts [CALLS=1000] [TURNS=10000] [ROUNDS=5]
 *        [WARM_UP_TURNS=20000] [STORE=sqlite|memory] [BENCH_DIST=/abs/path/dist]
 * Prints CPU per turn (process.cpuUsage() over the round ÷ turns) for each round.
 */
import { EventEmitter } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { WebSocket } from "ws";
import { createScriptedModel } from "../src/testing/create-scripted-model.js";
import { twentyTokens } from "./bench-util.js";
import { buildDist } from "./build-dist.js";

const calls = Number(process.env.CALLS ?? "1000");
const turnsPerRound = Number(process.env.TURNS ?? "10000");
const rounds = Number(process.env.ROUNDS ?? "5");
const warmUpTurns = Number(process.env.WARM_UP_TURNS ?? "20000");

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
  const run = async (turns: number) => {
    for (let turn = 0; turn < turns; turn++) {
      await (sockets[turn % calls] as MemorySocket).turn(prompt);
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  await run(warmUpTurns);
  for (let round = 1; round <= rounds; round++) {
    const before = process.cpuUsage();
    await run(turnsPerRound);
    const used = process.cpuUsage(before);
    const perTurnMs = (used.user + used.system) / 1000 / turnsPerRound;
    process.stdout.write(
      `round ${round}: CPU per turn ${perTurnMs.toFixed(4)} ms (${calls} calls, ${turnsPerRound} turns)\n`,
    );
  }
  // Appends still held for a batch are committed by close.
  await app.close();
  rmSync(dataDirectory, { recursive: true, force: true });
}

await main();
process.exit(0);
