import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadChannelInstructions, loadSystemPrompt } from "../../src/app/load-system-prompt.js";
import { ConfigError } from "../../src/errors/config-error.js";

describe("prompt files", () => {
  it("loads the bundled system prompt and every channel style from prompts/", () => {
    expect(loadSystemPrompt({ file: undefined, agentName: "Acme" })).toContain("You are Acme");
    const styles = loadChannelInstructions(undefined, {});
    expect(styles.voice).toContain("phone call");
    expect(styles.sms).toContain("SMS");
    expect(styles.email).toContain("email");
    expect(styles.web).toContain("web chat");
  });

  it("uses a user's folder and keeps built-in styles for channels without a file", () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), "switchboard-prompts-"));
    writeFileSync(path.join(directory, "sms.md"), "Answer like a pirate.\n");
    const styles = loadChannelInstructions(directory, { voice: "built-in voice style" });
    expect(styles).toEqual({ voice: "built-in voice style", sms: "Answer like a pirate." });
    writeFileSync(path.join(directory, "system.md"), "I am {{agentName}}.");
    expect(loadSystemPrompt({ file: path.join(directory, "system.md"), agentName: "Bob" })).toBe("I am Bob.");
    expect(() => loadSystemPrompt({ file: path.join(directory, "missing.md"), agentName: "x" })).toThrowError(
      ConfigError,
    );
  });
});
