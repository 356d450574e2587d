import { describe, expect, it } from "vitest";
import { parseWebChatFrame, toHistoryLines } from "../../../src/channels/web-chat/web-chat-frames.js";
import type { StoredMessage } from "../../../src/ports/conversation-store.js";

describe("parseWebChatFrame", () => {
  it("trims a message's text and keeps the client's id", () => {
    expect(
      parseWebChatFrame(JSON.stringify({ type: "message", text: "  hi \n", id: "c1", extra: 1 })),
    ).toEqual({
      ok: true,
      frame: { type: "message", text: "hi", id: "c1" },
    });
  });

  it("refuses ids over 64 characters and texts over 4,000", () => {
    const longId = parseWebChatFrame(JSON.stringify({ type: "message", text: "hi", id: "x".repeat(65) }));
    expect(longId).toMatchObject({ ok: false, reason: expect.stringMatching(/^invalid message frame: id /) });
    expect(parseWebChatFrame(JSON.stringify({ type: "message", text: "y".repeat(4000) })).ok).toBe(true);
    expect(parseWebChatFrame(JSON.stringify({ type: "message", text: "y".repeat(4001) })).ok).toBe(false);
  });

  it("cuts an unknown type short in the reason (it reaches the log)", () => {
    const parsed = parseWebChatFrame(JSON.stringify({ type: "z".repeat(500) }));
    expect(parsed).toEqual({ ok: false, reason: `unknown frame type "${"z".repeat(32)}"` });
  });
});

describe("toHistoryLines", () => {
  it("keeps user and assistant text of every channel, and drops tool messages and empty text", () => {
    const base = {
      conversationId: "c",
      inputKind: null,
      interrupted: false,
      toolCalls: [],
      toolResults: [],
      metadata: {},
    };
    const messages: StoredMessage[] = [
      { ...base, id: "1", sequence: 1, role: "user", channel: "voice", text: "Hello", createdAt: 1_000 },
      { ...base, id: "2", sequence: 2, role: "assistant", channel: "voice", text: "", createdAt: 2_000 },
      { ...base, id: "3", sequence: 3, role: "tool", channel: "voice", text: "result", createdAt: 3_000 },
      { ...base, id: "4", sequence: 4, role: "assistant", channel: "sms", text: "Texted.", createdAt: 4_000 },
    ];
    expect(toHistoryLines(messages)).toEqual([
      { role: "user", channel: "voice", text: "Hello", at: "1970-01-01T00:00:01.000Z" },
      { role: "assistant", channel: "sms", text: "Texted.", at: "1970-01-01T00:00:04.000Z" },
    ]);
  });
});
