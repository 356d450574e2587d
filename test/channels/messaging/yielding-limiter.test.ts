import { describe, expect, it, vi } from "vitest";
import { YieldingLimiter } from "../../../src/channels/messaging/yielding-limiter.js";

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe("YieldingLimiter", () => {
  it("admits one task per event-loop turn, in order", async () => {
    const limiter = new YieldingLimiter(10);
    const started: number[] = [];
    const runs = [0, 1, 2, 3].map((index) => limiter.run(async () => started.push(index)));
    expect(started).toEqual([]); // nothing starts in the turn that queued it
    await nextTurn();
    expect(started).toEqual([0]);
    await nextTurn();
    expect(started).toEqual([0, 1]);
    await Promise.all(runs);
    expect(started).toEqual([0, 1, 2, 3]);
  });

  it("never runs more than maxActive at once, and frees the slot when a task fails", async () => {
    const limiter = new YieldingLimiter(2);
    let active = 0;
    let peak = 0;
    const releases: Array<() => void> = [];
    const task = (fail: boolean) => async () => {
      active++;
      peak = Math.max(peak, active);
      await new Promise<void>((resolve) => releases.push(resolve));
      active--;
      if (fail) throw new Error("task failed");
    };
    const runs = [
      limiter.run(task(true)),
      limiter.run(task(false)),
      limiter.run(task(false)),
      limiter.run(task(false)),
    ];
    const settled = Promise.allSettled(runs); // observed from the start: one of them rejects
    for (let turn = 0; turn < 5; turn++) await nextTurn();
    expect(limiter.running).toBe(2);
    expect(limiter.queued).toBe(2);
    while (releases.length > 0 || limiter.queued > 0 || limiter.running > 0) {
      releases.shift()?.();
      await nextTurn();
    }
    const outcomes = await settled;
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      "rejected",
      "fulfilled",
      "fulfilled",
      "fulfilled",
    ]);
    expect(peak).toBe(2);
  });

  it("under pressure, starts tasks one per paced interval instead of one per loop turn", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "setImmediate"] });
    try {
      let pressed = true;
      const limiter = new YieldingLimiter(10, () => pressed, 10);
      const started: number[] = [];
      const runs = [0, 1, 2, 3].map((index) => limiter.run(async () => started.push(index)));
      await vi.advanceTimersByTimeAsync(9);
      expect(started).toEqual([]);
      await vi.advanceTimersByTimeAsync(1);
      expect(started).toEqual([0]);
      await vi.advanceTimersByTimeAsync(9);
      expect(started).toEqual([0]);
      await vi.advanceTimersByTimeAsync(1);
      expect(started).toEqual([0, 1]);
      // Pressure gone: the rest start on the next loop turns, with no interval.
      pressed = false;
      await vi.advanceTimersByTimeAsync(10);
      await vi.runAllTimersAsync();
      await Promise.all(runs);
      expect(started).toEqual([0, 1, 2, 3]);
    } finally {
      vi.useRealTimers();
    }
  });
});
