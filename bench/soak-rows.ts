/** The soak's rows in the printed table (no floor: a bare `ws` server keeps nothing per call). */
import { single, type TableRow } from "./report-table.js";
import { leakBytesPerCall, type SoakResult } from "./soak-scenario.js";

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
/** A window between two samples needs this many turns for its p99 (not the few after a phase's end). */
const minimumWindowTurns = 100;

export function soakRows(soak: SoakResult): TableRow[] {
  const name = `soak C=${soak.calls}, ${soak.turnsPerCall} turns a call, ${Math.round(soak.durationMs / 1000)} s`;
  const quiesced = soak.samples.filter((sample) => sample.quiesced);
  const live = soak.samples.filter((sample) => !sample.quiesced);
  const largestLive = Math.max(...live.map((sample) => sample.heapUsedBytes));
  const windows = soak.samples.filter((sample) => sample.windowTurns >= minimumWindowTurns);
  const verdict = !soak.judged
    ? "not judged (run shorter than 2 min)"
    : soak.leaking
      ? `LEAK: over ${leakBytesPerCall} B a call`
      : `no leak of ${leakBytesPerCall} B a call or more`;
  return [
    single(`${name}: calls ended (placed, talked on, hung up)`, soak.callsEnded, 0),
    single(`${name}: turns`, soak.turns, 0),
    single(
      `${name}: server heap after a full GC, no call open: at start, then after each of ${soak.phases} phases (MiB)`,
      quiesced.map((sample) => mib(sample.heapUsedBytes)).join(" / "),
    ),
    single(
      `${name}: server heap after a full GC, calls open: largest sample (MiB)`,
      live.length > 0 ? mib(largestLive) : "n/a",
    ),
    single(
      `${name}: server RSS, no call open: at start, then after each phase (MiB)`,
      quiesced.map((sample) => mib(sample.rssBytes)).join(" / "),
    ),
    single(
      `${name}: heap growth per ended call, over the later half of the phase ends (bytes)`,
      soak.heapGrowthBytesPerCall,
      0,
    ),
    single(`${name}: verdict`, verdict),
    single(
      `${name}: first token p50 / p99, turns in flight during a sample left out (ms)`,
      `${soak.firstTokenMs.p50.toFixed(2)} / ${soak.firstTokenMs.p99.toFixed(2)}`,
    ),
    single(
      `${name}: first token p99, first → last window between samples (ms)`,
      windows.length > 0
        ? `${windows[0]?.windowFirstTokenP99Ms.toFixed(2)} → ${windows.at(-1)?.windowFirstTokenP99Ms.toFixed(2)}`
        : "n/a",
    ),
    single(
      `${name}: a sample's stats request, two forced full GCs, p50 / max (ms); turns in flight meanwhile`,
      `${soak.sampleRequestMs.p50.toFixed(1)} / ${soak.sampleRequestMs.max.toFixed(1)}; ${soak.turnsDuringSamples}`,
    ),
    single(
      `${name}: texts after a call: sent / stored / left without an SMS reply`,
      `${soak.textsSent} / ${soak.textsStored} / ${soak.textsUnanswered}`,
    ),
    single(
      `${name}: errors + timeouts + connect errors + failed hang-up callbacks + refused texts`,
      soak.errors + soak.timeouts + soak.connectErrors + soak.endedCallbackFailures + soak.textsRefused,
      0,
    ),
  ];
}
