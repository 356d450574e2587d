import { APICallError, type LanguageModelV3, type LanguageModelV3StreamPart } from "@ai-sdk/provider";
import { ModelError } from "../errors/model-error.js";
import { SwitchboardError } from "../errors/switchboard-error.js";

/**
 * Wraps a model, keeping the LanguageModelV3 interface: provider errors become `ModelError`s with
 * the provider's retryable flag; a retryable failure before any content is retried once; if the
 * primary still fails before content, the fallback model (if any) answers. One pass-through reader,
 * no per-part work beyond a type check.
 */
export function withResilience(
  primary: LanguageModelV3,
  options: { fallback?: LanguageModelV3 } = {},
): LanguageModelV3 {
  const attempts: Array<{ model: LanguageModelV3; retries: number }> = [{ model: primary, retries: 1 }];
  if (options.fallback) attempts.push({ model: options.fallback, retries: 1 });

  return {
    specificationVersion: "v3",
    provider: primary.provider,
    modelId: primary.modelId,
    supportedUrls: primary.supportedUrls,
    async doGenerate(callOptions) {
      let lastError: unknown;
      for (const attempt of attempts) {
        for (let index = 0; index <= attempt.retries; index++) {
          try {
            return await attempt.model.doGenerate(callOptions);
          } catch (error) {
            lastError = toModelError(attempt.model, error);
            if (callOptions.abortSignal?.aborted) throw lastError;
            if (!(lastError as ModelError).retryable) break;
          }
        }
      }
      throw lastError;
    },
    async doStream(callOptions) {
      let lastError: ModelError | undefined;
      for (const attempt of attempts) {
        for (let index = 0; index <= attempt.retries; index++) {
          if (callOptions.abortSignal?.aborted) throw callOptions.abortSignal.reason ?? new Error("aborted");
          try {
            const result = await attempt.model.doStream(callOptions);
            const reader = result.stream.getReader();
            // Read up to the first content part: errors before it can still be retried.
            const head: LanguageModelV3StreamPart[] = [];
            for (;;) {
              const { done, value } = await reader.read();
              if (done) break;
              if (value.type === "error") throw value.error;
              head.push(value);
              if (value.type !== "stream-start" && value.type !== "response-metadata") break;
            }
            return { ...result, stream: continueStream(attempt.model, head, reader) };
          } catch (error) {
            lastError = toModelError(attempt.model, error);
            if (callOptions.abortSignal?.aborted) throw error;
            if (!lastError.retryable) break;
          }
        }
      }
      throw lastError;
    },
  };
}

/** Replays the parts read ahead, then passes the rest through, mapping late errors. */
function continueStream(
  model: LanguageModelV3,
  head: LanguageModelV3StreamPart[],
  reader: ReadableStreamDefaultReader<LanguageModelV3StreamPart>,
): ReadableStream<LanguageModelV3StreamPart> {
  let index = 0;
  return new ReadableStream<LanguageModelV3StreamPart>({
    async pull(controller) {
      if (index < head.length) {
        controller.enqueue(head[index++] as LanguageModelV3StreamPart);
        return;
      }
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else if (value.type === "error")
          controller.enqueue({ type: "error", error: toModelError(model, value.error) });
        else controller.enqueue(value);
      } catch (error) {
        controller.error(toModelError(model, error));
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

const networkPattern = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|fetch failed|socket hang up|network/i;

export function toModelError(model: LanguageModelV3, error: unknown): ModelError {
  if (error instanceof ModelError) return error;
  const provider = `${model.provider}:${model.modelId}`;
  if (APICallError.isInstance(error)) {
    return new ModelError(
      provider,
      `${provider} failed${error.statusCode ? ` (HTTP ${error.statusCode})` : ""}: ${error.message}`,
      {
        cause: error,
        retryable: error.isRetryable,
      },
    );
  }
  if (error instanceof SwitchboardError) {
    return new ModelError(provider, error.message, { cause: error, retryable: error.retryable });
  }
  const message = error instanceof Error ? error.message : String(error);
  const causeMessage = error instanceof Error && error.cause instanceof Error ? error.cause.message : "";
  return new ModelError(provider, `${provider} failed: ${message}`, {
    cause: error,
    retryable: networkPattern.test(`${message} ${causeMessage}`),
  });
}
