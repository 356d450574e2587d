import { SwitchboardError } from "./switchboard-error.js";

export class NotFoundError extends SwitchboardError {
  constructor(what: string) {
    super("NOT_FOUND", `${what} not found`, { statusCode: 404 });
  }
}
