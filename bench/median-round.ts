/** How a voice level run several times is reported. */
import type { BenchResults, VoiceLevel } from "./bench-results.js";
import type { LoadVoiceResult } from "./load-voice.js";

/** Calls that errored, timed out or never connected in one run. */
export const failedCalls = (result: LoadVoiceResult | undefined): number =>
  result ? result.errors + result.timeouts + result.connectErrors : 0;

/** The run whose CPU per turn is the median (the lower middle one); a profiled first run is never chosen. */
function medianByCpu<Run>(measured: Run[], cpu: (run: Run) => number, firstProfiled: boolean): Run {
  const candidates = firstProfiled && measured.length > 1 ? measured.slice(1) : measured;
  const sorted = [...candidates].sort((a, b) => cpu(a) - cpu(b));
  return sorted[Math.floor((sorted.length - 1) / 2)] as Run;
}

/**
 * The level as reported: with several rounds, the one whose Switchboard CPU per turn is the median
 * (its floor from the same round), and every round's CPU figures and failures beside it. A profiled
 * first round is listed but not chosen.
 */
export function medianRound(
  calls: number,
  measured: Array<{ switchboard: LoadVoiceResult; floor: LoadVoiceResult }>,
  firstProfiled: boolean,
): VoiceLevel {
  const first = measured[0] as { switchboard: LoadVoiceResult; floor: LoadVoiceResult };
  if (measured.length === 1) return { calls, ...first };
  const median = medianByCpu(measured, (round) => round.switchboard.serverCpuMsPerTurn, firstProfiled);
  return {
    calls,
    ...median,
    rounds: measured.map((round) => ({
      switchboardCpuMsPerTurn: round.switchboard.serverCpuMsPerTurn,
      floorCpuMsPerTurn: round.floor.serverCpuMsPerTurn,
      failures: failedCalls(round.switchboard) + failedCalls(round.floor),
    })),
  };
}

/** The OpenAI-client level as reported: its median round by CPU per turn, every round listed. */
export function medianOpenAiRound(
  calls: number,
  measured: LoadVoiceResult[],
  firstProfiled: boolean,
): NonNullable<BenchResults["voiceOpenAi"]> {
  const first = measured[0] as LoadVoiceResult;
  if (measured.length === 1) return { calls, switchboard: first };
  return {
    calls,
    switchboard: medianByCpu(measured, (run) => run.serverCpuMsPerTurn, firstProfiled),
    rounds: measured.map((run) => ({
      switchboardCpuMsPerTurn: run.serverCpuMsPerTurn,
      failures: failedCalls(run),
    })),
  };
}
