/** The printed table: one row per figure, each next to its floor from the same run. */
import type { BenchResults, VoiceLevel } from "./bench-results.js";
import { compared, single, type TableRow } from "./report-table.js";
import { saturationRows } from "./saturation-rows.js";
import { soakRows } from "./soak-rows.js";

const kib = (bytes: number) => bytes / 1024;

/** Each round's CPU per turn, in run order, when a level ran more than once (no floor column for the OpenAI level's). */
interface CpuRounds {
  switchboard: number[];
  floor?: number[];
}

const cpuRoundsOf = (level: VoiceLevel): CpuRounds | undefined =>
  level.rounds && {
    switchboard: level.rounds.map((round) => round.switchboardCpuMsPerTurn),
    floor: level.rounds.map((round) => round.floorCpuMsPerTurn),
  };

function voiceRows(level: VoiceLevel, label = "voice", rounds = cpuRoundsOf(level)): TableRow[] {
  const { switchboard, floor, calls } = level;
  const name = `${label} C=${calls}`;
  return [
    compared(`${name}: prompt → first token p50 (ms)`, switchboard.firstTokenMs.p50, floor.firstTokenMs.p50),
    compared(`${name}: prompt → first token p95 (ms)`, switchboard.firstTokenMs.p95, floor.firstTokenMs.p95),
    compared(`${name}: prompt → first token p99 (ms)`, switchboard.firstTokenMs.p99, floor.firstTokenMs.p99),
    compared(`${name}: prompt → last:true p50 (ms)`, switchboard.lastTokenMs.p50, floor.lastTokenMs.p50),
    compared(`${name}: prompt → last:true p95 (ms)`, switchboard.lastTokenMs.p95, floor.lastTokenMs.p95),
    compared(`${name}: prompt → last:true p99 (ms)`, switchboard.lastTokenMs.p99, floor.lastTokenMs.p99),
    compared(
      `${name}: server CPU per turn (ms)${rounds ? `, median of ${rounds.switchboard.length} rounds` : ""}`,
      switchboard.serverCpuMsPerTurn,
      floor.serverCpuMsPerTurn,
    ),
    ...(rounds ? [roundsRow(name, rounds)] : []),
    compared(
      `${name}: server main thread, sleeps and wake-ups per turn`,
      switchboard.serverWakeUpsPerTurn,
      floor.serverWakeUpsPerTurn,
    ),
    compared(
      `${name}: server idle CPU, calls open (ms/s)`,
      switchboard.serverIdleCpuMsPerSecond,
      floor.serverIdleCpuMsPerSecond,
    ),
    compared(`${name}: turns measured (turns/s)`, switchboard.turnsPerSecond, floor.turnsPerSecond, 1),
    compared(
      `${name}: errors + timeouts + connect errors`,
      switchboard.errors + switchboard.timeouts + switchboard.connectErrors,
      floor.errors + floor.timeouts + floor.connectErrors,
      0,
    ),
  ];
}

/** Every round's CPU per turn, in run order: how far this machine drifted during the run. */
function roundsRow(name: string, rounds: CpuRounds): TableRow {
  const list = (values: number[]) => values.map((value) => value.toFixed(3)).join(" / ");
  return {
    scenario: `${name}: server CPU per turn, each round in run order (ms)`,
    value: list(rounds.switchboard),
    floor: rounds.floor ? list(rounds.floor) : "—",
    ratio: "—",
  };
}

export function buildTable(results: BenchResults): TableRow[] {
  const rows: TableRow[] = [];
  for (const level of results.voice) rows.push(...voiceRows(level));
  const highest = results.voice.at(-1);
  if (highest) {
    const { switchboard, floor, calls } = highest;
    rows.push(
      compared(
        `memory C=${calls}: RSS per live idle call (KiB)`,
        kib(switchboard.rssPerIdleCallBytes),
        kib(floor.rssPerIdleCallBytes),
        1,
      ),
      compared(
        `memory C=${calls}: RSS per active call (KiB)`,
        kib(switchboard.rssPerActiveCallBytes),
        kib(floor.rssPerActiveCallBytes),
        1,
      ),
      compared(
        `memory C=${calls}: server RSS at start (MiB)`,
        switchboard.rssStartBytes / 2 ** 20,
        floor.rssStartBytes / 2 ** 20,
        1,
      ),
    );
  }
  const openAi = results.voiceOpenAi;
  const openAiFloor = results.voice.find((level) => level.calls === openAi?.calls)?.floor;
  if (openAi && openAiFloor) {
    rows.push(
      ...voiceRows(
        { calls: openAi.calls, switchboard: openAi.switchboard, floor: openAiFloor },
        "voice+openai provider",
        openAi.rounds && { switchboard: openAi.rounds.map((round) => round.switchboardCpuMsPerTurn) },
      ),
    );
  }
  if (results.forwarding) {
    const { calls, switchboard, floor } = results.forwarding;
    const label = `per-token forwarding C=${calls} (token every 20 ms): model → caller`;
    const tokens = `${switchboard.tokenForwardMs?.count ?? 0} tokens`;
    rows.push(
      compared(
        `${label} p50 (ms, ${tokens})`,
        switchboard.tokenForwardMs?.p50 ?? Number.NaN,
        floor.tokenForwardMs?.p50 ?? Number.NaN,
      ),
      compared(
        `${label} p95 (ms)`,
        switchboard.tokenForwardMs?.p95 ?? Number.NaN,
        floor.tokenForwardMs?.p95 ?? Number.NaN,
      ),
      compared(
        `${label} p99 (ms)`,
        switchboard.tokenForwardMs?.p99 ?? Number.NaN,
        floor.tokenForwardMs?.p99 ?? Number.NaN,
      ),
      compared(
        `per-token forwarding: errors + timeouts + connect errors`,
        switchboard.errors + switchboard.timeouts + switchboard.connectErrors,
        floor.errors + floor.timeouts + floor.connectErrors,
        0,
      ),
    );
  }
  if (results.interrupt) {
    const { switchboard, floor } = results.interrupt;
    const sample = `${switchboard.interruptStopMs?.count ?? 0} interrupts`;
    rows.push(
      compared(
        `interrupt → last token of aborted reply p50 (ms, ${sample})`,
        switchboard.interruptStopMs?.p50 ?? Number.NaN,
        floor.interruptStopMs?.p50 ?? Number.NaN,
      ),
      compared(
        `interrupt → last token of aborted reply p99 (ms)`,
        switchboard.interruptStopMs?.p99 ?? Number.NaN,
        floor.interruptStopMs?.p99 ?? Number.NaN,
      ),
      compared(
        `interrupt: text frames after interrupt, max`,
        switchboard.framesAfterInterrupt?.max ?? Number.NaN,
        floor.framesAfterInterrupt?.max ?? Number.NaN,
        0,
      ),
      compared(
        `interrupt: aborted replies that still ended (must be 0)`,
        switchboard.repliesNotStopped ?? Number.NaN,
        floor.repliesNotStopped ?? Number.NaN,
        0,
      ),
      compared(
        `interrupt: server CPU per interrupted turn (ms)`,
        switchboard.serverCpuMsPerTurn,
        floor.serverCpuMsPerTurn,
      ),
    );
  }
  if (results.saturation) rows.push(...saturationRows(results.saturation));
  if (results.soak) rows.push(...soakRows(results.soak));
  if (results.sms) {
    results.sms.switchboard.forEach((level, index) => {
      const floor = results.sms?.floor[index];
      const sameServer = results.sms?.sameServerFloor?.[index];
      const sameServerVerify = results.sms?.sameServerVerifyFloor?.[index];
      if (!floor) return;
      if (sameServerVerify) {
        rows.push(
          compared(
            `sms webhook c=${level.concurrency}: requests/s (floor: this server, parse + signature check)`,
            level.requestsPerSecond,
            sameServerVerify.requestsPerSecond,
            0,
          ),
        );
      }
      if (sameServer) {
        rows.push(
          compared(
            `sms webhook c=${level.concurrency}: requests/s (floor: this server, a parse-only route)`,
            level.requestsPerSecond,
            sameServer.requestsPerSecond,
            0,
          ),
        );
      }
      rows.push(
        compared(
          `sms webhook c=${level.concurrency}: requests/s (floor: bare Fastify + formbody)`,
          level.requestsPerSecond,
          floor.requestsPerSecond,
          0,
        ),
        compared(
          `sms webhook c=${level.concurrency}: latency p99 (ms)`,
          level.latencyP99Ms,
          floor.latencyP99Ms,
          0,
        ),
        compared(
          `sms webhook c=${level.concurrency}: non-2xx + errors + timeouts`,
          level.non2xx + level.errors + level.timeouts,
          floor.non2xx + floor.errors + floor.timeouts,
          0,
        ),
      );
    });
    const smsRounds = results.sms.rounds;
    const top = results.sms.switchboard.at(-1);
    if (smsRounds && top) {
      const list = (values: number[]) => values.map((value) => Math.round(value)).join(" / ");
      rows.push({
        scenario: `sms webhook c=${top.concurrency}: requests/s, each round in run order (floor: this server, a parse-only route); the rows above are the median round`,
        value: list(smsRounds.map((round) => round.switchboard)),
        floor: list(smsRounds.map((round) => round.parseOnly)),
        ratio: smsRounds.map((round) => `${(round.switchboard / round.parseOnly).toFixed(3)}×`).join(" / "),
      });
    }
    rows.push(
      single(
        `sms: messages stored in SQLite / 2xx answered`,
        `${results.sms.storedMessages} / ${results.sms.acceptedMessages}`,
      ),
      single(
        "sms: messages with no reply after them (must be 0) / replies sent (a burst gets one reply)",
        `${results.sms.unansweredMessages} / ${results.sms.replyOutboxEntries}`,
      ),
      single("sms: replies' backlog drained after the load (ms)", results.sms.replyDrainMs),
      single("sms: messages answered per second over load + drain", results.sms.answeredPerSecond),
      single(
        "sms: largest SQLite WAL during load + drain (MiB; reset once it passes 32)",
        results.sms.largestWalMiB,
      ),
    );
  }
  if (results.knowledge?.status === "ok") {
    for (const row of results.knowledge.rows) {
      rows.push(single(`knowledge search: ${row.name} p50 / p99 (ms)`, `${row.p50Ms} / ${row.p99Ms}`));
    }
  } else if (results.knowledge) {
    rows.push(single("knowledge search p50/p99", `n/a (${results.knowledge.reason})`));
  }
  if (results.coldStart) {
    rows.push(
      compared(
        `cold start, node dist/main.js → first 200 /healthz, median of ${results.coldStart.runs} (ms)`,
        results.coldStart.compiledMedianMs,
        results.coldStart.floorMedianMs,
        0,
      ),
      compared(
        `cold start, tsx src/main.ts (npm start) → first 200 /healthz, median of ${results.coldStart.runs} (ms)`,
        results.coldStart.switchboardMedianMs,
        results.coldStart.floorMedianMs,
        0,
      ),
    );
  }
  if (results.modelClient) {
    const cost = (name: string) =>
      results.modelClient?.find((client) => client.name === name)?.cpuMsPerCall ?? Number.NaN;
    const responsesFloor = cost("fetch+SSE /responses (floor)");
    const chatFloor = cost("fetch+SSE /chat/completions (floor)");
    const calls = results.modelClient[0]?.calls ?? 0;
    rows.push(
      compared(
        `model client: @ai-sdk/openai doStream /responses, CPU per call (ms, N=${calls})`,
        cost("@ai-sdk/openai doStream /responses"),
        responsesFloor,
        3,
      ),
      compared(
        `model client: @ai-sdk/openai chat doStream, CPU per call (ms)`,
        cost("@ai-sdk/openai chat doStream"),
        chatFloor,
        3,
      ),
      compared(
        `model client: lean openai-chat doStream over its socket transport (the default), CPU per call (ms)`,
        cost("lean openai-chat doStream (socket)"),
        chatFloor,
        3,
      ),
      compared(
        `model client: lean openai-chat doStream over node:http, CPU per call (ms)`,
        cost("lean openai-chat doStream (node:http)"),
        chatFloor,
        3,
      ),
      compared(
        `model client: lean openai-chat doStream over fetch, CPU per call (ms)`,
        cost("lean openai-chat doStream (fetch)"),
        chatFloor,
        3,
      ),
      compared(
        `model client: streamText + @ai-sdk/openai, CPU per call (ms)`,
        cost("streamText + @ai-sdk/openai /responses"),
        responsesFloor,
        3,
      ),
      compared(
        `model client: streamText + scripted model, CPU per call (ms)`,
        cost("streamText + scripted in-memory model"),
        responsesFloor,
        3,
      ),
    );
  }
  return rows;
}
