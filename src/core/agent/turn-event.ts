import type { SwitchboardError } from "../../errors/switchboard-error.js";
import type { ChannelName } from "../../ports/channel.js";

/** Something a tool asks the channel to do (only voice acts on these today). */
export type ChannelAction =
  | { kind: "send-digits"; digits: string }
  | { kind: "end-session"; handoffData?: string }
  | { kind: "play"; source: string; loop?: number }
  | { kind: "switch-language"; language: string };

export type TurnFinishReason =
  | "stop"
  | "length"
  | "content-filter"
  | "tool-calls"
  | "error"
  | "other"
  | "aborted";

/**
 * The one closed union of what a turn produces. Channels render it; observers (metrics, dashboard)
 * subscribe to it. Nothing in the hot path waits for observers.
 */
export type TurnEvent =
  | { type: "turn-start"; turnId: string; conversationId: string; channel: ChannelName }
  | { type: "text-delta"; turnId: string; delta: string }
  | { type: "tool-call"; turnId: string; toolCallId: string; toolName: string; input: unknown }
  | {
      type: "tool-result";
      turnId: string;
      toolCallId: string;
      toolName: string;
      output: unknown;
      isError: boolean;
    }
  | { type: "channel-action"; turnId: string; action: ChannelAction }
  | {
      type: "turn-end";
      turnId: string;
      /** Everything the model generated in its final text step (before any abort). */
      text: string;
      finishReason: TurnFinishReason;
      aborted: boolean;
      usage: { inputTokens: number | undefined; outputTokens: number | undefined };
      /** Milliseconds from the start of the turn to its first text delta (undefined without text). */
      firstTextMs: number | undefined;
      /** Milliseconds from the start of the turn to this event. */
      durationMs: number;
    }
  | { type: "error"; turnId: string; error: SwitchboardError };

export type TurnEventListener = (event: TurnEvent) => void;
