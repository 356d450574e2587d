import { describe, expect, it } from "vitest";
import {
  type ChurnSample,
  gaugeValue,
  heapGrowthPerCall,
  leastSquaresSlope,
  turnsClearOfSamples,
} from "../../bench/soak-churn.js";
import { soakRows } from "../../bench/soak-rows.js";
import type { SoakResult } from "../../bench/soak-scenario.js";
import { totalFailures } from "../../bench/total-failures.js";

const sample = (
  elapsedMs: number,
  callsEnded: number,
  heapUsedBytes: number,
  quiesced = true,
): ChurnSample => ({
  elapsedMs,
  answeredAtMs: elapsedMs + 50,
  callsEnded,
  turns: callsEnded * 6,
  quiesced,
  heapUsedBytes,
  rssBytes: heapUsedBytes + 100 * 2 ** 20,
  windowTurns: 500,
  windowFirstTokenP99Ms: 2,
});

const soak = (overrides: Partial<SoakResult> = {}): SoakResult => ({
  mode: "churn",
  calls: 1000,
  turnsPerCall: 6,
  durationMs: 600_000,
  phases: 1,
  callsStarted: 20_000,
  callsEnded: 20_000,
  turns: 120_000,
  connectErrors: 0,
  errors: 0,
  timeouts: 0,
  endedCallbackFailures: 0,
  turnsDuringSamples: 40,
  sampleRequestMs: { count: 45, p50: 60, p95: 90, p99: 120, max: 130, mean: 65 },
  textsSent: 10_000,
  textsRefused: 0,
  textsStored: 10_000,
  textsUnanswered: 0,
  firstTokenMs: { count: 120_000, p50: 0.4, p95: 1, p99: 2, max: 9, mean: 0.5 },
  samples: [
    sample(0, 0, 40 * 2 ** 20),
    sample(300_000, 10_000, 60 * 2 ** 20, false),
    sample(590_000, 19_000, 70 * 2 ** 20, false),
    sample(600_000, 20_000, 41 * 2 ** 20),
  ],
  heapGrowthBytesPerCall: 12,
  judged: true,
  leaking: false,
  ...overrides,
});

describe("the soak's heap growth per ended call", () => {
  it("is the least-squares slope, and undefined without enough points or spread", () => {
    const points = [0, 1, 2, 3, 4].map((x) => ({ x, y: 5 + 3 * x }));
    expect(leastSquaresSlope(points)).toBeCloseTo(3, 10);
    expect(leastSquaresSlope(points.slice(0, 2))).toBeNaN();
    expect(leastSquaresSlope([0, 1, 2].map(() => ({ x: 7, y: 1 })))).toBeNaN();
  });

  it("is read with no call open, at the later phase ends: not the start, the first fill, nor calls open", () => {
    const warmingThenFlat = [
      sample(0, 0, 20 * 2 ** 20),
      sample(60_000, 1_000, 90 * 2 ** 20, false),
      sample(100_000, 2_000, 30 * 2 ** 20),
      sample(150_000, 3_000, 40 * 2 ** 20),
      sample(200_000, 4_000, 95 * 2 ** 20, false),
      sample(300_000, 6_000, 40 * 2 ** 20 + 4_000),
      sample(450_000, 9_000, 40 * 2 ** 20 - 4_000),
      sample(550_000, 11_000, 99 * 2 ** 20, false),
      sample(600_000, 12_000, 40 * 2 ** 20),
    ];
    expect(Math.abs(heapGrowthPerCall(warmingThenFlat))).toBeLessThan(2);
    const leaking = [0, 1, 2, 3, 4].map((index) =>
      sample(150_000 * index, 3_000 * index, 40 * 2 ** 20 + 2_048 * 3_000 * index),
    );
    expect(heapGrowthPerCall(leaking)).toBeCloseTo(2_048, 6);
  });
});

describe("the soak's first token figures", () => {
  it("leave out the turns in flight while a sample's forced collections ran", () => {
    const samples = [sample(1_000, 0, 1), sample(5_000, 10, 1)]; // each answered 50 ms after it was asked
    const turns = [
      { sentAtMs: 500, firstMs: 1, lastMs: 2 }, // done before the first sample
      { sentAtMs: 990, firstMs: 1, lastMs: 20 }, // still in flight when it began
      { sentAtMs: 1_020, firstMs: 40, lastMs: 41 }, // sent during it
      { sentAtMs: 1_051, firstMs: 1, lastMs: 2 }, // after it
      { sentAtMs: 4_999, firstMs: 1, lastMs: 2 }, // in flight when the second began
    ];
    expect(turnsClearOfSamples(turns, samples).map((turn) => turn.sentAtMs)).toEqual([500, 1_051]);
  });
});

describe("the soak in the results", () => {
  it("fails the run for its failed calls and callbacks, and for a leak", () => {
    expect(totalFailures({ voice: [], soak: soak() })).toBe(0);
    expect(
      totalFailures({ voice: [], soak: soak({ errors: 1, timeouts: 2, endedCallbackFailures: 3 }) }),
    ).toBe(6);
    expect(totalFailures({ voice: [], soak: soak({ leaking: true }) })).toBe(1);
    expect(totalFailures({ voice: [], soak: soak({ textsRefused: 2, textsStored: 9_998 }) })).toBe(2);
    expect(totalFailures({ voice: [], soak: soak({ textsStored: 9_999 }) })).toBe(1);
    expect(totalFailures({ voice: [], soak: soak({ textsUnanswered: 1 }) })).toBe(1);
    expect(totalFailures({ voice: [], soak: soak({ textsStored: Number.NaN }) })).toBe(1);
  });

  it("prints the heap, the growth per call and the verdict", () => {
    const rows = soakRows(soak());
    const row = (part: string) => rows.find((candidate) => candidate.scenario.includes(part));
    expect(row("no call open: at start")?.value).toBe("40.0 / 41.0");
    expect(row("calls open: largest")?.value).toBe("70.0");
    expect(row("heap growth per ended call")?.value).toBe(12);
    expect(row("verdict")?.value).toBe("no leak of 1024 B a call or more");
    expect(row("texts after a call")?.value).toBe("10000 / 10000 / 0");
    expect(soakRows(soak({ leaking: true, heapGrowthBytesPerCall: 3000 })).at(6)?.value).toBe(
      "LEAK: over 1024 B a call",
    );
    expect(soakRows(soak({ judged: false, durationMs: 8000 })).at(6)?.value).toContain("not judged");
  });
});

describe("the backlog a phase waits for", () => {
  it("is read from the gauges of a Prometheus exposition, and missing when the gauge is", () => {
    const exposition = [
      "# HELP switchboard_inbox_backlog SMS and email webhooks accepted (in the inbox) and not yet handled",
      "# TYPE switchboard_inbox_backlog gauge",
      "switchboard_inbox_backlog 3",
      "switchboard_reply_backlog_total 9",
      "switchboard_reply_backlog 0",
    ].join("\n");
    expect(gaugeValue(exposition, "switchboard_inbox_backlog")).toBe(3);
    expect(gaugeValue(exposition, "switchboard_reply_backlog")).toBe(0);
    expect(gaugeValue(exposition, "switchboard_open_websockets")).toBeNaN();
  });
});
