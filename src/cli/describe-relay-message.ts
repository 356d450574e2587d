import type { RelayServerMessage } from "../testing/relay-protocol-types.js";

/** One bracketed line for a frame from the agent that is not a spoken token. */
export function describeRelayMessage(message: RelayServerMessage): string {
  switch (message.type) {
    case "play": {
      const loop = message.loop !== undefined && message.loop !== 1 ? ` (loop ${message.loop})` : "";
      return `[agent played audio ${message.source}${loop}]`;
    }
    case "sendDigits":
      return `[agent sent digits ${message.digits}]`;
    case "language":
      return `[agent switched language: speech ${message.ttsLanguage ?? "unchanged"}, transcription ${message.transcriptionLanguage ?? "unchanged"}]`;
    case "end":
      return message.handoffData === undefined
        ? "[call ended by agent]"
        : `[call ended by agent: handoff ${message.handoffData}]`;
    case "__invalid":
      return `[agent sent a frame that is not a JSON message: ${message.raw}]`;
    case "text":
      return `[agent said ${JSON.stringify(message.token)}]`;
    default:
      return `[agent sent ${JSON.stringify(message)}]`;
  }
}
