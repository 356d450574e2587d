import type {
  LanguageModelV3,
  LanguageModelV3FunctionTool,
  LanguageModelV3Message,
  LanguageModelV3StreamPart,
  LanguageModelV3ToolResultOutput,
} from "@ai-sdk/provider";
import { type SwitchboardError, toSwitchboardError } from "../../errors/switchboard-error.js";
import type { MessageToolCall, MessageToolResult } from "../../ports/conversation-store.js";
import type { ToolContext } from "../tools/agent-tool.js";
import type { ToolSet } from "../tools/tool-set.js";
import { executeToolCall } from "./execute-tool-call.js";
import { streamModelParts } from "./stream-model-parts.js";
import type { TurnEventListener, TurnFinishReason } from "./turn-event.js";

/** One model call of a turn: the text it produced and the tools it ran. */
export interface TurnStep {
  text: string;
  toolCalls: MessageToolCall[];
  toolResults: MessageToolResult[];
}

export interface ModelTurnRequest {
  model: LanguageModelV3;
  turnId: string;
  /** System message, history and the new user message, in order. Not mutated. */
  prompt: readonly LanguageModelV3Message[];
  tools: readonly LanguageModelV3FunctionTool[];
  toolSet: ToolSet;
  toolContext: Omit<ToolContext, "abortSignal" | "turnId" | "toolCallId" | "requestChannelAction">;
  maxSteps: number;
  maxOutputTokens: number;
  temperature: number | undefined;
  abortSignal: AbortSignal;
  emit: TurnEventListener;
  /**
   * Called when tools are about to run; settles once the user message is stored. Tools run after
   * it, so what they write into the conversation (a text sent, a note) comes after the message
   * that asked for it.
   */
  beforeTools?: () => Promise<unknown>;
}

export interface ModelTurnResult {
  steps: TurnStep[];
  finishReason: TurnFinishReason;
  aborted: boolean;
  inputTokens: number | undefined;
  outputTokens: number | undefined;
  error: SwitchboardError | undefined;
  /** `performance.now()` when the first text delta arrived. */
  firstTextAt: number | undefined;
}

/**
 * The turn runner's model loop: calls the model directly (no `streamText`: it costs more CPU per
 * turn than our whole budget; `doStreamTo` when the model has it, so no `ReadableStream` either),
 * forwards each text delta the moment it arrives, runs tool calls
 * and loops until the model stops or `maxSteps` is reached. Abortable at any point.
 */
export async function runModelTurn(request: ModelTurnRequest): Promise<ModelTurnResult> {
  const { turnId, emit, abortSignal } = request;
  const steps: TurnStep[] = [];
  const result: ModelTurnResult = {
    steps,
    finishReason: "other",
    aborted: false,
    inputTokens: undefined,
    outputTokens: undefined,
    error: undefined,
    firstTextAt: undefined,
  };
  let prompt = request.prompt as LanguageModelV3Message[];
  // The turn's own fields first, the channel's after (it has none of them). With the spread
  // first, V8 gives each such object a map of its own, and the two stores after it missed their
  // inline caches on every turn (`node --log-ic`).
  const toolContext: Omit<ToolContext, "toolCallId"> = {
    turnId,
    abortSignal,
    requestChannelAction: (action) => emit({ type: "channel-action", turnId, action }),
    ...request.toolContext,
  };

  for (let stepIndex = 0; stepIndex < request.maxSteps; stepIndex++) {
    const step: TurnStep = { text: "", toolCalls: [], toolResults: [] };
    steps.push(step);
    let finishReason: TurnFinishReason = "other";
    // The first `error` part ends the step; parts after it (and after an abort) are ignored.
    let streamError: { error: unknown } | undefined;
    const onPart = (part: LanguageModelV3StreamPart) => {
      if (streamError || abortSignal.aborted) return;
      switch (part.type) {
        case "text-delta":
          if (part.delta.length > 0) {
            if (result.firstTextAt === undefined) result.firstTextAt = performance.now();
            step.text += part.delta;
            emit({ type: "text-delta", turnId, delta: part.delta });
          }
          break;
        case "tool-call":
          if (!part.providerExecuted) {
            step.toolCalls.push({
              toolCallId: part.toolCallId,
              toolName: part.toolName,
              input: parseToolInput(part.input),
            });
          }
          break;
        case "finish":
          finishReason = part.finishReason.unified;
          result.inputTokens = addTokens(result.inputTokens, part.usage.inputTokens.total);
          result.outputTokens = addTokens(result.outputTokens, part.usage.outputTokens.total);
          break;
        case "error":
          streamError = { error: part.error };
          break;
        default:
          break;
      }
    };
    try {
      if (abortSignal.aborted) throw abortSignal.reason ?? new Error("aborted");
      await streamModelParts(
        request.model,
        {
          prompt,
          tools: request.tools.length > 0 ? (request.tools as LanguageModelV3FunctionTool[]) : undefined,
          maxOutputTokens: request.maxOutputTokens,
          temperature: request.temperature,
          abortSignal,
        },
        onPart,
      );
      if (streamError) throw streamError.error;
    } catch (error) {
      if (abortSignal.aborted) {
        result.aborted = true;
      } else {
        result.error = toSwitchboardError(error, "MODEL_ERROR");
        result.finishReason = "error";
        emit({ type: "error", turnId, error: result.error });
        return result;
      }
    }
    if (abortSignal.aborted) {
      result.aborted = true;
      result.finishReason = "aborted";
      return result;
    }
    result.finishReason = finishReason;
    if (step.toolCalls.length === 0) return result;

    for (const call of step.toolCalls) {
      emit({
        type: "tool-call",
        turnId,
        toolCallId: call.toolCallId,
        toolName: call.toolName,
        input: call.input,
      });
    }
    // Its failure is the turn's (awaited there); the tools run either way.
    await request.beforeTools?.().catch(() => undefined);
    const toolResults = await Promise.all(
      step.toolCalls.map((call) => executeToolCall(request.toolSet, call, toolContext)),
    );
    step.toolResults = toolResults;
    for (const toolResult of toolResults) {
      emit({
        type: "tool-result",
        turnId,
        toolCallId: toolResult.toolCallId,
        toolName: toolResult.toolName,
        output: toolResult.output,
        isError: toolResult.isError,
      });
    }
    if (abortSignal.aborted) {
      result.aborted = true;
      result.finishReason = "aborted";
      return result;
    }
    prompt = [...prompt, ...stepToPromptMessages(step)];
  }
  return result;
}

/** Converts a finished step into the assistant and tool messages the next model call sees. */
export function stepToPromptMessages(step: TurnStep): LanguageModelV3Message[] {
  const messages: LanguageModelV3Message[] = [];
  const assistant = assistantPromptMessage(step.text, step.toolCalls);
  if (assistant) messages.push(assistant);
  const tool = toolResultsPromptMessage(step.toolResults);
  if (tool) messages.push(tool);
  return messages;
}

export function assistantPromptMessage(
  text: string,
  toolCalls: readonly MessageToolCall[],
): LanguageModelV3Message | undefined {
  const content: Extract<LanguageModelV3Message, { role: "assistant" }>["content"] = [];
  if (text.length > 0) content.push({ type: "text", text });
  for (const call of toolCalls) {
    content.push({
      type: "tool-call",
      toolCallId: call.toolCallId,
      toolName: call.toolName,
      input: call.input,
    });
  }
  return content.length > 0 ? { role: "assistant", content } : undefined;
}

export function toolResultsPromptMessage(
  toolResults: readonly MessageToolResult[],
): LanguageModelV3Message | undefined {
  if (toolResults.length === 0) return undefined;
  return {
    role: "tool",
    content: toolResults.map((toolResult) => ({
      type: "tool-result" as const,
      toolCallId: toolResult.toolCallId,
      toolName: toolResult.toolName,
      output: toToolResultOutput(toolResult),
    })),
  };
}

export function toToolResultOutput(toolResult: MessageToolResult): LanguageModelV3ToolResultOutput {
  const value = toJsonValue(toolResult.output);
  if (toolResult.isError) {
    return typeof value === "string" ? { type: "error-text", value } : { type: "error-json", value };
  }
  return typeof value === "string" ? { type: "text", value } : { type: "json", value };
}

function toJsonValue(
  value: unknown,
): NonNullable<Extract<LanguageModelV3ToolResultOutput, { type: "json" }>["value"]> {
  if (value === undefined || value === null) return "ok";
  if (typeof value === "string") return value;
  return JSON.parse(JSON.stringify(value));
}

function parseToolInput(input: string): unknown {
  if (input.trim() === "") return {};
  try {
    return JSON.parse(input);
  } catch {
    return { __unparsedInput: input };
  }
}

function addTokens(total: number | undefined, value: number | undefined): number | undefined {
  if (value === undefined) return total;
  return (total ?? 0) + value;
}
