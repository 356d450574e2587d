import { describe, expect, it } from "vitest";
import type { BenchResults } from "../../bench/bench-results.js";
import type { LoadVoiceResult } from "../../bench/load-voice.js";
import { buildTargetRows, renderTargetTable } from "../../bench/target-table.js";

const voice = (p50: number, p99: number, cpu: number, rss = 20_000) =>
  ({
    firstTokenMs: { p50, p95: p99, p99 },
    serverCpuMsPerTurn: cpu,
    rssPerActiveCallBytes: rss,
  }) as unknown as LoadVoiceResult;

const smsLevel = (concurrency: number, requestsPerSecond: number) => ({
  concurrency,
  requestsPerSecond,
  latencyP50Ms: 5,
  latencyP99Ms: 10,
  responses2xx: 1,
  non2xx: 0,
  errors: 0,
  timeouts: 0,
});

describe("the bench's targets table", () => {
  it("judges each target from the run's own figures, and says how many floors a CPU figure is", () => {
    const results = {
      voice: [{ calls: 1000, switchboard: voice(0.37, 3.09, 0.66), floor: voice(0.28, 3.07, 0.22) }],
      voiceOpenAi: { calls: 1000, switchboard: voice(2, 22, 0.75) },
      sms: {
        switchboard: [smsLevel(10, 2900), smsLevel(50, 9052)],
        sameServerFloor: [smsLevel(10, 13_000), smsLevel(50, 12_367)],
      },
      knowledge: { status: "ok", rows: [{ name: "overall", p50Ms: 1.2, p99Ms: 3 }], output: "" },
      coldStart: { compiledMedianMs: 664 },
    } as unknown as BenchResults;
    const rows = buildTargetRows(results);
    const verdict = (start: string) => rows.find((row) => row.target.startsWith(start));
    expect(verdict("voice, 1000 calls: first token p50")).toMatchObject({
      measured: "0.37 ms, 1.3×",
      verdict: "met",
    });
    expect(verdict("voice, 1000 calls: first token p99")?.verdict).toBe("met");
    expect(verdict("CPU per turn, scripted model ≤ 0.3 ms")).toEqual({
      target: "CPU per turn, scripted model ≤ 0.3 ms",
      measured: "0.66 ms, 3× this run's floor of 0.22 ms",
      verdict: "missed",
    });
    expect(verdict("CPU per turn, scripted model ≤ 3×")).toEqual({
      target: "CPU per turn, scripted model ≤ 3× the floor (0.3 ms on the reference machine's 0.1 ms floor)",
      measured: "0.66 ms, 3× this run's floor of 0.22 ms",
      verdict: "met",
    });
    expect(verdict("CPU per turn, OpenAI-compatible client against the fake server ≤ 0.8 ms")?.verdict).toBe(
      "met",
    );
    expect(verdict("CPU per turn, OpenAI-compatible client against the fake server ≤ 8×")).toMatchObject({
      measured: "0.75 ms, 3.4× this run's floor of 0.22 ms",
      verdict: "met",
    });
    expect(verdict("SMS, 50 connections: ≥ 6,000")?.verdict).toBe("met");
    expect(verdict("SMS, 50 connections: ≥ 0.5×")).toMatchObject({
      measured: "9052 / 12367 = 0.732×",
      verdict: "met",
    });
    expect(verdict("memory")?.verdict).toBe("met");
    expect(verdict("knowledge")).toMatchObject({ measured: "1.2 ms", verdict: "missed" });
    expect(verdict("cold start")?.verdict).toBe("met");
    expect(renderTargetTable(rows).split("\n")).toHaveLength(rows.length + 2);
  });

  it("says what a quick run did not measure instead of judging it", () => {
    const results = {
      voice: [{ calls: 50, switchboard: voice(0.7, 4, 2), floor: voice(0.5, 3, 2) }],
    } as unknown as BenchResults;
    const rows = buildTargetRows(results);
    expect(rows.find((row) => row.target.startsWith("CPU per turn, scripted"))).toEqual({
      target: "CPU per turn, scripted model ≤ 0.3 ms",
      measured: "no level of 1000 calls in this run (highest: 50)",
      verdict: "not measured",
    });
    expect(rows.filter((row) => row.verdict === "met").map((row) => row.target)).toEqual([
      "memory: ≤ 150 KB per live call (C=50)",
    ]);
  });
});
