import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError } from "../errors/config-error.js";
import { type ChannelName, channelNames } from "../ports/channel.js";

/** The bundled prompts (`prompts/system.md` and one style file per channel). */
export const bundledPromptsDirectory = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../prompts",
);

/** Reads the system prompt file (SYSTEM_PROMPT_FILE or the bundled `prompts/system.md`). */
export function loadSystemPrompt(options: { file: string | undefined; agentName: string }): string {
  const file = options.file ? path.resolve(options.file) : path.join(bundledPromptsDirectory, "system.md");
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    throw new ConfigError(
      `Invalid environment variable SYSTEM_PROMPT_FILE: cannot read ${file}`,
      "SYSTEM_PROMPT_FILE",
      error,
    );
  }
  return text.replaceAll("{{agentName}}", options.agentName).trim();
}

/**
 * Per-channel style instructions from `<directory>/<channel>.md` (PROMPTS_DIR, default the bundled
 * `prompts/`); a channel without a file keeps the instructions its channel module ships.
 */
export function loadChannelInstructions(
  directory: string | undefined,
  defaults: Partial<Record<ChannelName, string>>,
): Partial<Record<ChannelName, string>> {
  const folder = directory ? path.resolve(directory) : bundledPromptsDirectory;
  const instructions: Partial<Record<ChannelName, string>> = { ...defaults };
  for (const channel of channelNames) {
    const file = path.join(folder, `${channel}.md`);
    if (existsSync(file)) instructions[channel] = readFileSync(file, "utf8").trim();
  }
  return instructions;
}
