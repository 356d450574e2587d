import { describe, expect, it } from "vitest";
import type { BenchResults } from "../../bench/bench-results.js";
import { buildTable } from "../../bench/result-table.js";
import { combineSmsRounds, type SmsResult } from "../../bench/sms-scenario.js";

const level = (concurrency: number, requestsPerSecond: number, failed = 0) => ({
  concurrency,
  requestsPerSecond,
  latencyP50Ms: 2,
  latencyP99Ms: 9,
  responses2xx: requestsPerSecond * 5,
  non2xx: failed,
  errors: 0,
  timeouts: 0,
});

/** A round whose intake at c = 50 is `switchboard` against a parse-only route at `parseOnly`. */
const round = (switchboard: number, parseOnly: number, extra: Partial<SmsResult> = {}): SmsResult => ({
  switchboard: [level(10, 4000), level(50, switchboard)],
  floor: [level(10, 15_000), level(50, 17_000)],
  sameServerFloor: [level(10, 14_000), level(50, parseOnly)],
  sameServerVerifyFloor: [level(10, 12_000), level(50, 16_000)],
  storedMessages: 100,
  acceptedMessages: 100,
  replyOutboxEntries: 10,
  unansweredMessages: 0,
  replyDrainMs: switchboard,
  answeredPerSecond: 2800,
  largestWalMiB: 40,
  failedRequests: 0,
  ...extra,
});

describe("SMS rounds", () => {
  it("reports the round with the median share of the parse-only route and adds up every round's counts", () => {
    // Shares at c = 50: 0.40, 0.60, 0.50; the median round is the third, not the fastest intake.
    const combined = combineSmsRounds([
      round(10_000, 25_000),
      round(12_000, 20_000, { unansweredMessages: 1, failedRequests: 2 }),
      round(9_000, 18_000, { storedMessages: 99 }),
    ]);
    expect(combined.switchboard.at(-1)?.requestsPerSecond).toBe(9_000);
    expect(combined.sameServerFloor.at(-1)?.requestsPerSecond).toBe(18_000);
    expect(combined.replyDrainMs).toBe(9_000);
    expect(combined).toMatchObject({
      storedMessages: 299,
      acceptedMessages: 300,
      unansweredMessages: 1,
      replyOutboxEntries: 30,
      failedRequests: 2,
    });
    expect(combined.rounds?.map((each) => [each.switchboard, each.parseOnly])).toEqual([
      [10_000, 25_000],
      [12_000, 20_000],
      [9_000, 18_000],
    ]);

    const row = buildTable({ voice: [], sms: combined } as unknown as BenchResults).find((each) =>
      each.scenario.includes("each round in run order"),
    );
    expect(row).toMatchObject({ value: "10000 / 12000 / 9000", floor: "25000 / 20000 / 18000" });
    expect(row?.ratio).toBe("0.400× / 0.600× / 0.500×");
  });

  it("passes a single round through unchanged", () => {
    const only = round(9_000, 18_000);
    expect(combineSmsRounds([only])).toBe(only);
    expect(() => combineSmsRounds([])).toThrow("at least one round");
  });
});
