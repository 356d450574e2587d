/**
 * SMS webhook throughput: autocannon posts signed Twilio SMS webhooks (a unique MessageSid each)
 * to Switchboard (bench-server, SQLite) and to its floors, at each concurrency: the same server's
 * parse-only route, its parse + signature route, and a bare Fastify form server.
 * Afterwards the SQLite file is opened to check that every accepted message was stored.
 * With several rounds (each on fresh servers), the reported one is the round whose intake at the
 * highest concurrency is the median share of the same server's parse-only route; the integrity
 * counts (stored, accepted, unanswered, replies) add up every round.
 */
import { rmSync, statSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { DatabaseSync } from "@photostructure/sqlite";
import autocannon from "autocannon";
import { signTwilioRequest } from "../src/testing/sign-twilio-request.js";
import { round, sleep, startChild } from "./bench-util.js";
import { benchAuthToken, benchPublicUrl, startVoiceServer } from "./voice-scenario.js";

export interface SmsLevelResult {
  concurrency: number;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  responses2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
}

export interface SmsResult {
  switchboard: SmsLevelResult[];
  /** A bare Fastify + @fastify/formbody server whose route only parses the form. */
  floor: SmsLevelResult[];
  /** The same Switchboard server (plugins, hooks, logger) on a route that only parses the form. */
  sameServerFloor: SmsLevelResult[];
  /** The same server on a route that parses the form and checks the Twilio signature, nothing more. */
  sameServerVerifyFloor: SmsLevelResult[];
  /** user SMS messages found in SQLite after the run (must be ≥ the 2xx responses). */
  storedMessages: number;
  acceptedMessages: number;
  /** Reply SMS in the outbox once every pending turn was answered. */
  replyOutboxEntries: number;
  /**
   * Stored SMS with no reply after them in their conversation (must be 0). A burst of texts from
   * one customer is answered by one reply whose prompt holds them all, so one reply can answer
   * several messages.
   */
  unansweredMessages: number;
  /** From the end of the load until no turn was pending (the replies' backlog), ms. */
  replyDrainMs: number;
  /** Messages answered per second over load + drain. */
  answeredPerSecond: number;
  /**
   * The largest size of the SQLite `-wal` file seen during load and drain (sampled every 250 ms),
   * MiB: the checkpointer keeps it near its 32 MiB limit; a WAL that is never reset grows with
   * every webhook.
   */
  largestWalMiB: number;
  /** Non-2xx answers, errors and timeouts of Switchboard and the bare floor, every level and round. */
  failedRequests: number;
  /** With several rounds: each round's requests/s at the highest concurrency, in run order. */
  rounds?: SmsRound[];
}

export interface SmsRound {
  switchboard: number;
  parseOnly: number;
  parseAndVerify: number;
  bareFastify: number;
}

/** Samples a file's size until stopped; resolves with the largest size seen, in MiB. */
function watchFileSize(file: string, everyMs: number): { stop(): number } {
  let largest = 0;
  const sample = () => {
    try {
      largest = Math.max(largest, statSync(file).size);
    } catch {}
  };
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return largest / 1048576;
    },
  };
}

/**
 * Waits until the server has handled every accepted webhook in its inbox and answered every
 * pending turn (read through a second connection, both counts in one read).
 */
export async function waitForReplies(databaseFile: string, limitMs: number): Promise<number> {
  const startedAt = performance.now();
  const database = new DatabaseSync(databaseFile, { readOnly: true });
  try {
    const pending = database.prepare(
      `SELECT (SELECT count(*) FROM pending_turns)
         + (SELECT count(*) FROM inbound_events WHERE payload IS NOT NULL) AS count`,
    );
    while (performance.now() - startedAt < limitMs) {
      if ((pending.get() as { count: number }).count === 0) return performance.now() - startedAt;
      await sleep(50);
    }
    throw new Error(`replies still pending ${limitMs} ms after the load`);
  } finally {
    database.close();
  }
}

/**
 * What a stopped server's database holds of the texts it accepted: the customers' SMS messages
 * stored, the outbox entries of first replies, and the stored messages with no SMS reply after them.
 */
export function countSmsReplies(databaseFile: string): {
  storedMessages: number;
  replyOutboxEntries: number;
  unansweredMessages: number;
} {
  const database = new DatabaseSync(databaseFile, { readOnly: true });
  try {
    const count = (sql: string) => (database.prepare(sql).get() as { count: number }).count;
    return {
      storedMessages: count("SELECT count(*) AS count FROM messages WHERE role = 'user' AND channel = 'sms'"),
      replyOutboxEntries: count(
        "SELECT count(*) AS count FROM outbox WHERE idempotency_key LIKE 'sms-reply:%:0'",
      ),
      unansweredMessages: count(
        `SELECT count(*) AS count FROM messages AS message
         WHERE message.role = 'user' AND message.channel = 'sms' AND NOT EXISTS (
           SELECT 1 FROM messages AS reply
           WHERE reply.conversation_id = message.conversation_id AND reply.role = 'assistant'
             AND reply.channel = 'sms' AND reply.sequence > message.sequence)`,
      ),
    };
  } finally {
    database.close();
  }
}

let sequence = 0;

function signedSmsRequest(request: autocannon.Request): autocannon.Request {
  sequence++;
  const params: Record<string, string> = {
    MessageSid: `SM${process.pid.toString(16)}${sequence.toString(16).padStart(24, "0")}`,
    AccountSid: "AC00000000000000000000000000000000",
    From: `+1415${2_000_000 + (sequence % 1000)}`,
    To: "+18885550100",
    Body: "Where is my order?",
    NumMedia: "0",
  };
  return {
    ...request,
    body: new URLSearchParams(params).toString(),
    headers: {
      ...request.headers,
      "content-type": "application/x-www-form-urlencoded",
      "x-twilio-signature": signTwilioRequest(benchAuthToken, `${benchPublicUrl}/twilio/sms`, params),
    },
  };
}

export async function fireSmsLoad(
  baseUrl: string,
  concurrency: number,
  durationSeconds: number,
  path = "/twilio/sms",
): Promise<SmsLevelResult> {
  const result = await autocannon({
    url: baseUrl,
    connections: concurrency,
    duration: durationSeconds,
    timeout: 10,
    requests: [{ method: "POST", path, setupRequest: signedSmsRequest }],
  });
  return {
    concurrency,
    requestsPerSecond: round(result.requests.average, 1),
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    responses2xx: result["2xx"],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

export async function runSmsScenario(
  levels: number[],
  durationSeconds: number,
  rounds = 1,
): Promise<SmsResult> {
  const results: SmsResult[] = [];
  for (let round = 0; round < rounds; round++) results.push(await runSmsRound(levels, durationSeconds));
  return combineSmsRounds(results);
}

/**
 * Several rounds as one result: the round whose intake at the highest concurrency is the median
 * share of the same server's parse-only route, with the integrity counts of every round added up
 * and each round's requests/s at that concurrency listed in run order.
 */
export function combineSmsRounds(results: readonly SmsResult[]): SmsResult {
  const first = results[0];
  if (!first) throw new Error("the SMS scenario needs at least one round");
  if (results.length === 1) return first;
  const rps = (levelResults: SmsLevelResult[]) => levelResults.at(-1)?.requestsPerSecond ?? Number.NaN;
  const share = (result: SmsResult) => rps(result.switchboard) / rps(result.sameServerFloor);
  const median =
    [...results].sort((a, b) => share(a) - share(b))[Math.floor((results.length - 1) / 2)] ?? first;
  const total = (
    field:
      | "storedMessages"
      | "acceptedMessages"
      | "unansweredMessages"
      | "replyOutboxEntries"
      | "failedRequests",
  ) => results.reduce((sum, result) => sum + result[field], 0);
  return {
    ...median,
    storedMessages: total("storedMessages"),
    acceptedMessages: total("acceptedMessages"),
    unansweredMessages: total("unansweredMessages"),
    replyOutboxEntries: total("replyOutboxEntries"),
    failedRequests: total("failedRequests"),
    rounds: results.map((result) => ({
      switchboard: rps(result.switchboard),
      parseOnly: rps(result.sameServerFloor),
      parseAndVerify: rps(result.sameServerVerifyFloor),
      bareFastify: rps(result.floor),
    })),
  };
}

/** One round: Switchboard at each concurrency (then its replies' backlog), then its three floors. */
async function runSmsRound(levels: number[], durationSeconds: number): Promise<SmsResult> {
  const switchboard: SmsLevelResult[] = [];
  const floor: SmsLevelResult[] = [];
  const server = await startVoiceServer({ kind: "switchboard", model: "tokens20", keepDataDirectory: true });
  let storedMessages = 0;
  let replyOutboxEntries = 0;
  let unansweredMessages = Number.NaN;
  let replyDrainMs = Number.NaN;
  let largestWalMiB = Number.NaN;
  const wal = server.dataDirectory
    ? watchFileSize(path.join(server.dataDirectory, "switchboard.db-wal"), 250)
    : undefined;
  try {
    for (const concurrency of levels) {
      switchboard.push(await fireSmsLoad(`http://127.0.0.1:${server.port}`, concurrency, durationSeconds));
    }
    if (server.dataDirectory) {
      replyDrainMs = await waitForReplies(path.join(server.dataDirectory, "switchboard.db"), 120_000);
    }
  } finally {
    if (wal) largestWalMiB = wal.stop();
    await server.stop();
    if (server.dataDirectory) {
      try {
        ({ storedMessages, replyOutboxEntries, unansweredMessages } = countSmsReplies(
          path.join(server.dataDirectory, "switchboard.db"),
        ));
      } finally {
        rmSync(server.dataDirectory, { recursive: true, force: true });
      }
    }
  }
  const sameServerFloor: SmsLevelResult[] = [];
  const sameServerVerifyFloor: SmsLevelResult[] = [];
  const parseOnly = await startVoiceServer({ kind: "switchboard", model: "tokens20" });
  try {
    for (const concurrency of levels) {
      const url = `http://127.0.0.1:${parseOnly.port}`;
      sameServerFloor.push(await fireSmsLoad(url, concurrency, durationSeconds, "/__bench/sms-parse-only"));
      const verified = await fireSmsLoad(url, concurrency, durationSeconds, "/__bench/sms-parse-and-verify");
      // A floor that refused the signatures would only measure how fast it says 403.
      if (verified.non2xx > 0)
        throw new Error(`the parse + signature floor refused ${verified.non2xx} webhooks`);
      sameServerVerifyFloor.push(verified);
    }
  } finally {
    await parseOnly.stop();
  }
  const floorChild = startChild("bench/floor-fastify-form.ts");
  try {
    const ready = await floorChild.waitForLine<{ port: number }>("BENCH_READY ", 20_000);
    for (const concurrency of levels) {
      floor.push(await fireSmsLoad(`http://127.0.0.1:${ready.port}`, concurrency, durationSeconds));
    }
  } finally {
    await floorChild.stop();
  }
  const acceptedMessages = switchboard.reduce((total, level) => total + level.responses2xx, 0);
  const failedRequests = [...switchboard, ...floor].reduce(
    (total, level) => total + level.non2xx + level.errors + level.timeouts,
    0,
  );
  const loadAndDrainSeconds = (levels.length * durationSeconds * 1000 + replyDrainMs) / 1000;
  return {
    switchboard,
    floor,
    sameServerFloor,
    sameServerVerifyFloor,
    storedMessages,
    acceptedMessages,
    replyOutboxEntries,
    unansweredMessages,
    failedRequests,
    replyDrainMs: round(replyDrainMs, 0),
    answeredPerSecond: round(storedMessages / loadAndDrainSeconds, 1),
    largestWalMiB: round(largestWalMiB, 1),
  };
}
