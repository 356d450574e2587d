import { describe, expect, it } from "vitest";
import { fetchStats, sleep, voluntarySwitchesIn } from "../../bench/bench-util.js";
import { startVoiceServer } from "../../bench/voice-scenario.js";

/** The end of a `/proc/<pid>/status` text. */
const status =
  "Name:\tnode\nState:\tS (sleeping)\nvoluntary_ctxt_switches:\t1834\nnonvoluntary_ctxt_switches:\t97\n";

describe("a server's main-thread wake-ups (the voice bench's wake-ups per turn)", () => {
  it("reads the voluntary context switches, not the involuntary ones", () => {
    expect(voluntarySwitchesIn(status)).toBe(1834);
    expect(voluntarySwitchesIn("Name:\tnode\nnonvoluntary_ctxt_switches:\t97")).toBeNaN();
  });

  it.runIf(process.platform === "linux")(
    "counts the times the server's main thread slept, through its stats route",
    async () => {
      const server = await startVoiceServer({ kind: "floor", model: "single" });
      try {
        const statsUrl = `http://127.0.0.1:${server.port}`;
        const before = await fetchStats(statsUrl);
        // Idle in between: the server sleeps until the next request wakes it.
        await sleep(50);
        const after = await fetchStats(statsUrl);
        expect(before.pid).toBe(server.pid);
        expect(Number.isInteger(before.mainThreadSleeps)).toBe(true);
        expect(after.mainThreadSleeps).toBeGreaterThan(before.mainThreadSleeps);
      } finally {
        await server.stop();
      }
    },
    30_000,
  );
});

describe("a bench server's node flags (BENCH_NODE_ARGS, for A/Bs of V8 flags)", () => {
  it("starts a server with the flags a variant gives it, and without them by default", async () => {
    const flagged = await startVoiceServer({
      kind: "floor",
      model: "single",
      environment: { BENCH_NODE_ARGS: " --max-semi-space-size=2  --stack-size=900 " },
    });
    const plain = await startVoiceServer({ kind: "floor", model: "single" });
    try {
      const flaggedArguments = (await fetchStats(`http://127.0.0.1:${flagged.port}`)).nodeArguments;
      const plainArguments = (await fetchStats(`http://127.0.0.1:${plain.port}`)).nodeArguments;
      expect(flaggedArguments).toEqual(
        expect.arrayContaining(["--max-semi-space-size=2", "--stack-size=900"]),
      );
      expect(flaggedArguments).not.toContain("");
      expect(plainArguments).toContain("--expose-gc");
      expect(plainArguments.filter((argument) => argument.startsWith("--max-semi-space"))).toEqual([]);
    } finally {
      await Promise.all([flagged.stop(), plain.stop()]);
    }
  }, 30_000);
});
