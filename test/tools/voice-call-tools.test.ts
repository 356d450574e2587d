import { describe, expect, it } from "vitest";
import { createVoiceCallTools } from "../../src/tools/voice-call-tools.js";

const names = (options: Parameters<typeof createVoiceCallTools>[0]) =>
  createVoiceCallTools(options).map((tool) => tool.name);

describe("voice call tools", () => {
  it("offer a transfer only when a number to transfer to is configured", () => {
    expect(names({ humanAgentNumber: undefined })).toEqual(["send_digits", "end_call"]);
    expect(names({ humanAgentNumber: "+15551230000" })).toEqual([
      "send_digits",
      "end_call",
      "transfer_to_human",
    ]);
  });

  it("offer a language switch only with more than one language", () => {
    expect(names({ humanAgentNumber: undefined, languages: ["en-US"] })).not.toContain("switch_language");
    expect(names({ humanAgentNumber: undefined, languages: ["en-US", "es-ES"] })).toContain(
      "switch_language",
    );
  });
});
