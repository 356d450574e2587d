import type { Logger } from "./logger.js";

export type LogMethods = Pick<Logger, "trace" | "debug" | "info" | "warn" | "error" | "fatal">;

const levels = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;
type Level = (typeof levels)[number];
type ChildOptions = Parameters<Logger["child"]>[1];

/**
 * A child logger created on its first line. Creating a pino child runs redaction over its
 * bindings; on hot paths that rarely log (every HTTP request, every outbox entry, every reply)
 * that cost is paid only when something is actually written.
 */
export function lazyChildLogger(
  logger: Logger,
  bindings: Record<string, unknown>,
  options?: ChildOptions,
): LogMethods & Pick<Logger, "child" | "silent" | "level"> {
  return new LazyChildLogger(logger, bindings, options) as unknown as LogMethods &
    Pick<Logger, "child" | "silent" | "level">;
}

/**
 * One object per request, its methods on the prototype: made for every HTTP request, so a set of
 * closures per instance would be garbage on every webhook. Like pino's own, its methods are
 * called on it (`log.info(…)`), not detached.
 */
class LazyChildLogger {
  private made: Logger | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: Record<string, unknown>,
    private readonly options: ChildOptions | undefined,
  ) {}

  child(bindings: Record<string, unknown>, options?: ChildOptions): Logger {
    return this.get().child(bindings, options) as unknown as Logger;
  }

  get level(): string {
    return this.made?.level ?? this.parent.level;
  }

  set level(level: string) {
    this.get().level = level;
  }

  private get(): Logger {
    this.made ??= this.parent.child(this.bindings, this.options) as unknown as Logger;
    return this.made;
  }

  /** What each level's method does (added to the prototype below). */
  write(name: Level, values: unknown[]): void {
    // A line below the level is dropped without making the child at all.
    if (!this.made && name !== "silent" && !this.parent.isLevelEnabled(name)) return;
    const logger = this.get();
    (logger[name] as (...values: unknown[]) => void).apply(logger, values);
  }
}

// One method per level on the prototype: `log.info(…)` is `write("info", …)`.
for (const level of levels) {
  Object.defineProperty(LazyChildLogger.prototype, level, {
    value(this: LazyChildLogger, ...values: unknown[]): void {
      this.write(level, values);
    },
    writable: true,
    configurable: true,
  });
}
