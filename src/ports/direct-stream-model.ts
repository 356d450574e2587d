import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3StreamPart,
} from "@ai-sdk/provider";

/** Receives a model call's stream parts, in order, as they are produced. */
export type PartListener = (part: LanguageModelV3StreamPart) => void;

/**
 * A `LanguageModelV3` that can also hand its stream parts straight to a listener. The spec's
 * `doStream` returns a `ReadableStream`, which costs a queue entry and promises per part in each
 * stream a part passes through; a turn runner that only forwards deltas needs neither. Switchboard's
 * own models (offline, scripted, the lean Chat Completions and Bedrock clients) and the resilience
 * wrapper implement it; any other model is read through `doStream` (core/agent/stream-model-parts.ts).
 */
export interface DirectStreamModel extends LanguageModelV3 {
  /**
   * The same call as `doStream`, read to its end: `onPart` gets every part the stream would
   * yield, synchronously as it is produced, and the promise resolves after the last one. It
   * rejects where `doStream` would throw and where its stream would error (after the parts
   * delivered so far). Once `abortSignal` has fired, no further part is delivered and it rejects
   * with the signal's reason.
   */
  doStreamTo(options: LanguageModelV3CallOptions, onPart: PartListener): Promise<void>;
}
