import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";

/** One decoded `application/vnd.amazon.eventstream` message. */
export interface EventStreamFrame {
  /** `:message-type`: `event`, `exception` or `error`. */
  messageType: string | undefined;
  /** `:event-type` of an event, e.g. `contentBlockDelta`. */
  eventType: string | undefined;
  /** `:exception-type` of an exception, e.g. `throttlingException`. */
  exceptionType: string | undefined;
  /** `:error-code` / `:error-message` of an `error` message. */
  errorCode: string | undefined;
  errorMessage: string | undefined;
  /** The payload as text (JSON for Bedrock). */
  payload: string;
}

export interface EventStreamFrameReader {
  /** Decodes every frame completed by `chunk`; bytes of an unfinished frame are kept for the next call. */
  push(chunk: Uint8Array): EventStreamFrame[];
  /** Bytes of an unfinished frame still buffered (non-zero at end of body: the stream was cut). */
  bufferedByteCount(): number;
}

const textDecoder = new TextDecoder();

/**
 * Splits a byte stream into AWS event-stream frames (a 4-byte big-endian total length prefix,
 * whatever the read boundaries are) and decodes each with `EventStreamCodec`, which checks the
 * prelude and message CRCs. Whole frames in a chunk are decoded in place; only a frame's
 * unfinished tail is copied.
 */
export function createEventStreamFrameReader(): EventStreamFrameReader {
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  let pending: Uint8Array = new Uint8Array(0);

  return {
    push(chunk) {
      let bytes = chunk;
      if (pending.byteLength > 0) {
        const joined = new Uint8Array(pending.byteLength + chunk.byteLength);
        joined.set(pending);
        joined.set(chunk, pending.byteLength);
        bytes = joined;
      }
      const frames: EventStreamFrame[] = [];
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      let offset = 0;
      while (bytes.byteLength - offset >= 4) {
        const frameLength = view.getUint32(offset, false);
        if (frameLength < 16) throw new Error(`Invalid event-stream frame length ${frameLength}`);
        if (bytes.byteLength - offset < frameLength) break;
        const message = codec.decode(bytes.subarray(offset, offset + frameLength));
        offset += frameLength;
        const headers = message.headers;
        frames.push({
          messageType: stringHeader(headers[":message-type"]),
          eventType: stringHeader(headers[":event-type"]),
          exceptionType: stringHeader(headers[":exception-type"]),
          errorCode: stringHeader(headers[":error-code"]),
          errorMessage: stringHeader(headers[":error-message"]),
          payload: textDecoder.decode(message.body),
        });
      }
      pending = offset === bytes.byteLength ? new Uint8Array(0) : bytes.slice(offset);
      return frames;
    },
    bufferedByteCount: () => pending.byteLength,
  };
}

function stringHeader(header: { type: string; value: unknown } | undefined): string | undefined {
  return header?.type === "string" ? (header.value as string) : undefined;
}
