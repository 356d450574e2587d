import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigError } from "../errors/config-error.js";

const bundledPromptFile = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../prompts/system.md",
);

/** Reads the system prompt file (SYSTEM_PROMPT_FILE or the bundled `prompts/system.md`). */
export function loadSystemPrompt(options: { file: string | undefined; agentName: string }): string {
  const file = options.file ? path.resolve(options.file) : bundledPromptFile;
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
