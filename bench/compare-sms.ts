/**
 * A/B of SMS webhook intake: runs the signed SMS load against fresh servers, alternating the
 * variants given as JSON (name → extra server environment), and prints per run the webhooks/s, p99,
 * server CPU per webhook (`process.cpuUsage()` over the load ÷ 2xx answers) and how long the inbox
 * and the replies took to drain after it. Compare runs of the same round: the machines are noisy.
 *
 * Usage: npx tsx bench/compare-sms.ts '{"before":{"BENCH_DIST":"/tmp/before/dist"},"after":{}}'
 *        [CONCURRENCY=50] [DURATION_MS=5000] [ROUNDS=2]
 * A variant's `BENCH_NODE_ARGS` are passed to its server's `node` (V8 flags NODE_OPTIONS refuses).
 */
import { rmSync } from "node:fs";
import path from "node:path";
import { cpuMillisBetween, fetchStats, installCleanupHandlers, round } from "./bench-util.js";
import { fireSmsLoad, waitForReplies } from "./sms-scenario.js";
import { startVoiceServer } from "./voice-scenario.js";

installCleanupHandlers();
const concurrency = Number(process.env.CONCURRENCY ?? "50");
// Not SECONDS: bash keeps a variable of that name (seconds since the shell started).
const seconds = Number(process.env.DURATION_MS ?? "5000") / 1000;
const rounds = Number(process.env.ROUNDS ?? "2");
const variants = JSON.parse(process.argv[2] ?? '{"default":{}}') as Record<string, Record<string, string>>;

for (let roundNumber = 1; roundNumber <= rounds; roundNumber++) {
  for (const [name, environment] of Object.entries(variants)) {
    const server = await startVoiceServer({
      kind: "switchboard",
      model: "tokens20",
      keepDataDirectory: true,
      environment,
    });
    try {
      const baseUrl = `http://127.0.0.1:${server.port}`;
      const before = await fetchStats(baseUrl);
      const load = await fireSmsLoad(baseUrl, concurrency, seconds);
      const after = await fetchStats(baseUrl);
      const drainMs = server.dataDirectory
        ? await waitForReplies(path.join(server.dataDirectory, "switchboard.db"), 180_000)
        : Number.NaN;
      console.log(
        JSON.stringify({
          round: roundNumber,
          variant: name,
          webhooksPerSecond: load.requestsPerSecond,
          p99Ms: load.latencyP99Ms,
          serverCpuMicrosPerWebhook: round((cpuMillisBetween(before, after) * 1000) / load.responses2xx, 1),
          drainMs: Math.round(drainMs),
          failures: load.non2xx + load.errors + load.timeouts,
        }),
      );
    } finally {
      await server.stop();
      if (server.dataDirectory) rmSync(server.dataDirectory, { recursive: true, force: true });
    }
  }
}
