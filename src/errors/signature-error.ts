import { SwitchboardError } from "./switchboard-error.js";

/** A webhook or WebSocket upgrade whose provider signature is missing or wrong (HTTP 403). */
export class SignatureError extends SwitchboardError {
  constructor(message = "Invalid or missing request signature") {
    super("SIGNATURE_INVALID", message, { statusCode: 403 });
  }
}
