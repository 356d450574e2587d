/** The result table: one row per figure, with its floor and `ratio = value / floor`. */

export interface TableRow {
  scenario: string;
  value: number | string;
  floor: number | string;
  ratio: number | string;
}

export function ratioOf(value: number, floor: number): number | string {
  if (!Number.isFinite(value) || !Number.isFinite(floor) || floor <= 0) return "—";
  const ratio = value / floor;
  // Throughput ratios are below 1: keep enough digits to read them.
  return ratio >= 1 ? Math.round(ratio * 10) / 10 : Math.round(ratio * 1000) / 1000;
}

/** A row comparing two measured numbers (`decimals` for display only; JSON keeps full values). */
export function compared(scenario: string, value: number, floor: number, decimals = 2): TableRow {
  return {
    scenario,
    value: fixed(value, decimals),
    floor: fixed(floor, decimals),
    ratio: ratioOf(value, floor),
  };
}

export function single(scenario: string, value: number | string, decimals = 2): TableRow {
  return {
    scenario,
    value: typeof value === "number" ? fixed(value, decimals) : value,
    floor: "—",
    ratio: "—",
  };
}

function fixed(value: number, decimals: number): number | string {
  if (!Number.isFinite(value)) return "n/a";
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

export function renderMarkdownTable(rows: readonly TableRow[]): string {
  const cell = (value: number | string, isRatio = false) =>
    typeof value === "number" && isRatio ? `${value}×` : String(value);
  const lines = ["| scenario | value | floor | ratio |", "|---|---:|---:|---:|"];
  for (const row of rows) {
    lines.push(`| ${row.scenario} | ${cell(row.value)} | ${cell(row.floor)} | ${cell(row.ratio, true)} |`);
  }
  return lines.join("\n");
}
