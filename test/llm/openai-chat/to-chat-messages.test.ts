import { UnsupportedFunctionalityError } from "@ai-sdk/provider";
import { describe, expect, it } from "vitest";
import { toChatMessages } from "../../../src/llm/openai-chat/to-chat-messages.js";

describe("toChatMessages", () => {
  it("maps system, user, assistant tool calls and tool results to Chat Completions messages", () => {
    const messages = toChatMessages([
      { role: "system", content: "You are a test." },
      { role: "user", content: [{ type: "text", text: "Press 1 2 3 and end the call" }] },
      {
        role: "assistant",
        content: [
          { type: "text", text: "Pressing now." },
          { type: "tool-call", toolCallId: "call_1", toolName: "send_digits", input: { digits: "123" } },
          { type: "tool-call", toolCallId: "call_2", toolName: "end_call", input: '{"reason":"done"}' },
        ],
      },
      {
        role: "tool",
        content: [
          {
            type: "tool-result",
            toolCallId: "call_1",
            toolName: "send_digits",
            output: { type: "json", value: { sent: true } },
          },
          {
            type: "tool-result",
            toolCallId: "call_2",
            toolName: "end_call",
            output: { type: "text", value: "ended" },
          },
        ],
      },
    ]);

    expect(messages).toEqual([
      { role: "system", content: "You are a test." },
      { role: "user", content: "Press 1 2 3 and end the call" },
      {
        role: "assistant",
        content: "Pressing now.",
        tool_calls: [
          {
            id: "call_1",
            type: "function",
            function: { name: "send_digits", arguments: '{"digits":"123"}' },
          },
          { id: "call_2", type: "function", function: { name: "end_call", arguments: '{"reason":"done"}' } },
        ],
      },
      { role: "tool", tool_call_id: "call_1", content: '{"sent":true}' },
      { role: "tool", tool_call_id: "call_2", content: "ended" },
    ]);
  });

  it("sends null content for an assistant message with only tool calls, and maps error and denied results", () => {
    const messages = toChatMessages([
      {
        role: "assistant",
        content: [{ type: "tool-call", toolCallId: "call_9", toolName: "lookup", input: {} }],
      },
      {
        role: "tool",
        content: [
          {
            type: "tool-result",
            toolCallId: "call_9",
            toolName: "lookup",
            output: { type: "error-text", value: "not found" },
          },
          {
            type: "tool-result",
            toolCallId: "call_10",
            toolName: "lookup",
            output: { type: "execution-denied" },
          },
        ],
      },
    ]);
    expect(messages).toEqual([
      {
        role: "assistant",
        content: null,
        tool_calls: [{ id: "call_9", type: "function", function: { name: "lookup", arguments: "{}" } }],
      },
      { role: "tool", tool_call_id: "call_9", content: "not found" },
      { role: "tool", tool_call_id: "call_10", content: "Tool call execution denied." },
    ]);
  });

  it("sends images as image_url parts (URL or base64 data URL)", () => {
    const messages = toChatMessages([
      {
        role: "user",
        content: [
          { type: "text", text: "What is this?" },
          { type: "file", mediaType: "image/png", data: new Uint8Array([1, 2, 3]) },
          { type: "file", mediaType: "image/jpeg", data: new URL("https://example.com/a.jpg") },
        ],
      },
    ]);
    expect(messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "What is this?" },
          { type: "image_url", image_url: { url: "data:image/png;base64,AQID" } },
          { type: "image_url", image_url: { url: "https://example.com/a.jpg" } },
        ],
      },
    ]);
  });

  it("throws UnsupportedFunctionalityError for files that are not images", () => {
    expect(() =>
      toChatMessages([
        { role: "user", content: [{ type: "file", mediaType: "application/pdf", data: "JVBERi0=" }] },
      ]),
    ).toThrow(UnsupportedFunctionalityError);
  });
});
