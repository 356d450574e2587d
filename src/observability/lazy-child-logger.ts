import type { Logger } from "./logger.js";

export type LogMethods = Pick<Logger, "trace" | "debug" | "info" | "warn" | "error" | "fatal">;

/**
 * A child logger created on its first line. Creating a pino child runs redaction over its
 * bindings; on hot paths that rarely log (every HTTP request, every outbox entry, every reply)
 * that cost is paid only when something is actually written.
 */
export function lazyChildLogger(
  logger: Logger,
  bindings: Record<string, unknown>,
  options?: Parameters<Logger["child"]>[1],
): LogMethods & Pick<Logger, "child" | "silent" | "level"> {
  let child: Logger | undefined;
  const get = (): Logger => {
    child ??= logger.child(bindings, options) as unknown as Logger;
    return child;
  };
  const method =
    <Name extends keyof LogMethods | "silent">(name: Name) =>
    (...values: unknown[]) => {
      // A line below the level is dropped without making the child at all.
      if (!child && name !== "silent" && !logger.isLevelEnabled(name)) return;
      (get()[name] as (...values: unknown[]) => void)(...values);
    };
  return {
    trace: method("trace") as Logger["trace"],
    debug: method("debug") as Logger["debug"],
    info: method("info") as Logger["info"],
    warn: method("warn") as Logger["warn"],
    error: method("error") as Logger["error"],
    fatal: method("fatal") as Logger["fatal"],
    silent: method("silent") as Logger["silent"],
    child: ((childBindings, childOptions) => get().child(childBindings, childOptions)) as Logger["child"],
    get level() {
      return child?.level ?? logger.level;
    },
    set level(level: string) {
      get().level = level;
    },
  };
}
