import { SwitchboardError } from "./switchboard-error.js";

/** A tool refused or failed; the message is shown to the model as the tool's error result. */
export class ToolError extends SwitchboardError {
  constructor(message: string, code = "TOOL_FAILED", cause?: unknown) {
    super(code, message, { cause });
  }
}
