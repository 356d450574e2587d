/**
 * Exponential backoff with jitter: attempt n waits between half and all of base·2^(n-1), capped,
 * and never less than the provider's Retry-After.
 */
export function retryDelayMs(
  attempt: number,
  options: { baseDelayMs: number; maxDelayMs: number; random: () => number },
  retryAfterMs?: number,
): number {
  const exponential = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.round(exponential / 2 + (options.random() * exponential) / 2);
  return Math.max(jittered, retryAfterMs ?? 0);
}
