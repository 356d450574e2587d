import type { Logger } from "./logger.js";

export type LogMethods = Pick<Logger, "debug" | "info" | "warn" | "error">;

/**
 * A child logger created on its first line. Creating a pino child runs redaction over its
 * bindings; on hot paths that rarely log (one per outbox entry, one per reply) that cost is paid
 * only when something is actually written.
 */
export function lazyChildLogger(logger: Logger, bindings: Record<string, unknown>): LogMethods {
  let child: Logger | undefined;
  const get = () => {
    child ??= logger.child(bindings);
    return child;
  };
  return {
    debug: ((...values: Parameters<Logger["debug"]>) => get().debug(...values)) as Logger["debug"],
    info: ((...values: Parameters<Logger["info"]>) => get().info(...values)) as Logger["info"],
    warn: ((...values: Parameters<Logger["warn"]>) => get().warn(...values)) as Logger["warn"],
    error: ((...values: Parameters<Logger["error"]>) => get().error(...values)) as Logger["error"],
  };
}
