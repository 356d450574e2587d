import type { LanguageModelV3FinishReason, LanguageModelV3StreamPart } from "@ai-sdk/provider";
import type { ConverseStreamEventPayloads, ConverseUsage } from "./converse-api-types.js";
import type { EventStreamFrame } from "./create-event-stream-frame-reader.js";
import { mapConverseStopReason } from "./map-converse-stop-reason.js";
import { toBedrockApiCallError } from "./to-bedrock-api-call-error.js";
import { toLanguageModelUsage } from "./to-language-model-usage.js";

type Enqueue = (part: LanguageModelV3StreamPart) => void;

type OpenBlock =
  | { kind: "text"; id: string }
  | { kind: "reasoning"; id: string }
  | { kind: "tool"; toolCallId: string; toolName: string; input: string };

export interface ConverseStreamMapper {
  /** Turns one decoded frame into V3 parts (none, one or a few). */
  handleFrame(frame: EventStreamFrame, enqueue: Enqueue): void;
  /** Ends blocks left open and emits `finish` with the stop reason and usage seen. */
  finish(enqueue: Enqueue): void;
}

/**
 * The ConverseStream events as V3 stream parts: text blocks as `text-start`/`-delta`/`-end`
 * (Bedrock often sends no `contentBlockStart` for text, so the first delta opens the block),
 * reasoning likewise, `toolUse` blocks as `tool-input-start`/`-delta`/`-end` followed by one
 * `tool-call` whose `input` is the JSON text, `messageStop` and `metadata` into `finish`.
 * An exception frame becomes an `error` part holding an `APICallError`, and the finish reason
 * becomes `error`.
 */
export function createConverseStreamMapper(request: {
  url: string;
  requestBody: unknown;
}): ConverseStreamMapper {
  const openBlocks = new Map<number, OpenBlock>();
  let finishReason: LanguageModelV3FinishReason = { unified: "other", raw: undefined };
  let usage: ConverseUsage | undefined;

  function closeBlock(block: OpenBlock, enqueue: Enqueue): void {
    if (block.kind === "text") enqueue({ type: "text-end", id: block.id });
    else if (block.kind === "reasoning") enqueue({ type: "reasoning-end", id: block.id });
    else {
      enqueue({ type: "tool-input-end", id: block.toolCallId });
      enqueue({
        type: "tool-call",
        toolCallId: block.toolCallId,
        toolName: block.toolName,
        input: block.input === "" ? "{}" : block.input,
      });
    }
  }

  function handleEvent(eventType: string, payloadText: string, enqueue: Enqueue): void {
    switch (eventType) {
      case "contentBlockDelta": {
        const payload = JSON.parse(payloadText) as ConverseStreamEventPayloads["contentBlockDelta"];
        const index = payload.contentBlockIndex ?? 0;
        const delta = payload.delta;
        if (delta?.text !== undefined) {
          let block = openBlocks.get(index);
          if (!block) {
            block = { kind: "text", id: String(index) };
            openBlocks.set(index, block);
            enqueue({ type: "text-start", id: block.id });
          }
          if (block.kind === "text" && delta.text.length > 0) {
            enqueue({ type: "text-delta", id: block.id, delta: delta.text });
          }
        } else if (delta?.toolUse) {
          const block = openBlocks.get(index);
          const piece = delta.toolUse.input ?? "";
          if (block?.kind === "tool" && piece.length > 0) {
            block.input += piece;
            enqueue({ type: "tool-input-delta", id: block.toolCallId, delta: piece });
          }
        } else if (delta?.reasoningContent?.text) {
          let block = openBlocks.get(index);
          if (!block) {
            block = { kind: "reasoning", id: String(index) };
            openBlocks.set(index, block);
            enqueue({ type: "reasoning-start", id: block.id });
          }
          if (block.kind === "reasoning") {
            enqueue({ type: "reasoning-delta", id: block.id, delta: delta.reasoningContent.text });
          }
        }
        return;
      }
      case "contentBlockStart": {
        const payload = JSON.parse(payloadText) as ConverseStreamEventPayloads["contentBlockStart"];
        const toolUse = payload.start?.toolUse;
        const index = payload.contentBlockIndex ?? 0;
        if (!toolUse?.toolUseId || !toolUse.name || openBlocks.has(index)) return;
        openBlocks.set(index, {
          kind: "tool",
          toolCallId: toolUse.toolUseId,
          toolName: toolUse.name,
          input: "",
        });
        enqueue({ type: "tool-input-start", id: toolUse.toolUseId, toolName: toolUse.name });
        return;
      }
      case "contentBlockStop": {
        const payload = JSON.parse(payloadText) as ConverseStreamEventPayloads["contentBlockStop"];
        const index = payload.contentBlockIndex ?? 0;
        const block = openBlocks.get(index);
        if (!block) return;
        openBlocks.delete(index);
        closeBlock(block, enqueue);
        return;
      }
      case "messageStop": {
        const payload = JSON.parse(payloadText) as ConverseStreamEventPayloads["messageStop"];
        finishReason = mapConverseStopReason(payload.stopReason);
        return;
      }
      case "metadata": {
        const payload = JSON.parse(payloadText) as ConverseStreamEventPayloads["metadata"];
        usage = payload.usage;
        return;
      }
      default:
        // messageStart and event types this client does not use.
        return;
    }
  }

  return {
    handleFrame(frame, enqueue) {
      if (frame.messageType === "event" && frame.eventType) {
        handleEvent(frame.eventType, frame.payload, enqueue);
        return;
      }
      let message: string | undefined = frame.errorMessage;
      try {
        const parsed = JSON.parse(frame.payload) as { message?: unknown; Message?: unknown };
        const text = parsed.message ?? parsed.Message;
        if (typeof text === "string") message = text;
      } catch {
        if (frame.payload) message = frame.payload;
      }
      finishReason = { unified: "error", raw: frame.exceptionType ?? frame.errorCode };
      enqueue({
        type: "error",
        error: toBedrockApiCallError({
          url: request.url,
          requestBody: request.requestBody,
          errorType: frame.exceptionType ?? frame.errorCode,
          message,
          responseBody: frame.payload,
        }),
      });
    },
    finish(enqueue) {
      for (const block of openBlocks.values()) closeBlock(block, enqueue);
      openBlocks.clear();
      enqueue({ type: "finish", finishReason, usage: toLanguageModelUsage(usage) });
    },
  };
}
