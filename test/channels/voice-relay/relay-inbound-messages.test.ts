import { describe, expect, it } from "vitest";
import { parseRelayFrame } from "../../../src/channels/voice-relay/relay-inbound-messages.js";

describe("parseRelayFrame", () => {
  it("gives a prompt's known fields and drops the rest", () => {
    expect(
      parseRelayFrame(
        JSON.stringify({ type: "prompt", voicePrompt: "Hi", lang: "en-US", last: true, extra: { a: 1 } }),
      ),
    ).toEqual({ ok: true, message: { type: "prompt", voicePrompt: "Hi", lang: "en-US", last: true } });
    expect(parseRelayFrame('{"type":"prompt","voicePrompt":""}')).toEqual({
      ok: true,
      message: { type: "prompt", voicePrompt: "" },
    });
  });

  it.each([
    ['{"type":"prompt"}', "invalid prompt frame: voicePrompt"],
    ['{"type":"prompt","voicePrompt":7}', "invalid prompt frame: voicePrompt"],
    ['{"type":"prompt","voicePrompt":"Hi","last":"yes"}', "invalid prompt frame: last"],
    ['{"type":"prompt","voicePrompt":"Hi","lang":3}', "invalid prompt frame: lang"],
    ['{"type":"prompt","voicePrompt":"Hi","lang":null}', "invalid prompt frame: lang"],
  ])("rejects the malformed prompt %s with the field named", (frame, reason) => {
    const parsed = parseRelayFrame(frame);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.reason.startsWith(reason)).toBe(true);
      expect(parsed.frameType).toBe("prompt");
    }
  });

  it("parses the other frame types through their schemas", () => {
    expect(parseRelayFrame('{"type":"interrupt","utteranceUntilInterrupt":"Hel"}')).toMatchObject({
      ok: true,
      message: { type: "interrupt", utteranceUntilInterrupt: "Hel" },
    });
    expect(parseRelayFrame('{"type":"dtmf","digit":"x"}')).toMatchObject({ ok: false, frameType: "dtmf" });
    expect(parseRelayFrame("not json")).toEqual({
      ok: false,
      reason: "frame is not JSON",
      frameType: undefined,
    });
  });
});
