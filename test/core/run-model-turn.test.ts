import { describe, expect, it } from "vitest";
import { z } from "zod";
import { runModelTurn } from "../../src/core/agent/run-model-turn.js";
import type { TurnEvent } from "../../src/core/agent/turn-event.js";
import { defineTool } from "../../src/core/tools/agent-tool.js";
import { createToolSet } from "../../src/core/tools/tool-set.js";
import { createScriptedModel } from "../../src/testing/create-scripted-model.js";

const lookupOrder = defineTool({
  name: "lookup_order",
  description: "Find an order by its number",
  inputSchema: z.object({ orderNumber: z.string().regex(/^\d+$/) }),
  execute: (input) => ({ orderNumber: input.orderNumber, status: "shipped" }),
});
const failing = defineTool({
  name: "always_fails",
  description: "Fails",
  inputSchema: z.object({}),
  execute: () => {
    throw new Error("the backend is down");
  },
});
const voiceOnly = defineTool({
  name: "voice_only",
  description: "Only on calls",
  inputSchema: z.object({}),
  channels: ["voice"],
  execute: () => "ok",
});
const toolSet = createToolSet([lookupOrder, failing, voiceOnly]);

function run(model: ReturnType<typeof createScriptedModel>, abortSignal = new AbortController().signal) {
  const events: TurnEvent[] = [];
  const promise = runModelTurn({
    model,
    turnId: "turn_1",
    prompt: [
      { role: "system", content: "Be brief." },
      { role: "user", content: [{ type: "text", text: "Where is order 42?" }] },
    ],
    tools: toolSet.declarationsFor("sms"),
    toolSet,
    toolContext: { conversationId: "conv_1", customerId: null, channel: "sms" },
    maxSteps: 4,
    maxOutputTokens: 200,
    temperature: undefined,
    abortSignal,
    emit: (event) => events.push(event),
  });
  return { events, promise };
}

describe("runModelTurn", () => {
  it("streams text deltas as events in order", async () => {
    const model = createScriptedModel([{ text: ["Your ", "order ", "shipped."] }]);
    const { events, promise } = run(model);
    const result = await promise;
    expect(
      events
        .filter((event) => event.type === "text-delta")
        .map((event) => event.type === "text-delta" && event.delta),
    ).toEqual(["Your ", "order ", "shipped."]);
    expect(result.steps).toHaveLength(1);
    expect(result.steps[0]?.text).toBe("Your order shipped.");
    expect(result.finishReason).toBe("stop");
    expect(result.aborted).toBe(false);
  });

  it("runs tools in its own loop and feeds results back to the model", async () => {
    const model = createScriptedModel([
      { text: ["Let me check. "], toolCalls: [{ toolName: "lookup_order", input: { orderNumber: "42" } }] },
      { text: ["It has shipped."] },
    ]);
    const { events, promise } = run(model);
    const result = await promise;
    expect(result.steps.map((step) => step.text)).toEqual(["Let me check. ", "It has shipped."]);
    expect(result.steps[0]?.toolResults).toEqual([
      expect.objectContaining({
        toolName: "lookup_order",
        output: { orderNumber: "42", status: "shipped" },
        isError: false,
      }),
    ]);
    expect(events.map((event) => event.type)).toEqual([
      "text-delta",
      "tool-call",
      "tool-result",
      "text-delta",
    ]);
    const secondPrompt = model.calls[1]?.prompt ?? [];
    expect(secondPrompt.map((message) => message.role)).toEqual(["system", "user", "assistant", "tool"]);
    const toolMessage = secondPrompt[3];
    expect(toolMessage?.role === "tool" && toolMessage.content[0]).toMatchObject({
      type: "tool-result",
      toolName: "lookup_order",
      output: { type: "json", value: { orderNumber: "42", status: "shipped" } },
    });
  });

  it("offers only the tools of the channel, as JSON schema computed once", async () => {
    const model = createScriptedModel([{ text: ["ok"] }, { text: ["ok"] }]);
    await run(model).promise;
    await run(model).promise;
    const names = (model.calls[0]?.tools ?? []).map((tool) => tool.name);
    expect(names).toEqual(["lookup_order", "always_fails"]);
    expect(toolSet.declarationsFor("voice").map((tool) => tool.name)).toContain("voice_only");
    expect(model.calls[0]?.tools).toBe(model.calls[1]?.tools);
    const declaration = model.calls[0]?.tools?.[0];
    expect(declaration && "inputSchema" in declaration && declaration.inputSchema).toMatchObject({
      type: "object",
      properties: { orderNumber: { type: "string", pattern: "^\\d+$" } },
      required: ["orderNumber"],
    });
  });

  it("turns invalid input, unknown tools and thrown errors into error results", async () => {
    const model = createScriptedModel([
      {
        toolCalls: [
          { toolName: "lookup_order", input: { orderNumber: "abc" } },
          { toolName: "no_such_tool", input: {} },
          { toolName: "always_fails", input: {} },
          { toolName: "voice_only", input: {} },
        ],
      },
      { text: ["Sorry."] },
    ]);
    const result = await run(model).promise;
    const results = result.steps[0]?.toolResults ?? [];
    expect(results.map((toolResult) => toolResult.isError)).toEqual([true, true, true, true]);
    expect(String(results[0]?.output)).toContain("orderNumber");
    expect(String(results[1]?.output)).toContain("Unknown tool");
    expect(results[2]?.output).toBe("the backend is down");
    expect(String(results[3]?.output)).toContain("Unknown tool");
    const toolMessage = model.calls[1]?.prompt.at(-1);
    expect(toolMessage?.role === "tool" && toolMessage.content[2]).toMatchObject({
      output: { type: "error-text", value: "the backend is down" },
    });
  });

  it("stops at once when aborted mid-stream and reports what was produced", async () => {
    const model = createScriptedModel([
      { text: Array.from({ length: 50 }, (_, index) => `d${index} `), delayMs: 5 },
    ]);
    const controller = new AbortController();
    const { events, promise } = run(model, controller.signal);
    while (events.filter((event) => event.type === "text-delta").length < 3) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    controller.abort();
    const result = await promise;
    expect(result.aborted).toBe(true);
    expect(result.finishReason).toBe("aborted");
    const streamed = events
      .filter((event) => event.type === "text-delta")
      .map((event) => (event.type === "text-delta" ? event.delta : ""));
    expect(result.steps[0]?.text).toBe(streamed.join(""));
    expect(streamed.length).toBeLessThan(50);
  });

  it("reports a model error as an error event and result", async () => {
    const model = createScriptedModel([{ error: new Error("boom") }]);
    const { events, promise } = run(model);
    const result = await promise;
    expect(result.finishReason).toBe("error");
    expect(result.error?.message).toBe("boom");
    expect(events.map((event) => event.type)).toEqual(["error"]);
  });

  it("stops looping at maxSteps", async () => {
    const call = { toolCalls: [{ toolName: "lookup_order", input: { orderNumber: "1" } }] };
    const model = createScriptedModel([call, call, call, call, call, call]);
    const result = await run(model).promise;
    expect(model.calls).toHaveLength(4);
    expect(result.steps).toHaveLength(4);
  });
});
