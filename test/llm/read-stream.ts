import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3Prompt,
  LanguageModelV3StreamPart,
} from "@ai-sdk/provider";

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
