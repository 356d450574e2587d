import { performance } from "node:perf_hooks";
import { describe, expect, it } from "vitest";
import { WebhookPressure } from "../../../src/channels/messaging/webhook-pressure.js";

/** Keeps the event loop busy (no I/O wait) for `ms`. */
function blockLoop(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {}
}

const idle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("WebhookPressure", () => {
  it("reports pressure when messages arrive during a window in which the loop was saturated", () => {
    const pressure = new WebhookPressure();
    pressure.noteArrival();
    blockLoop(150);
    expect(pressure.underPressure).toBe(true);
  });

  it("reports none when the loop was saturated but no message arrived (a backlog draining)", () => {
    const pressure = new WebhookPressure();
    blockLoop(150);
    expect(pressure.underPressure).toBe(false);
  });

  it("reports none when messages arrive while the loop has time to spare", async () => {
    const pressure = new WebhookPressure();
    pressure.noteArrival();
    await idle(150);
    expect(pressure.underPressure).toBe(false);
  });
});
