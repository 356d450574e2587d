import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3Prompt,
  LanguageModelV3StreamPart,
} from "@ai-sdk/provider";
import type { DirectStreamModel } from "../../src/ports/direct-stream-model.js";

/** Reads a whole stream; a stream error rejects. */
export async function readAll(
  stream: ReadableStream<LanguageModelV3StreamPart>,
): Promise<LanguageModelV3StreamPart[]> {
  const parts: LanguageModelV3StreamPart[] = [];
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return parts;
    parts.push(value);
  }
}

/** Calls `doStream` and reads everything. */
export async function streamCall(
  model: LanguageModelV3,
  options: Partial<LanguageModelV3CallOptions> & { prompt: LanguageModelV3Prompt },
): Promise<LanguageModelV3StreamPart[]> {
  const { stream } = await model.doStream(options);
  return readAll(stream);
}

/** The two ways to stream a call: the spec's `doStream`, or `doStreamTo` (DirectStreamModel). */
export type StreamWay = "doStream" | "doStreamTo";
export const streamWays: readonly StreamWay[] = ["doStream", "doStreamTo"];

/** Streams a call one way and collects every part; rejects where that way fails. */
export async function streamCallVia(
  way: StreamWay,
  model: LanguageModelV3,
  options: Partial<LanguageModelV3CallOptions> & { prompt: LanguageModelV3Prompt },
): Promise<LanguageModelV3StreamPart[]> {
  if (way === "doStream") return streamCall(model, options);
  const parts: LanguageModelV3StreamPart[] = [];
  await (model as DirectStreamModel).doStreamTo(options, (part) => parts.push(part));
  return parts;
}

/** What fails when a call fails before any content: `doStream` itself, or the whole `doStreamTo`. */
export function openCallVia(
  way: StreamWay,
  model: LanguageModelV3,
  options: Partial<LanguageModelV3CallOptions> & { prompt: LanguageModelV3Prompt },
): Promise<unknown> {
  return way === "doStream" ? Promise.resolve(model.doStream(options)) : streamCallVia(way, model, options);
}

export function textOf(parts: readonly LanguageModelV3StreamPart[]): string {
  return deltasOf(parts).join("");
}

export function deltasOf(parts: readonly LanguageModelV3StreamPart[]): string[] {
  return parts.flatMap((part) => (part.type === "text-delta" ? [part.delta] : []));
}

export function toolCallsOf(
  parts: readonly LanguageModelV3StreamPart[],
): Array<{ toolName: string; input: unknown }> {
  return parts.flatMap((part) =>
    part.type === "tool-call" ? [{ toolName: part.toolName, input: JSON.parse(part.input) as unknown }] : [],
  );
}

export function userPrompt(...texts: string[]): LanguageModelV3Prompt {
  return texts.map((text) => ({ role: "user", content: [{ type: "text", text }] }));
}
