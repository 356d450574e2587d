import type { LanguageModelV3StreamPart } from "@ai-sdk/provider";
import { describe, expect, it } from "vitest";
import type { ChatCompletionChunk } from "../../../src/llm/openai-chat/chat-wire-types.js";
import { createChatStreamMapper } from "../../../src/llm/openai-chat/map-chat-stream.js";

function mapChunks(chunks: ChatCompletionChunk[]): LanguageModelV3StreamPart[] {
  const parts: LanguageModelV3StreamPart[] = [];
  const mapper = createChatStreamMapper((part) => parts.push(part));
  for (const chunk of chunks) mapper.push(chunk);
  mapper.end();
  return parts;
}

const head = { id: "chatcmpl-7", created: 1_700_000_000, model: "gpt-test" };
const delta = (value: NonNullable<NonNullable<ChatCompletionChunk["choices"]>[number]["delta"]>) => ({
  ...head,
  choices: [{ index: 0, delta: value, finish_reason: null }],
});
const finishChunk = (reason: string) => ({
  ...head,
  choices: [{ index: 0, delta: {}, finish_reason: reason }],
});

describe("createChatStreamMapper", () => {
  it("maps text to response-metadata, text-start/delta/end with one id, then finish with usage", () => {
    const parts = mapChunks([
      delta({ role: "assistant", content: "" }),
      delta({ content: "Hello" }),
      delta({ content: " there" }),
      finishChunk("stop"),
      {
        ...head,
        choices: [],
        usage: {
          prompt_tokens: 120,
          completion_tokens: 30,
          prompt_tokens_details: { cached_tokens: 100 },
          completion_tokens_details: { reasoning_tokens: 10 },
        },
      },
    ]);
    expect(parts).toEqual([
      {
        type: "response-metadata",
        id: "chatcmpl-7",
        modelId: "gpt-test",
        timestamp: new Date(1_700_000_000_000),
      },
      { type: "text-start", id: "txt-0" },
      { type: "text-delta", id: "txt-0", delta: "Hello" },
      { type: "text-delta", id: "txt-0", delta: " there" },
      { type: "text-end", id: "txt-0" },
      {
        type: "finish",
        finishReason: { unified: "stop", raw: "stop" },
        usage: {
          inputTokens: { total: 120, noCache: 20, cacheRead: 100, cacheWrite: undefined },
          outputTokens: { total: 30, text: 20, reasoning: 10 },
          raw: expect.objectContaining({ prompt_tokens: 120 }),
        },
      },
    ]);
  });

  it("accumulates parallel tool calls by index across chunks into tool-input parts and tool-call parts", () => {
    const parts = mapChunks([
      delta({ role: "assistant", content: null }),
      delta({
        tool_calls: [
          { index: 0, id: "call_a", type: "function", function: { name: "send_digits", arguments: "" } },
        ],
      }),
      delta({ tool_calls: [{ index: 0, function: { arguments: '{"dig' } }] }),
      delta({
        tool_calls: [
          { index: 1, id: "call_b", type: "function", function: { name: "end_call", arguments: '{"rea' } },
          { index: 0, function: { arguments: 'its":"123"}' } },
        ],
      }),
      delta({ tool_calls: [{ index: 1, function: { arguments: 'son":"done"}' } }] }),
      finishChunk("tool_calls"),
    ]);
    const calls = parts.filter((part) => part.type === "tool-call");
    expect(calls).toEqual([
      { type: "tool-call", toolCallId: "call_a", toolName: "send_digits", input: '{"digits":"123"}' },
      { type: "tool-call", toolCallId: "call_b", toolName: "end_call", input: '{"reason":"done"}' },
    ]);
    const inputOf = (id: string) =>
      parts
        .flatMap((part) => (part.type === "tool-input-delta" && part.id === id ? [part.delta] : []))
        .join("");
    expect(inputOf("call_a")).toBe('{"digits":"123"}');
    expect(inputOf("call_b")).toBe('{"reason":"done"}');
    const types = parts.map((part) => part.type);
    expect(types.filter((type) => type === "tool-input-start")).toHaveLength(2);
    expect(types.indexOf("tool-input-end")).toBeLessThan(types.indexOf("tool-call"));
    expect(types).not.toContain("text-start");
    expect(parts.at(-1)).toMatchObject({
      type: "finish",
      finishReason: { unified: "tool-calls", raw: "tool_calls" },
      usage: { inputTokens: { total: undefined }, outputTokens: { total: undefined } },
    });
  });

  it("emits a call whose arguments came in one piece with an empty object when it had none", () => {
    const parts = mapChunks([
      delta({ tool_calls: [{ index: 0, id: "call_x", function: { name: "end_call" } }] }),
      finishChunk("tool_calls"),
    ]);
    expect(parts.filter((part) => part.type === "tool-call")).toEqual([
      { type: "tool-call", toolCallId: "call_x", toolName: "end_call", input: "{}" },
    ]);
  });

  it("maps finish reasons length and content_filter, and other values to other", () => {
    const reasonOf = (raw: string) => {
      const finish = mapChunks([delta({ content: "x" }), finishChunk(raw)]).at(-1);
      return finish?.type === "finish" ? finish.finishReason : undefined;
    };
    expect(reasonOf("length")).toEqual({ unified: "length", raw: "length" });
    expect(reasonOf("content_filter")).toEqual({ unified: "content-filter", raw: "content_filter" });
    expect(reasonOf("something_new")).toEqual({ unified: "other", raw: "something_new" });
  });

  it("closes open text and finishes when the stream ends without a finish_reason", () => {
    const types = mapChunks([delta({ content: "cut" })]).map((part) => part.type);
    expect(types).toEqual(["response-metadata", "text-start", "text-delta", "text-end", "finish"]);
  });

  it("maps reasoning_content to reasoning parts before the text", () => {
    const types = mapChunks([
      delta({ reasoning_content: "thinking" }),
      delta({ content: "answer" }),
      finishChunk("stop"),
    ]).map((part) => part.type);
    expect(types).toEqual([
      "response-metadata",
      "reasoning-start",
      "reasoning-delta",
      "reasoning-end",
      "text-start",
      "text-delta",
      "text-end",
      "finish",
    ]);
  });

  it("turns an error chunk into an error part and finishes with reason error", () => {
    const parts = mapChunks([{ error: { message: "overloaded", type: "server_error" } }]);
    expect(parts[0]).toEqual({ type: "error", error: { message: "overloaded", type: "server_error" } });
    expect(parts.at(-1)).toMatchObject({ type: "finish", finishReason: { unified: "error" } });
  });
});
