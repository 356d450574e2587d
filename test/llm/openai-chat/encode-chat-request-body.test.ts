import type {
  LanguageModelV3CallOptions,
  LanguageModelV3FunctionTool,
  LanguageModelV3Prompt,
} from "@ai-sdk/provider";
import { describe, expect, it } from "vitest";
import { encodeChatRequestBody } from "../../../src/llm/openai-chat/encode-chat-request-body.js";
import { toChatRequest } from "../../../src/llm/openai-chat/to-chat-request.js";

function functionTool(name: string, description: string): LanguageModelV3FunctionTool {
  return {
    type: "function",
    name,
    description,
    inputSchema: { type: "object", properties: { reason: { type: "string" } }, required: ["reason"] },
  };
}

function callOptions(text: string, tools?: LanguageModelV3CallOptions["tools"]): LanguageModelV3CallOptions {
  return {
    prompt: [
      { role: "system", content: "Answer briefly… ☎" },
      { role: "user", content: [{ type: "text", text }] },
    ],
    maxOutputTokens: 400,
    ...(tools ? { tools, toolChoice: { type: "auto" } } : {}),
  };
}

describe("encodeChatRequestBody", () => {
  it("encodes the same JSON as JSON.stringify, tools last, non-ASCII text as UTF-8", () => {
    const tools = Object.freeze([functionTool("end_call", "Ends the call — politely")]);
    const { body } = toChatRequest("gpt-4o-mini", callOptions("Où est ma commande ? 📦", [...tools]), true);
    const bytes = Buffer.concat(encodeChatRequestBody(body));
    const { tools: written, ...rest } = body;
    expect(bytes.equals(Buffer.from(JSON.stringify({ ...rest, tools: written })))).toBe(true);
    expect(JSON.parse(bytes.toString("utf8"))).toEqual(body);
  });

  it("encodes a body without tools", () => {
    const { body } = toChatRequest("gpt-4o-mini", callOptions("Hello"), true);
    expect(body.tools).toBeUndefined();
    expect(Buffer.concat(encodeChatRequestBody(body)).toString("utf8")).toBe(JSON.stringify(body));
  });

  it("reuses a frozen tools array's encoding for each request, and never another array's", () => {
    const first = Object.freeze([functionTool("end_call", "Ends the call")]);
    const second = Object.freeze([functionTool("send_sms", "Sends a text message")]);
    const requests = [
      toChatRequest("m", callOptions("one", first as LanguageModelV3FunctionTool[]), true).body,
      toChatRequest("m", callOptions("two", first as LanguageModelV3FunctionTool[]), true).body,
      toChatRequest("m", callOptions("three", second as LanguageModelV3FunctionTool[]), true).body,
    ];
    expect(requests[1]?.tools).toBe(requests[0]?.tools);
    const decoded = requests.map((body) =>
      JSON.parse(Buffer.concat(encodeChatRequestBody(body)).toString("utf8")),
    );
    expect(decoded.map((body) => body.messages[1].content)).toEqual(["one", "two", "three"]);
    expect(decoded.map((body) => body.tools[0].function.name)).toEqual(["end_call", "end_call", "send_sms"]);
  });

  it("maps and encodes a tools array that can still change on every request", () => {
    const tools: LanguageModelV3FunctionTool[] = [functionTool("end_call", "Ends the call")];
    const first = toChatRequest("m", callOptions("one", tools), true).body;
    expect(JSON.parse(Buffer.concat(encodeChatRequestBody(first)).toString("utf8")).tools).toHaveLength(1);
    tools.push(functionTool("send_sms", "Sends a text message"));
    const second = toChatRequest("m", callOptions("two", tools), true).body;
    const decoded = JSON.parse(Buffer.concat(encodeChatRequestBody(second)).toString("utf8"));
    expect(decoded.tools.map((tool: { function: { name: string } }) => tool.function.name)).toEqual([
      "end_call",
      "send_sms",
    ]);
  });

  it("encodes a history sent again, and changed in place, as JSON.stringify would", () => {
    const tools = Object.freeze([functionTool("end_call", "Ends the call")]);
    const prompt: LanguageModelV3Prompt = [
      { role: "system", content: "Answer briefly… ☎" },
      { role: "user", content: [{ type: "text", text: 'Say "hi" \\ then\nstop 📦' }] },
      { role: "assistant", content: [{ type: "text", text: "hi" }] },
      {
        role: "assistant",
        content: [
          { type: "tool-call", toolCallId: "call_1", toolName: "end_call", input: { reason: "done" } },
        ],
      },
      {
        role: "tool",
        content: [
          {
            type: "tool-result",
            toolCallId: "call_1",
            toolName: "end_call",
            output: { type: "json", value: { ended: true } },
          },
        ],
      },
      { role: "user", content: [{ type: "text", text: "Thanks" }] },
    ];
    const encoded = (options: LanguageModelV3CallOptions) => {
      const { body } = toChatRequest("gpt-4o-mini", options, true);
      const { tools: written, ...rest } = body;
      return {
        bytes: Buffer.concat(encodeChatRequestBody(body)),
        expected: Buffer.from(JSON.stringify(written ? { ...rest, tools: written } : rest)),
      };
    };
    const withTools: LanguageModelV3CallOptions = {
      prompt,
      tools: [...tools],
      toolChoice: { type: "auto" },
      temperature: 0.2,
    };
    for (let request = 0; request < 2; request++) {
      const { bytes, expected } = encoded(withTools);
      expect(bytes.equals(expected)).toBe(true);
    }
    // The same message objects with new text: the request carries the new text, not the old JSON.
    (prompt[2]?.content[0] as { text: string }).text = "hello again";
    const changed = encoded({ prompt });
    expect(changed.bytes.equals(changed.expected)).toBe(true);
    expect(JSON.parse(changed.bytes.toString("utf8")).messages[2]).toEqual({
      role: "assistant",
      content: "hello again",
    });
  });

  it("encodes a body's own messages again when they change between two encodings", () => {
    const body = toChatRequest("m", callOptions("one"), true).body;
    const mutable = { role: "user" as const, content: "two" };
    body.messages = [mutable];
    const first = JSON.parse(Buffer.concat(encodeChatRequestBody(body)).toString("utf8"));
    mutable.content = "three";
    const second = JSON.parse(Buffer.concat(encodeChatRequestBody(body)).toString("utf8"));
    expect([first.messages[0].content, second.messages[0].content]).toEqual(["two", "three"]);
  });

  it("reports a provider-defined tool on every request, not only the first", () => {
    const tools: LanguageModelV3CallOptions["tools"] = Object.freeze([
      functionTool("end_call", "Ends the call"),
      { type: "provider" as const, id: "openai.web_search", name: "web_search", args: {} },
    ]) as NonNullable<LanguageModelV3CallOptions["tools"]>;
    for (let call = 0; call < 2; call++) {
      const { body, warnings } = toChatRequest("m", callOptions("hi", tools), true);
      expect(body.tools?.map((tool) => tool.function.name)).toEqual(["end_call"]);
      expect(warnings).toEqual([{ type: "unsupported", feature: "provider-defined tool openai.web_search" }]);
    }
  });
});
