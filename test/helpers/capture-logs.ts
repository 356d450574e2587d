import { PassThrough } from "node:stream";
import { createLogger, type Logger } from "../../src/observability/logger.js";

/** A logger whose JSON lines are collected into `lines` as they are written (tests read them). */
export function captureLogs(level: string): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new PassThrough();
  let buffered = "";
  destination.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    let newline = buffered.indexOf("\n");
    while (newline >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      newline = buffered.indexOf("\n");
    }
  });
  return { logger: createLogger({ level, logCustomerContent: false, destination }), lines };
}
