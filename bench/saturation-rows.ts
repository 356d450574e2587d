/** The saturation search's rows of the result table (see bench/saturation-search.ts). */
import { compared, ratioOf, type TableRow } from "./report-table.js";
import type { SaturationResult, SaturationSearch, SaturationStep } from "./saturation-search.js";

/** A capacity the search measured, or a bound with the reason it is only a bound. */
interface Capacity {
  rate: number;
  exact: boolean;
  label: string;
}

function capacityOf(search: SaturationSearch, divisor = 1): Capacity {
  const first = search.steps[0];
  const shown = (rate: number) => Math.round((rate / divisor) * 10) / 10;
  if (search.maxPassingRate === undefined) {
    const rate = first?.rate ?? Number.NaN;
    return { rate: Number.NaN, exact: false, label: `< ${shown(rate)} (${first?.reason ?? "no step"})` };
  }
  const rate = search.maxPassingRate;
  if (search.limitedBy === "load generator") {
    return {
      rate,
      exact: false,
      label: `≥ ${shown(rate)} (generator saturated at ${search.firstFailing?.rate} turns/s)`,
    };
  }
  if (search.limitedBy === "ladder exhausted") {
    return { rate, exact: false, label: `≥ ${shown(rate)} (highest rate tried)` };
  }
  return { rate, exact: true, label: String(shown(rate)) };
}

function capacityRatio(value: Capacity, floor: Capacity): number | string {
  const ratio = ratioOf(value.rate, floor.rate);
  if (value.exact && floor.exact) return ratio;
  // The floor is only a lower bound: the ratio is an upper bound.
  if (value.exact && typeof ratio === "number") return `≤ ${ratio}×`;
  return "—";
}

const lastStep = (search: SaturationSearch) => search.steps.at(-1);
const cpuSecondRate = (step: SaturationStep | undefined) =>
  step && step.serverCpuPercent > 0 ? step.turnsPerSecond / (step.serverCpuPercent / 100) : Number.NaN;

function failureText(search: SaturationSearch): string {
  const step = search.firstFailing;
  return step ? `${step.rate}: ${step.reason}` : "none";
}

function stepsText(search: SaturationSearch): string {
  return search.steps
    .map((step) => `${step.rate}→${step.firstTokenMs.p99}${step.passed ? "" : "✗"}`)
    .join(", ");
}

export function saturationRows(result: SaturationResult): TableRow[] {
  const { switchboard, floor, cores, settings } = result;
  const limit = settings.p99FirstTokenLimitMs;
  const value = capacityOf(switchboard);
  const floorValue = capacityOf(floor);
  const perCore = capacityOf(switchboard, cores);
  const floorPerCore = capacityOf(floor, cores);
  const passing = switchboard.lastPassing;
  const floorPassing = floor.lastPassing;
  const switchboardLast = lastStep(switchboard);
  const floorLast = lastStep(floor);
  return [
    {
      scenario: `saturation: max turns/s with p99 first token ≤ ${limit} ms, one server process (open loop)`,
      value: value.label,
      floor: floorValue.label,
      ratio: capacityRatio(value, floorValue),
    },
    {
      scenario: `saturation: the same ÷ ${cores} cores of this machine (os.availableParallelism; turns/s per core)`,
      value: perCore.label,
      floor: floorPerCore.label,
      ratio: capacityRatio(perCore, floorPerCore),
    },
    compared(
      "saturation: turns/s per second of server CPU, at the last passing step",
      cpuSecondRate(passing),
      cpuSecondRate(floorPassing),
      0,
    ),
    compared(
      "saturation: server CPU at the last passing step (% of one core)",
      passing?.serverCpuPercent ?? Number.NaN,
      floorPassing?.serverCpuPercent ?? Number.NaN,
      1,
    ),
    compared(
      "saturation: first token p99 at the last passing step (ms)",
      passing?.firstTokenMs.p99 ?? Number.NaN,
      floorPassing?.firstTokenMs.p99 ?? Number.NaN,
    ),
    compared(
      "saturation: last:true p99 at the last passing step (ms)",
      passing?.lastTokenMs.p99 ?? Number.NaN,
      floorPassing?.lastTokenMs.p99 ?? Number.NaN,
    ),
    {
      ...compared(
        "saturation: whole machine CPU in use during the last passing step (cores, all processes)",
        passing?.machineBusyCores ?? Number.NaN,
        floorPassing?.machineBusyCores ?? Number.NaN,
      ),
      ratio: "—",
    },
    {
      scenario: "saturation: first failing rate (turns/s) and why",
      value: failureText(switchboard),
      floor: failureText(floor),
      ratio: "—",
    },
    {
      scenario: "saturation: generator at the last step, schedule lag p99 (ms) / CPU (% of one core)",
      value: switchboardLast
        ? `${switchboardLast.scheduleLagMs.p99} / ${switchboardLast.generatorCpuPercent}`
        : "n/a",
      floor: floorLast ? `${floorLast.scheduleLagMs.p99} / ${floorLast.generatorCpuPercent}` : "n/a",
      ratio: "—",
    },
    {
      scenario: "saturation: steps, turns/s → first token p99 (ms), ✗ = failed",
      value: stepsText(switchboard),
      floor: stepsText(floor),
      ratio: "—",
    },
  ];
}
