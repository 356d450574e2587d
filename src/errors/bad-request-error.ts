import { SwitchboardError } from "./switchboard-error.js";

/** Malformed input from a client or webhook: a 4xx with a clear message, nothing stored. */
export class BadRequestError extends SwitchboardError {
  constructor(message: string, code = "BAD_REQUEST", statusCode = 400) {
    super(code, message, { statusCode });
  }
}
