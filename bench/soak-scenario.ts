/**
 * The soak (`--only soak`; a short one in `--quick`): one Switchboard server, calls placed, talked
 * on and hung up for the whole run (bench/soak-churn.ts), some callers texting afterwards, the heap
 * read after forced collections; then every text checked in the database for its stored message
 * and its reply.
 */
import { rmSync } from "node:fs";
import path from "node:path";
import { countSmsReplies } from "./sms-scenario.js";
import type { ChurnResult } from "./soak-churn.js";
import { runLoad, startVoiceServer } from "./voice-scenario.js";

export interface SoakSettings {
  /** Calls live at once. */
  calls: number;
  durationMs: number;
  thinkMs: number;
  turnsPerCall: number;
  sampleEveryMs: number;
  /** Each phase ends with every call hung up and the heap read with no call open. */
  phases: number;
  /** The share of callers who text the same number right after hanging up. */
  textAfterCallShare: number;
  turnTimeoutMs: number;
  /**
   * Judge the heap's growth only on a run this long or longer: over a few seconds, the noise of a
   * heap sample divided by a few hundred calls is larger than any leak worth finding.
   */
  judgeFromMs: number;
}

/** Heap growth per ended call above this is state kept for every call: a leak. */
export const leakBytesPerCall = 1024;

export interface SoakResult extends ChurnResult {
  /** The callers' texts stored in their conversations, and those with no SMS reply after them. */
  textsStored: number;
  textsUnanswered: number;
  /** True when the run was long enough and the heap grew by more than `leakBytesPerCall` a call. */
  leaking: boolean;
  judged: boolean;
}

export async function runSoakScenario(settings: SoakSettings): Promise<SoakResult> {
  const server = await startVoiceServer({ kind: "switchboard", model: "tokens20", keepDataDirectory: true });
  try {
    let result: ChurnResult;
    try {
      result = await runLoad<ChurnResult>(server, "switchboard", {
        calls: settings.calls,
        mode: "churn",
        durationMs: settings.durationMs,
        thinkMs: settings.thinkMs,
        turnTimeoutMs: settings.turnTimeoutMs,
        turnsPerCall: settings.turnsPerCall,
        sampleEveryMs: settings.sampleEveryMs,
        phases: settings.phases,
        textAfterCallShare: settings.textAfterCallShare,
      });
    } finally {
      await server.stop();
    }
    // Read once the server has stopped: everything it accepted is in the file.
    const texts = server.dataDirectory
      ? countSmsReplies(path.join(server.dataDirectory, "switchboard.db"))
      : { storedMessages: Number.NaN, unansweredMessages: Number.NaN };
    // NaN crossed the process boundary as JSON's null.
    const heapGrowthBytesPerCall = result.heapGrowthBytesPerCall ?? Number.NaN;
    const judged = settings.durationMs >= settings.judgeFromMs;
    return {
      ...result,
      textsStored: texts.storedMessages,
      textsUnanswered: texts.unansweredMessages,
      heapGrowthBytesPerCall,
      judged,
      leaking: judged && heapGrowthBytesPerCall > leakBytesPerCall,
    };
  } finally {
    if (server.dataDirectory) rmSync(server.dataDirectory, { recursive: true, force: true });
  }
}
