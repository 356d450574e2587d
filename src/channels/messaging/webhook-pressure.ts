import { performance } from "node:perf_hooks";

const windowMs = 100;
const saturated = 0.9;

/**
 * Whether inbound messages are arriving while the event loop is saturated, judged over the last
 * 100 ms window: background replies then start at a slower pace so webhooks are acknowledged first.
 * Without inbound messages (a backlog draining) or with spare time on the loop, there is no pressure.
 */
export class WebhookPressure {
  private windowStart = performance.now();
  private arrivals = 0;
  private utilization = performance.eventLoopUtilization();
  private pressed = false;

  /** An inbound message was accepted. */
  noteArrival(): void {
    this.arrivals++;
  }

  get underPressure(): boolean {
    const now = performance.now();
    if (now - this.windowStart >= windowMs) {
      const current = performance.eventLoopUtilization();
      const window = performance.eventLoopUtilization(current, this.utilization);
      this.pressed = this.arrivals > 0 && window.utilization >= saturated;
      this.utilization = current;
      this.arrivals = 0;
      this.windowStart = now;
    }
    return this.pressed;
  }
}
