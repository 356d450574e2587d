import { describe, expect, it } from "vitest";
import type { LoadVoiceResult } from "../../bench/load-voice.js";
import { medianOpenAiRound, medianRound } from "../../bench/median-round.js";
import { buildTable } from "../../bench/result-table.js";
import { buildTargetRows } from "../../bench/target-table.js";
import { totalFailures } from "../../bench/total-failures.js";

const run = (cpu: number, p50 = 0.3, errors = 0) =>
  ({
    firstTokenMs: { p50, p95: 1, p99: 2 },
    lastTokenMs: { p50, p95: 1, p99: 2 },
    serverCpuMsPerTurn: cpu,
    serverIdleCpuMsPerSecond: 1,
    turnsPerSecond: 200,
    errors,
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
      { switchboardCpuMsPerTurn: 0.41, floorCpuMsPerTurn: 0.17, failures: 0 },
      { switchboardCpuMsPerTurn: 0.31, floorCpuMsPerTurn: 0.12, failures: 0 },
      { switchboardCpuMsPerTurn: 0.35, floorCpuMsPerTurn: 0.14, failures: 0 },
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

describe("the OpenAI client's level run in rounds", () => {
  const scripted = medianRound(
    1000,
    [
      { switchboard: run(0.41), floor: run(0.17) },
      { switchboard: run(0.35), floor: run(0.2) },
      { switchboard: run(0.38), floor: run(0.19) },
    ],
    false,
  );
  const openAi = [run(0.95, 1.7), run(0.79, 1.3), run(0.84, 1.4)];

  it("reports the median round, lists every round's CPU, and judges the target on the median", () => {
    const level = medianOpenAiRound(1000, openAi, false);
    expect(level.switchboard.serverCpuMsPerTurn).toBe(0.84);
    expect(level.switchboard.firstTokenMs.p50).toBe(1.4);
    expect(level.rounds).toEqual([
      { switchboardCpuMsPerTurn: 0.95, failures: 0 },
      { switchboardCpuMsPerTurn: 0.79, failures: 0 },
      { switchboardCpuMsPerTurn: 0.84, failures: 0 },
    ]);
    const results = { voice: [scripted], voiceOpenAi: level };
    const table = buildTable(results);
    expect(
      table.find((row) => row.scenario.startsWith("voice+openai provider C=1000: server CPU per turn (ms)")),
    ).toMatchObject({
      scenario: "voice+openai provider C=1000: server CPU per turn (ms), median of 3 rounds",
      value: 0.84,
    });
    expect(
      table.find((row) =>
        row.scenario.startsWith("voice+openai provider C=1000: server CPU per turn, each round"),
      ),
    ).toMatchObject({
      value: "0.950 / 0.790 / 0.840",
      floor: "—",
    });
    const target = buildTargetRows(results).find(
      (row) => row.target === "CPU per turn, OpenAI-compatible client against the fake server ≤ 0.8 ms",
    );
    expect(target).toMatchObject({
      measured: "median of 3 rounds: 0.84 ms, 4.4× this run's floor of 0.19 ms",
      verdict: "missed",
    });
  });

  it("does not choose a profiled first round, and reports a single round as it is", () => {
    expect(medianOpenAiRound(1000, [run(0.5), run(0.9), run(0.8)], true).switchboard.serverCpuMsPerTurn).toBe(
      0.8,
    );
    const single = medianOpenAiRound(1000, openAi.slice(0, 1), false);
    expect(single.switchboard.serverCpuMsPerTurn).toBe(0.95);
    expect(single.rounds).toBeUndefined();
  });
});

describe("failures counted over every round", () => {
  it("fails the run for calls that failed in a round that is not the one reported", () => {
    const clean = [
      { switchboard: run(0.41), floor: run(0.17) },
      { switchboard: run(0.35), floor: run(0.14) },
    ];
    const failing = [...clean, { switchboard: run(0.5, 0.3, 2), floor: run(0.18, 0.3, 1) }];
    const level = medianRound(1000, failing, false);
    expect(level.switchboard.errors).toBe(0);
    expect(totalFailures({ voice: [level] })).toBe(3);
    expect(totalFailures({ voice: [medianRound(1000, clean, false)] })).toBe(0);
    const openAi = medianOpenAiRound(1000, [run(0.8), run(0.9, 1, 4), run(0.85)], false);
    expect(openAi.switchboard.errors).toBe(0);
    expect(totalFailures({ voice: [], voiceOpenAi: openAi })).toBe(4);
    expect(totalFailures({ voice: [{ calls: 100, switchboard: run(0.4, 0.3, 5), floor: run(0.2) }] })).toBe(
      5,
    );
  });
});
