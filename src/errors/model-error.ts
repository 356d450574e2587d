import { SwitchboardError } from "./switchboard-error.js";

/**
 * A language model provider failed. `retryable` follows the provider's own classification
 * (rate limits, 5xx, network) so the retry wrapper can decide.
 */
export class ModelError extends SwitchboardError {
  readonly provider: string;

  constructor(
    provider: string,
    message: string,
    options: { cause?: unknown; retryable?: boolean; code?: string; statusCode?: number } = {},
  ) {
    super(options.code ?? "MODEL_ERROR", message, {
      cause: options.cause,
      retryable: options.retryable ?? false,
      statusCode: options.statusCode ?? 502,
      details: { provider },
    });
    this.provider = provider;
  }
}
