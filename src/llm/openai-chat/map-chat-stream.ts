import type {
  LanguageModelV3FinishReason,
  LanguageModelV3StreamPart,
  LanguageModelV3Usage,
} from "@ai-sdk/provider";
import type { ChatCompletionChunk, ChatToolCallDelta, ChatUsage } from "./chat-wire-types.js";
import { toChatUsage } from "./to-chat-usage.js";
import { toFinishReason } from "./to-finish-reason.js";

export interface ChatStreamMapper {
  /** Maps one parsed `chat.completion.chunk` to zero or more parts. */
  push(chunk: ChatCompletionChunk): void;
  /** The stream ended: closes what is still open and emits `finish` (once). */
  end(): void;
}

export interface ChatStreamMapperOptions {
  /** Also emit each chunk as a `raw` part. */
  includeRawChunks?: boolean;
  /** Id for a tool call the server sent without one. */
  generateToolCallId?: () => string;
}

interface ToolCallState {
  id: string;
  name: string;
  arguments: string;
  started: boolean;
}

/** The id of the single text part (and reasoning part) of a reply. */
export const textPartId = "txt-0";
export const reasoningPartId = "reasoning-0";

/**
 * Turns Chat Completions chunks into V3 stream parts, calling `emit` for each:
 * `response-metadata` once; text (and `reasoning_content`) as start/delta/end with one id; tool
 * calls accumulated by `delta.tool_calls[].index` (parallel calls interleave freely) as
 * `tool-input-start`/`-delta`/`-end` and, when the reply's `finish_reason` arrives (or the stream
 * ends), one `tool-call` each with the arguments as JSON text; `finish` last with the usage of the
 * final `include_usage` chunk. An `{ error }` chunk becomes an `error` part.
 */
export function createChatStreamMapper(
  emit: (part: LanguageModelV3StreamPart) => void,
  options: ChatStreamMapperOptions = {},
): ChatStreamMapper {
  const generateToolCallId = options.generateToolCallId ?? (() => `call_${crypto.randomUUID()}`);
  let metadataSent = false;
  let textOpen = false;
  let reasoningOpen = false;
  let toolCalls: ToolCallState[] = [];
  let finishReason: LanguageModelV3FinishReason = { unified: "other", raw: undefined };
  let usage: ChatUsage | undefined;
  let ended = false;

  function closeOpenParts(): void {
    if (reasoningOpen) {
      reasoningOpen = false;
      emit({ type: "reasoning-end", id: reasoningPartId });
    }
    if (textOpen) {
      textOpen = false;
      emit({ type: "text-end", id: textPartId });
    }
    for (const call of toolCalls) {
      if (!call) continue; // an index the server skipped
      startToolCall(call);
      emit({ type: "tool-input-end", id: call.id });
      emit({
        type: "tool-call",
        toolCallId: call.id,
        toolName: call.name,
        input: call.arguments.length > 0 ? call.arguments : "{}",
      });
    }
    toolCalls = [];
  }

  function startToolCall(call: ToolCallState): void {
    if (call.started) return;
    call.started = true;
    emit({ type: "tool-input-start", id: call.id, toolName: call.name });
    if (call.arguments.length > 0) emit({ type: "tool-input-delta", id: call.id, delta: call.arguments });
  }

  /** The call a delta belongs to: by `index`; servers that omit it are matched by `id`, else the last call. */
  function toolCallFor(delta: ChatToolCallDelta): ToolCallState {
    let index = delta.index;
    if (index === undefined) {
      const byId = delta.id ? toolCalls.findIndex((call) => call.id === delta.id) : -1;
      index = byId >= 0 ? byId : delta.id || toolCalls.length === 0 ? toolCalls.length : toolCalls.length - 1;
    }
    let call = toolCalls[index];
    if (!call) {
      call = { id: delta.id || generateToolCallId(), name: "", arguments: "", started: false };
      toolCalls[index] = call;
    }
    return call;
  }

  function pushToolCalls(deltas: ChatToolCallDelta[]): void {
    for (const delta of deltas) {
      const call = toolCallFor(delta);
      const name = delta.function?.name;
      if (name && !call.started) call.name = name;
      const piece = delta.function?.arguments;
      if (call.started) {
        if (piece) {
          call.arguments += piece;
          emit({ type: "tool-input-delta", id: call.id, delta: piece });
        }
      } else {
        if (piece) call.arguments += piece;
        if (call.name) startToolCall(call);
      }
    }
  }

  return {
    push(chunk) {
      if (options.includeRawChunks) emit({ type: "raw", rawValue: chunk });
      if (chunk.error) {
        finishReason = { unified: "error", raw: undefined };
        emit({ type: "error", error: chunk.error });
        return;
      }
      if (!metadataSent && (chunk.id || chunk.model || chunk.created)) {
        metadataSent = true;
        emit({
          type: "response-metadata",
          id: chunk.id ?? undefined,
          modelId: chunk.model ?? undefined,
          timestamp: chunk.created ? new Date(chunk.created * 1000) : undefined,
        });
      }
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices?.[0];
      if (!choice) return;
      const delta = choice.delta;
      if (delta) {
        const reasoning = delta.reasoning_content ?? delta.reasoning;
        if (reasoning) {
          if (!reasoningOpen) {
            reasoningOpen = true;
            emit({ type: "reasoning-start", id: reasoningPartId });
          }
          emit({ type: "reasoning-delta", id: reasoningPartId, delta: reasoning });
        }
        if (delta.content) {
          if (reasoningOpen) {
            reasoningOpen = false;
            emit({ type: "reasoning-end", id: reasoningPartId });
          }
          if (!textOpen) {
            textOpen = true;
            emit({ type: "text-start", id: textPartId });
          }
          emit({ type: "text-delta", id: textPartId, delta: delta.content });
        }
        if (delta.tool_calls && delta.tool_calls.length > 0) pushToolCalls(delta.tool_calls);
      }
      if (choice.finish_reason) {
        finishReason = toFinishReason(choice.finish_reason);
        closeOpenParts();
      }
    },
    end() {
      if (ended) return;
      ended = true;
      closeOpenParts();
      const finalUsage: LanguageModelV3Usage = toChatUsage(usage);
      emit({ type: "finish", finishReason, usage: finalUsage });
    },
  };
}
