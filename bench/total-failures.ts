/** What makes `npm run bench` exit 1: everything that went wrong in any round of any scenario. */
import type { BenchResults } from "./bench-results.js";
import { failedCalls } from "./median-round.js";

/**
 * Failed calls of every round (a level reported by its median round lists every round's failures),
 * interrupted replies that still ended, refused or lost webhooks, unanswered messages, a soak's
 * failed calls, callbacks and texts or a heap that grew with every ended call, and errors at
 * the saturation search's lowest rate (a failing step higher up is the search's answer, not an error).
 */
export function totalFailures(results: BenchResults): number {
  let failures = 0;
  for (const level of results.voice) {
    failures += level.rounds
      ? level.rounds.reduce((sum, round) => sum + round.failures, 0)
      : failedCalls(level.switchboard) + failedCalls(level.floor);
  }
  const openAi = results.voiceOpenAi;
  failures += openAi?.rounds
    ? openAi.rounds.reduce((sum, round) => sum + round.failures, 0)
    : failedCalls(openAi?.switchboard);
  failures += failedCalls(results.interrupt?.switchboard) + failedCalls(results.interrupt?.floor);
  failures += failedCalls(results.forwarding?.switchboard) + failedCalls(results.forwarding?.floor);
  failures += results.interrupt?.switchboard.repliesNotStopped ?? 0;
  failures += results.sms?.failedRequests ?? 0;
  if (results.sms && results.sms.storedMessages < results.sms.acceptedMessages) failures++;
  if (results.sms && results.sms.unansweredMessages !== 0) failures++;
  const soak = results.soak;
  if (soak) {
    failures += soak.connectErrors + soak.errors + soak.timeouts + soak.endedCallbackFailures;
    failures += soak.textsRefused;
    // Every text accepted is stored and answered (NaN, not counted, reads as a failure too).
    if (!(soak.textsStored >= soak.textsSent - soak.textsRefused)) failures++;
    if (soak.textsUnanswered !== 0) failures++;
    if (soak.leaking) failures++;
  }
  for (const search of [results.saturation?.switchboard, results.saturation?.floor]) {
    const first = search?.steps[0];
    if (first && !first.passed && search?.limitedBy === "errors") failures++;
  }
  return failures;
}
