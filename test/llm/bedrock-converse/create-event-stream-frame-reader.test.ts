import { describe, expect, it } from "vitest";
import {
  createEventStreamFrameReader,
  type EventStreamFrame,
} from "../../../src/llm/bedrock-converse/create-event-stream-frame-reader.js";
import { encodeBedrockFrame } from "../../../src/testing/create-fake-bedrock-runtime-server.js";

const frames = [
  encodeBedrockFrame({ messageType: "event", type: "messageStart", payload: { role: "assistant" } }),
  encodeBedrockFrame({
    messageType: "event",
    type: "contentBlockDelta",
    payload: { contentBlockIndex: 0, delta: { text: "Grüße 👋" } },
  }),
  encodeBedrockFrame({
    messageType: "exception",
    type: "throttlingException",
    payload: { message: "slow down" },
  }),
];
const bytes = concat(frames);

function concat(parts: Uint8Array[]): Uint8Array {
  const joined = new Uint8Array(parts.reduce((total, part) => total + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.byteLength;
  }
  return joined;
}

function summary(decoded: EventStreamFrame[]) {
  return decoded.map((frame) => [
    frame.messageType,
    frame.eventType ?? frame.exceptionType,
    JSON.parse(frame.payload),
  ]);
}

const expected = [
  ["event", "messageStart", { role: "assistant" }],
  ["event", "contentBlockDelta", { contentBlockIndex: 0, delta: { text: "Grüße 👋" } }],
  ["exception", "throttlingException", { message: "slow down" }],
];

describe("createEventStreamFrameReader", () => {
  it("decodes frames written in one chunk", () => {
    const reader = createEventStreamFrameReader();
    expect(summary(reader.push(bytes))).toEqual(expected);
    expect(reader.bufferedByteCount()).toBe(0);
  });

  it("decodes the same frames whatever the chunk boundaries (every two-way split)", () => {
    for (let cut = 1; cut < bytes.byteLength; cut++) {
      const reader = createEventStreamFrameReader();
      const decoded = [...reader.push(bytes.subarray(0, cut)), ...reader.push(bytes.subarray(cut))];
      expect(summary(decoded), `cut at ${cut}`).toEqual(expected);
      expect(reader.bufferedByteCount()).toBe(0);
    }
  });

  it("decodes frames fed one byte at a time, emitting each once it is complete", () => {
    const reader = createEventStreamFrameReader();
    const decoded: EventStreamFrame[] = [];
    const completedAt: number[] = [];
    for (let index = 0; index < bytes.byteLength; index++) {
      const found = reader.push(bytes.subarray(index, index + 1));
      if (found.length > 0) completedAt.push(index + 1);
      decoded.push(...found);
    }
    expect(summary(decoded)).toEqual(expected);
    expect(completedAt).toEqual([
      frames[0]!.byteLength,
      frames[0]!.byteLength + frames[1]!.byteLength,
      bytes.byteLength,
    ]);
  });

  it("keeps an unfinished frame buffered", () => {
    const reader = createEventStreamFrameReader();
    expect(reader.push(bytes.subarray(0, frames[0]!.byteLength + 5))).toHaveLength(1);
    expect(reader.bufferedByteCount()).toBe(5);
  });

  it("rejects a frame whose checksum does not match", () => {
    const corrupted = frames[1]!.slice();
    corrupted[corrupted.byteLength - 6] = (corrupted[corrupted.byteLength - 6]! + 1) % 256;
    expect(() => createEventStreamFrameReader().push(corrupted)).toThrow(/checksum|crc/i);
  });
});
