/**
 * The one error base class of Switchboard. Every error that crosses a module boundary is a
 * SwitchboardError (or a subclass) with a stable `code`, an optional `cause` and a `retryable` flag.
 * HTTP maps errors to status codes in one place (`src/channels/http/error-handler.ts`).
 */
export interface SwitchboardErrorOptions {
  cause?: unknown;
  retryable?: boolean;
  /** HTTP status to use when this error reaches a client. */
  statusCode?: number;
  /** Extra structured detail that is safe to log (no secrets, no customer content). */
  details?: Record<string, unknown>;
}

export class SwitchboardError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly statusCode: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: string, message: string, options: SwitchboardErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.statusCode = options.statusCode ?? 500;
    this.details = options.details;
  }

  static is(value: unknown): value is SwitchboardError {
    return value instanceof SwitchboardError;
  }
}

/** Wraps anything thrown into a SwitchboardError, keeping the original as `cause`. */
export function toSwitchboardError(value: unknown, fallbackCode = "INTERNAL_ERROR"): SwitchboardError {
  if (value instanceof SwitchboardError) return value;
  const message = value instanceof Error ? value.message : String(value);
  return new SwitchboardError(fallbackCode, message, { cause: value });
}
