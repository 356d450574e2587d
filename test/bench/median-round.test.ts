import { describe, expect, it } from "vitest";
import type { LoadVoiceResult } from "../../bench/load-voice.js";
import { medianRound } from "../../bench/median-round.js";
import { buildTable } from "../../bench/result-table.js";
import { buildTargetRows } from "../../bench/target-table.js";

const run = (cpu: number, p50 = 0.3) =>
  ({
    firstTokenMs: { p50, p95: 1, p99: 2 },
    lastTokenMs: { p50, p95: 1, p99: 2 },
    serverCpuMsPerTurn: cpu,
    serverIdleCpuMsPerSecond: 1,
    turnsPerSecond: 200,
    errors: 0,
    timeouts: 0,
    connectErrors: 0,
    rssPerIdleCallBytes: 20_000,
    rssPerActiveCallBytes: 40_000,
    rssStartBytes: 80 * 2 ** 20,
  }) as unknown as LoadVoiceResult;

describe("a voice level run in rounds", () => {
  const rounds = [
    { switchboard: run(0.41, 0.41), floor: run(0.17, 0.17) },
    { switchboard: run(0.31, 0.31), floor: run(0.12, 0.12) },
    { switchboard: run(0.35, 0.35), floor: run(0.14, 0.14) },
  ];

  it("reports the round with the median Switchboard CPU, with that round's floor, and lists every round", () => {
    const level = medianRound(1000, rounds, false);
    expect(level.switchboard.serverCpuMsPerTurn).toBe(0.35);
    expect(level.floor.serverCpuMsPerTurn).toBe(0.14);
    expect(level.switchboard.firstTokenMs.p50).toBe(0.35);
    expect(level.rounds).toEqual([
      { switchboardCpuMsPerTurn: 0.41, floorCpuMsPerTurn: 0.17 },
      { switchboardCpuMsPerTurn: 0.31, floorCpuMsPerTurn: 0.12 },
      { switchboardCpuMsPerTurn: 0.35, floorCpuMsPerTurn: 0.14 },
    ]);
  });

  it("does not choose a profiled first round, and reports a single round as it is", () => {
    const profiled = [{ switchboard: run(0.9), floor: run(0.2) }, ...rounds.slice(1)];
    expect(medianRound(1000, profiled, true).switchboard.serverCpuMsPerTurn).toBe(0.31);
    const single = medianRound(1000, rounds.slice(0, 1), false);
    expect(single.switchboard.serverCpuMsPerTurn).toBe(0.41);
    expect(single.rounds).toBeUndefined();
  });

  it("says so in the table and in the CPU target's figure", () => {
    const level = medianRound(1000, rounds, false);
    const table = buildTable({ voice: [level] });
    expect(
      table.find((row) => row.scenario.startsWith("voice C=1000: server CPU per turn (ms)")),
    ).toMatchObject({
      scenario: "voice C=1000: server CPU per turn (ms), median of 3 rounds",
      value: 0.35,
      floor: 0.14,
    });
    expect(table.find((row) => row.scenario.includes("each round"))).toMatchObject({
      value: "0.410 / 0.310 / 0.350",
      floor: "0.170 / 0.120 / 0.140",
    });
    const target = buildTargetRows({ voice: [level] }).find(
      (row) => row.target === "CPU per turn, scripted model ≤ 0.3 ms",
    );
    expect(target).toMatchObject({
      measured: "median of 3 rounds: 0.35 ms, 2.5× this run's floor of 0.14 ms",
      verdict: "missed",
    });
  });
});
