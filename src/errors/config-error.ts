import { SwitchboardError } from "./switchboard-error.js";

/** An invalid configuration value; stops start-up with a message naming the variable. */
export class ConfigError extends SwitchboardError {
  readonly variable: string | undefined;

  constructor(message: string, variable?: string, cause?: unknown) {
    super("CONFIG_INVALID", message, { cause, statusCode: 500 });
    this.variable = variable;
  }
}
