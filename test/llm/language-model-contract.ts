import type {
  LanguageModelV3,
  LanguageModelV3FunctionTool,
  LanguageModelV3Prompt,
  LanguageModelV3StreamPart,
} from "@ai-sdk/provider";
import { afterEach, describe, expect, it } from "vitest";
import { hasDirectStream } from "../../src/core/agent/stream-model-parts.js";
import type { DirectStreamModel } from "../../src/ports/direct-stream-model.js";
import { readAll, userPrompt } from "./read-stream.js";

/** What every implementation is asked to answer. */
export type ContractScenario = "text" | "slow-text" | "tool-call";

export interface ContractSubject {
  model: LanguageModelV3;
  close?: () => Promise<void>;
}

export interface LanguageModelContractOptions {
  /** A model that answers `scenario` (`slow-text`: the same text, with time between deltas if it can). */
  makeModel(scenario: ContractScenario): Promise<ContractSubject> | ContractSubject;
  /** The full text the model streams for `textPrompt`. */
  expectedText: string;
  /**
   * The model also implements `doStreamTo` (DirectStreamModel): every case runs a second time
   * through it, presented as `doStream` by `throughDoStreamTo`.
   */
  directStream?: boolean;
}

/** The text scenario's prompt. */
export const textPrompt: LanguageModelV3Prompt = [
  { role: "system", content: "You are a test.\n\nChannel: web" },
  ...userPrompt("Hello there"),
];
/** The tool scenario: the model must call `send_digits` with `{ digits: "123" }`. */
export const toolPrompt: LanguageModelV3Prompt = userPrompt("Please press 1 2 3");
export const contractTools: LanguageModelV3FunctionTool[] = [
  {
    type: "function",
    name: "send_digits",
    description: "Press keys on the phone line",
    inputSchema: { type: "object", properties: { digits: { type: "string" } }, required: ["digits"] },
  },
  {
    type: "function",
    name: "end_call",
    description: "End the call",
    inputSchema: { type: "object", properties: { reason: { type: "string" } } },
  },
];
export const expectedToolCall = { toolName: "send_digits", input: { digits: "123" } };

/**
 * One suite for every `LanguageModelV3` the app may be given: it streams text deltas in order
 * between `text-start` and `text-end`, ends with `finish`, emits tool calls in the V3 shape and
 * honours `abortSignal`.
 */
export function languageModelContract(name: string, options: LanguageModelContractOptions): void {
  contractCases(`LanguageModelV3 contract: ${name}`, options, undefined);
  if (options.directStream)
    contractCases(`LanguageModelV3 contract through doStreamTo: ${name}`, options, "direct");
}

/**
 * A `DirectStreamModel` whose `doStream` is built on its `doStreamTo`: it resolves at the first
 * part delivered (or rejects if `doStreamTo` fails first), and its stream errors if `doStreamTo`
 * rejects later. The stream contract then checks `doStreamTo`.
 */
export function throughDoStreamTo(model: DirectStreamModel): LanguageModelV3 {
  return {
    specificationVersion: "v3",
    provider: model.provider,
    modelId: model.modelId,
    supportedUrls: model.supportedUrls,
    doGenerate: (callOptions) => model.doGenerate(callOptions),
    doStream: (callOptions) =>
      new Promise((resolve, reject) => {
        let controller!: ReadableStreamDefaultController<LanguageModelV3StreamPart>;
        const stream = new ReadableStream<LanguageModelV3StreamPart>({
          start(streamController) {
            controller = streamController;
          },
        });
        let opened = false;
        const open = () => {
          if (opened) return;
          opened = true;
          resolve({ stream });
        };
        model
          .doStreamTo(callOptions, (part) => {
            open();
            controller.enqueue(part);
          })
          .then(
            () => {
              open();
              controller.close();
            },
            (error: unknown) => {
              if (opened) controller.error(error);
              else reject(error);
            },
          );
      }),
  };
}

function contractCases(
  title: string,
  options: LanguageModelContractOptions,
  via: "direct" | undefined,
): void {
  describe(title, () => {
    const subjects: ContractSubject[] = [];
    const makeDirect = async (scenario: ContractScenario) => {
      const subject = await options.makeModel(scenario);
      subjects.push(subject);
      expect(hasDirectStream(subject.model)).toBe(true);
      return subject.model as DirectStreamModel;
    };
    const make = async (scenario: ContractScenario) => {
      if (via === "direct") return throughDoStreamTo(await makeDirect(scenario));
      const subject = await options.makeModel(scenario);
      subjects.push(subject);
      return subject.model;
    };
    afterEach(async () => {
      for (const subject of subjects.splice(0)) await subject.close?.();
    });

    it("implements the v3 specification", async () => {
      const model = await make("text");
      expect(model.specificationVersion).toBe("v3");
      expect(model.provider).toMatch(/\S/);
      expect(model.modelId).toMatch(/\S/);
    });

    it("streams text deltas in order between text-start and text-end, then finish", async () => {
      const model = await make("text");
      const { stream } = await model.doStream({ prompt: textPrompt });
      const parts = await readAll(stream);
      const types = parts.map((part) => part.type);
      const deltas = parts.flatMap((part) => (part.type === "text-delta" ? [part.delta] : []));

      expect(types[0]).toBe("stream-start");
      expect(deltas.length).toBeGreaterThan(1);
      expect(deltas.join("")).toBe(options.expectedText);
      expect(types.indexOf("text-start")).toBeGreaterThan(-1);
      expect(types.indexOf("text-start")).toBeLessThan(types.indexOf("text-delta"));
      expect(types.lastIndexOf("text-end")).toBeGreaterThan(types.lastIndexOf("text-delta"));
      expect(types).not.toContain("error");
      expect(types).not.toContain("tool-call");
      const finish = parts.at(-1);
      expect(finish?.type).toBe("finish");
      if (finish?.type !== "finish") return;
      expect(finish.finishReason.unified).toBe("stop");
      expect(finish.usage.inputTokens).toHaveProperty("total");
      expect(finish.usage.outputTokens.total).toBeGreaterThan(0);
    });

    it("emits a tool call as a tool-call part with JSON input and finishes with tool-calls", async () => {
      const model = await make("tool-call");
      const { stream } = await model.doStream({ prompt: toolPrompt, tools: contractTools });
      const parts = await readAll(stream);
      const calls = parts.filter(
        (part): part is Extract<LanguageModelV3StreamPart, { type: "tool-call" }> =>
          part.type === "tool-call",
      );

      expect(calls).toHaveLength(1);
      const call = calls[0]!;
      expect(call.toolName).toBe(expectedToolCall.toolName);
      expect(typeof call.input).toBe("string");
      expect(JSON.parse(call.input)).toEqual(expectedToolCall.input);
      expect(call.toolCallId).toMatch(/\S/);
      expect(call.providerExecuted ?? false).toBe(false);
      // Streamed tool input, when present, belongs to the same call and adds up to the same JSON.
      const inputDeltas = parts.flatMap((part) =>
        part.type === "tool-input-delta" && part.id === call.toolCallId ? [part.delta] : [],
      );
      if (parts.some((part) => part.type === "tool-input-start")) {
        expect(parts).toContainEqual(
          expect.objectContaining({ type: "tool-input-start", id: call.toolCallId }),
        );
        expect(JSON.parse(inputDeltas.join(""))).toEqual(expectedToolCall.input);
      }
      expect(parts.filter((part) => part.type === "text-delta")).toHaveLength(0);
      const finish = parts.at(-1);
      expect(finish?.type === "finish" && finish.finishReason.unified).toBe("tool-calls");
    });

    it("answers doGenerate with the same text", async () => {
      const model = await make("text");
      const result = await model.doGenerate({ prompt: textPrompt });
      const text = result.content.flatMap((part) => (part.type === "text" ? [part.text] : [])).join("");
      expect(text).toBe(options.expectedText);
      expect(result.finishReason.unified).toBe("stop");
    });

    it("does not answer when the signal is already aborted", async () => {
      const model = await make("text");
      const controller = new AbortController();
      controller.abort();
      const parts: LanguageModelV3StreamPart[] = [];
      const attempt = (async () => {
        const { stream } = await model.doStream({ prompt: textPrompt, abortSignal: controller.signal });
        const reader = stream.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          parts.push(value);
        }
      })();
      await expect(attempt).rejects.toThrow();
      expect(parts.filter((part) => part.type === "text-delta" || part.type === "finish")).toEqual([]);
    });

    if (via === undefined) {
      it("stops streaming when aborted mid-stream", async () => {
        const model = await make("slow-text");
        const controller = new AbortController();
        const { stream } = await model.doStream({ prompt: textPrompt, abortSignal: controller.signal });
        const reader = stream.getReader();
        const seen: LanguageModelV3StreamPart[] = [];
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          seen.push(value);
          if (value.type === "text-delta") break;
        }
        expect(seen.filter((part) => part.type === "text-delta")).toHaveLength(1);
        controller.abort();

        const after: LanguageModelV3StreamPart[] = [];
        let failure: unknown;
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            after.push(value);
          }
        } catch (error) {
          failure = error;
        }
        expect(failure).toBeDefined();
        expect(after.filter((part) => part.type === "finish")).toEqual([]);
      });
    }
    // A zero-latency model delivers a whole reply in one call, before anyone outside could abort:
    // the direct way's mid-stream abort comes from the listener itself.
    if (via === "direct") {
      it("stops delivering when the listener aborts mid-stream", async () => {
        const model = await makeDirect("slow-text");
        const controller = new AbortController();
        const seen: LanguageModelV3StreamPart[] = [];
        const call = model.doStreamTo({ prompt: textPrompt, abortSignal: controller.signal }, (part) => {
          seen.push(part);
          if (part.type === "text-delta") controller.abort();
        });
        await expect(call).rejects.toBeDefined();
        expect(seen.filter((part) => part.type === "text-delta")).toHaveLength(1);
        expect(seen.at(-1)?.type).toBe("text-delta");
      });
    }
  });
}
