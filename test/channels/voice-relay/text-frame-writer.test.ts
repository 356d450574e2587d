import { describe, expect, it } from "vitest";
import { TextFrameWriter } from "../../../src/channels/voice-relay/text-frame-writer.js";

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

function writer() {
  const frames: Array<{ token: string; last: boolean }> = [];
  const text = new TextFrameWriter((frame) => frames.push(JSON.parse(frame)));
  return { frames, text };
}

describe("TextFrameWriter", () => {
  it("sends the first token at once and the rest of the same event-loop turn as one frame after it", async () => {
    const { frames, text } = writer();
    text.write("One ");
    expect(frames).toEqual([{ type: "text", token: "One ", last: false }]);
    text.write("two ");
    text.write("three.");
    expect(frames).toHaveLength(1);
    await nextTurn();
    expect(frames.map((frame) => frame.token)).toEqual(["One ", "two three."]);
  });

  it("sends tokens that arrive in different turns each at once", async () => {
    const { frames, text } = writer();
    for (const token of ["a", "b", "c"]) {
      text.write(token);
      expect(frames.at(-1)?.token).toBe(token);
      await nextTurn();
    }
    expect(frames).toHaveLength(3);
  });

  it("ends with the pending text and last:true in one frame, or an empty last frame", async () => {
    const { frames, text } = writer();
    text.write("Hi ");
    text.write("there.");
    text.end();
    expect(frames).toEqual([
      { type: "text", token: "Hi ", last: false },
      { type: "text", token: "there.", last: true },
    ]);
    await nextTurn();
    expect(frames).toHaveLength(2);
    const other = writer();
    other.text.end();
    expect(other.frames).toEqual([{ type: "text", token: "", last: true }]);
  });

  it("flushes pending text before a frame of another type", () => {
    const { frames, text } = writer();
    text.write("Pressing ");
    text.write("one.");
    text.flush();
    expect(frames.map((frame) => frame.token)).toEqual(["Pressing ", "one."]);
  });

  it("sends nothing more once the reply is aborted", async () => {
    const { frames, text } = writer();
    text.write("Let me ");
    text.write("explain ");
    expect(text.aborted).toBe(false);
    text.abort();
    expect(text.aborted).toBe(true);
    text.write("everything.");
    await nextTurn();
    expect(frames.map((frame) => frame.token)).toEqual(["Let me "]);
  });
});
