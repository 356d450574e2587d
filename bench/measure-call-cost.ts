/**
 * CPU and wall time per model call, as the client-cost benchmarks measure it: a warm-up checked
 * against the 20 expected tokens, then `process.cpuUsage()` over N sequential calls.
 */
import { performance } from "node:perf_hooks";
import type { LanguageModelV3, LanguageModelV3CallOptions } from "@ai-sdk/provider";
import { round, twentyTokens } from "./bench-util.js";

export interface ClientCost {
  name: string;
  cpuMsPerCall: number;
  wallMsPerCall: number;
  calls: number;
}

/** The default warm-up: a fifth of the calls, between 20 and 100. */
export function defaultWarmUpCalls(calls: number): number {
  return Math.min(100, Math.max(20, Math.round(calls / 5)));
}

export async function measureCallCost(
  name: string,
  once: () => Promise<string>,
  calls: number,
  warmUpCalls = defaultWarmUpCalls(calls),
): Promise<ClientCost> {
  const expected = twentyTokens.join("");
  for (let index = 0; index < warmUpCalls; index++) {
    const text = await once();
    if (text !== expected) throw new Error(`${name}: unexpected reply ${JSON.stringify(text)}`);
  }
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  for (let index = 0; index < calls; index++) await once();
  const wallMs = performance.now() - wallBefore;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    name,
    cpuMsPerCall: round((cpu.user + cpu.system) / 1000 / calls),
    wallMsPerCall: round(wallMs / calls),
    calls,
  };
}

/** One streamed call: the text deltas joined; an `error` part throws. */
export async function drainTextDeltas(
  model: LanguageModelV3,
  callOptions: LanguageModelV3CallOptions,
): Promise<string> {
  const { stream } = await model.doStream(callOptions);
  const reader = stream.getReader();
  let text = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text;
    if (value.type === "text-delta") text += value.delta;
    if (value.type === "error") throw value.error;
  }
}
