import { PassThrough } from "node:stream";
import { describe, expect, it, vi } from "vitest";
import { lazyChildLogger } from "../../src/observability/lazy-child-logger.js";
import { createLogger } from "../../src/observability/logger.js";

/** A log destination and the JSON lines written to it. */
function collectLines(): { lines: Array<Record<string, unknown>>; destination: PassThrough } {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new PassThrough();
  destination.on("data", (chunk: Buffer) => {
    for (const line of chunk.toString().split("\n").filter(Boolean)) lines.push(JSON.parse(line));
  });
  return { lines, destination };
}

describe("lazyChildLogger", () => {
  it("drops lines below the level without making the child", () => {
    const logger = createLogger({ level: "warn", logCustomerContent: false, destination: new PassThrough() });
    const child = vi.spyOn(logger, "child");
    const log = lazyChildLogger(logger, { outboxId: "out_2" });
    log.info("not written");
    log.debug("not written either");
    expect(child).not.toHaveBeenCalled();
    log.error("written");
    expect(child).toHaveBeenCalledTimes(1);
  });

  it("creates the child on the first line only, and that line carries the bindings", () => {
    const { lines, destination } = collectLines();
    const logger = createLogger({ level: "info", logCustomerContent: false, destination });
    const child = vi.spyOn(logger, "child");
    const log = lazyChildLogger(logger, { outboxId: "out_1", kind: "sms" });
    expect(child).not.toHaveBeenCalled();
    log.warn("first");
    log.info({ attempt: 2 }, "second");
    expect(child).toHaveBeenCalledTimes(1);
    log.debug("below the level");
    destination.end();
    expect(lines.map((line) => [line.msg, line.outboxId, line.kind])).toEqual([
      ["first", "out_1", "sms"],
      ["second", "out_1", "sms"],
    ]);
    expect(lines[1]?.attempt).toBe(2);
  });

  it("reads the parent's level until made, and makes grandchildren that carry both bindings", () => {
    const { lines, destination } = collectLines();
    const logger = createLogger({ level: "info", logCustomerContent: false, destination });
    const log = lazyChildLogger(logger, { outboxId: "out_3" });
    expect(log.level).toBe("info");
    log.level = "error";
    expect(log.level).toBe("error");
    expect(logger.level).toBe("info");
    log.warn("below the child's own level");
    log.child({ attempt: 3 }).error("from the grandchild");
    destination.end();
    expect(lines.map((line) => [line.msg, line.outboxId, line.attempt])).toEqual([
      ["from the grandchild", "out_3", 3],
    ]);
  });
});
