/** How a voice level run several times is reported. */
import type { VoiceLevel } from "./bench-results.js";
import type { LoadVoiceResult } from "./load-voice.js";

/**
 * The level as reported: with several rounds, the one whose Switchboard CPU per turn is the median
 * (its floor from the same round), and every round's CPU figures beside it. A profiled first round
 * is listed but not chosen.
 */
export function medianRound(
  calls: number,
  measured: Array<{ switchboard: LoadVoiceResult; floor: LoadVoiceResult }>,
  firstProfiled: boolean,
): VoiceLevel {
  const first = measured[0] as { switchboard: LoadVoiceResult; floor: LoadVoiceResult };
  if (measured.length === 1) return { calls, ...first };
  const candidates = firstProfiled ? measured.slice(1) : measured;
  const sorted = [...candidates].sort(
    (a, b) => a.switchboard.serverCpuMsPerTurn - b.switchboard.serverCpuMsPerTurn,
  );
  const median = sorted[Math.floor((sorted.length - 1) / 2)] ?? first;
  return {
    calls,
    ...median,
    rounds: measured.map((round) => ({
      switchboardCpuMsPerTurn: round.switchboard.serverCpuMsPerTurn,
      floorCpuMsPerTurn: round.floor.serverCpuMsPerTurn,
    })),
  };
}
