import type { LanguageModelV3Prompt } from "@ai-sdk/provider";
import { describe, expect, it } from "vitest";
import { toConverseMessages } from "../../../src/llm/bedrock-converse/to-converse-messages.js";
import { toConverseRequest } from "../../../src/llm/bedrock-converse/to-converse-request.js";
import { contractTools } from "../language-model-contract.js";

const conversationWithTools: LanguageModelV3Prompt = [
  { role: "system", content: "You are a phone agent." },
  { role: "user", content: [{ type: "text", text: "Press one two three" }] },
  {
    role: "assistant",
    content: [
      { type: "text", text: "Pressing now." },
      { type: "tool-call", toolCallId: "call-1", toolName: "send_digits", input: { digits: "123" } },
      { type: "tool-call", toolCallId: "call-2", toolName: "end_call", input: '{"reason":"done"}' },
    ],
  },
  {
    role: "tool",
    content: [
      {
        type: "tool-result",
        toolCallId: "call-1",
        toolName: "send_digits",
        output: { type: "json", value: { sent: true } },
      },
      {
        type: "tool-result",
        toolCallId: "call-2",
        toolName: "end_call",
        output: { type: "error-text", value: "line busy" },
      },
    ],
  },
  { role: "user", content: [{ type: "text", text: "Thanks" }] },
];

describe("toConverseMessages", () => {
  it("maps system, text, tool calls and tool results to the Converse shapes, merging same-role messages", () => {
    const { system, messages } = toConverseMessages(conversationWithTools);
    expect(system).toEqual([{ text: "You are a phone agent." }]);
    expect(messages).toEqual([
      { role: "user", content: [{ text: "Press one two three" }] },
      {
        role: "assistant",
        content: [
          { text: "Pressing now." },
          { toolUse: { toolUseId: "call-1", name: "send_digits", input: { digits: "123" } } },
          { toolUse: { toolUseId: "call-2", name: "end_call", input: { reason: "done" } } },
        ],
      },
      {
        role: "user",
        content: [
          { toolResult: { toolUseId: "call-1", content: [{ json: { sent: true } }] } },
          { toolResult: { toolUseId: "call-2", content: [{ text: "line busy" }], status: "error" } },
          { text: "Thanks" },
        ],
      },
    ]);
  });

  it("merges consecutive user messages and drops blank text blocks", () => {
    const { messages } = toConverseMessages([
      { role: "user", content: [{ type: "text", text: "one" }] },
      { role: "user", content: [{ type: "text", text: "   " }] },
      { role: "user", content: [{ type: "text", text: "two" }] },
      { role: "assistant", content: [{ type: "text", text: "" }] },
      { role: "assistant", content: [{ type: "text", text: "answer  \n" }] },
    ]);
    expect(messages).toEqual([
      { role: "user", content: [{ text: "one" }, { text: "two" }] },
      { role: "assistant", content: [{ text: "answer" }] },
    ]);
  });

  it("sends non-object JSON tool results as text and images as base64 blocks", () => {
    const { messages } = toConverseMessages([
      {
        role: "user",
        content: [{ type: "file", mediaType: "image/png", data: new Uint8Array([1, 2, 3]) }],
      },
      {
        role: "assistant",
        content: [{ type: "tool-call", toolCallId: "c", toolName: "count", input: {} }],
      },
      {
        role: "tool",
        content: [
          {
            type: "tool-result",
            toolCallId: "c",
            toolName: "count",
            output: { type: "json", value: [1, 2] },
          },
        ],
      },
    ]);
    expect(messages[0]?.content).toEqual([{ image: { format: "png", source: { bytes: "AQID" } } }]);
    expect(messages[2]?.content).toEqual([{ toolResult: { toolUseId: "c", content: [{ text: "[1,2]" }] } }]);
  });

  it("leaves tool calls and results out when asked to, keeping the roles alternating", () => {
    const { messages, droppedToolBlocks } = toConverseMessages(conversationWithTools, {
      withToolBlocks: false,
    });
    expect(droppedToolBlocks).toBe(true);
    expect(messages).toEqual([
      { role: "user", content: [{ text: "Press one two three" }] },
      { role: "assistant", content: [{ text: "Pressing now." }] },
      { role: "user", content: [{ text: "Thanks" }] },
    ]);
  });
});

describe("toConverseRequest", () => {
  it("puts settings in inferenceConfig and function tools in toolConfig", () => {
    const { body, warnings } = toConverseRequest({
      prompt: conversationWithTools,
      tools: contractTools,
      toolChoice: { type: "required" },
      maxOutputTokens: 300,
      temperature: 0.2,
      topP: 0.9,
      stopSequences: ["END"],
      topK: 5,
    });
    expect(body.inferenceConfig).toEqual({
      maxTokens: 300,
      temperature: 0.2,
      topP: 0.9,
      stopSequences: ["END"],
    });
    expect(body.toolConfig?.toolChoice).toEqual({ any: {} });
    expect(body.toolConfig?.tools[0]).toEqual({
      toolSpec: {
        name: "send_digits",
        description: "Press keys on the phone line",
        inputSchema: { json: contractTools[0]?.inputSchema },
      },
    });
    expect(body.system).toEqual([{ text: "You are a phone agent." }]);
    expect(warnings).toEqual([{ type: "unsupported", feature: "topK" }]);
  });

  it("sends no tools for toolChoice none, and then no tool blocks either", () => {
    const { body, warnings } = toConverseRequest({
      prompt: conversationWithTools,
      tools: contractTools,
      toolChoice: { type: "none" },
    });
    expect(body.toolConfig).toBeUndefined();
    expect(JSON.stringify(body.messages)).not.toContain("toolUse");
    expect(warnings.map((warning) => warning.type === "unsupported" && warning.feature)).toContain(
      "tool calls and results without tools",
    );
    expect(body.inferenceConfig).toBeUndefined();
  });

  it("maps toolChoice tool and auto", () => {
    const forTool = toConverseRequest({
      prompt: conversationWithTools,
      tools: contractTools,
      toolChoice: { type: "tool", toolName: "end_call" },
    });
    expect(forTool.body.toolConfig?.toolChoice).toEqual({ tool: { name: "end_call" } });
    const automatic = toConverseRequest({
      prompt: conversationWithTools,
      tools: contractTools,
      toolChoice: { type: "auto" },
    });
    expect(automatic.body.toolConfig?.toolChoice).toEqual({ auto: {} });
  });
});
