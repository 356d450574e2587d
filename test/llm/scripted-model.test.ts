import { describe, expect, it } from "vitest";
import { createScriptedModel } from "../../src/testing/create-scripted-model.js";
import { deltasOf, streamCall, toolCallsOf, userPrompt } from "./read-stream.js";

describe("createScriptedModel", () => {
  it("plays the script in order and records every call's options", async () => {
    const model = createScriptedModel([
      { text: ["One ", "two."] },
      { toolCalls: [{ toolName: "lookup", input: { id: 7 } }] },
    ]);
    const tools = [{ type: "function" as const, name: "lookup", inputSchema: { type: "object" } }];

    expect(deltasOf(await streamCall(model, { prompt: userPrompt("first") }))).toEqual(["One ", "two."]);
    const second = await streamCall(model, { prompt: userPrompt("second"), tools });

    expect(toolCallsOf(second)).toEqual([{ toolName: "lookup", input: { id: 7 } }]);
    expect(model.calls.map((call) => call.prompt)).toEqual([userPrompt("first"), userPrompt("second")]);
    expect(model.calls[1]?.tools).toBe(tools);
    await expect(model.doStream({ prompt: userPrompt("third") })).rejects.toThrow("no turn #3");
  });

  it("asks a script function with the options and the call index", async () => {
    const model = createScriptedModel((options, callIndex) => ({
      text: `call ${callIndex}: ${options.prompt.length} message(s)`,
    }));
    expect(deltasOf(await streamCall(model, { prompt: userPrompt("a", "b") }))).toEqual([
      "call 0: 2 message(s)",
    ]);
  });

  it("throws `error` from doStream and delivers `streamError` after N deltas", async () => {
    const thrown = new Error("thrown");
    const streamed = new Error("streamed");
    const model = createScriptedModel([
      { error: thrown },
      { text: ["a", "b", "c"], streamError: streamed, errorAfterDeltas: 2 },
    ]);
    await expect(model.doStream({ prompt: userPrompt("x") })).rejects.toBe(thrown);
    const parts = await streamCall(model, { prompt: userPrompt("x") });
    expect(parts.map((part) => part.type)).toEqual([
      "stream-start",
      "text-start",
      "text-delta",
      "text-delta",
      "error",
    ]);
    expect(parts.at(-1)).toEqual({ type: "error", error: streamed });
  });

  it("waits delayMs after each delta when asked", async () => {
    const model = createScriptedModel([{ text: ["a", "b", "c"], delayMs: 25 }]);
    const started = performance.now();
    expect(deltasOf(await streamCall(model, { prompt: userPrompt("x") }))).toEqual(["a", "b", "c"]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(60);
  });
});
