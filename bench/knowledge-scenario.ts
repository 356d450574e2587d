/**
 * Knowledge search: runs `bench/knowledge-search.bench.ts` (written separately) as a child when it
 * exists and picks every `p50`/`p99` pair out of its output (JSON lines, or `p50 … p99 …` text).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { repositoryRoot, startChild } from "./bench-util.js";

export interface KnowledgeRow {
  name: string;
  p50Ms: number;
  p99Ms: number;
}

export type KnowledgeResult =
  | { status: "n/a"; reason: string }
  | { status: "ok"; rows: KnowledgeRow[]; output: string };

const script = "bench/knowledge-search.bench.ts";

function collect(value: unknown, name: string, rows: KnowledgeRow[]): void {
  if (typeof value !== "object" || value === null) return;
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      collect(item, `${name}[${index}]`, rows);
    });
    return;
  }
  const record = value as Record<string, unknown>;
  const p50 = record.p50 ?? record.p50Ms;
  const p99 = record.p99 ?? record.p99Ms;
  if (typeof p50 === "number" && typeof p99 === "number") {
    const label = record.name ?? record.scenario ?? record.label;
    // `overall`, `byKind.misspelled` → `overall`, `misspelled`.
    const fromPath = name.split(".").at(-1) ?? name;
    rows.push({ name: typeof label === "string" ? label : fromPath, p50Ms: p50, p99Ms: p99 });
    return;
  }
  for (const [key, child] of Object.entries(record)) collect(child, name ? `${name}.${key}` : key, rows);
}

export function parseKnowledgeOutput(output: string): KnowledgeRow[] {
  const rows: KnowledgeRow[] = [];
  for (const rawLine of output.split("\n")) {
    const line = rawLine.replace(/^BENCH_RESULT /, "").trim();
    if (!line.startsWith("{") && !line.startsWith("[")) continue;
    try {
      collect(JSON.parse(line), "", rows);
    } catch {
      // not JSON
    }
  }
  if (rows.length > 0) return rows;
  for (const line of output.split("\n")) {
    const p50 = /p50\D{0,20}?([\d.]+)/i.exec(line);
    const p99 = /p99\D{0,20}?([\d.]+)/i.exec(line);
    if (p50?.[1] && p99?.[1]) {
      rows.push({
        name: line.split(/[:|]/)[0]?.trim() || "knowledge search",
        p50Ms: Number(p50[1]),
        p99Ms: Number(p99[1]),
      });
    }
  }
  return rows;
}

export async function runKnowledgeScenario(quick: boolean): Promise<KnowledgeResult> {
  if (!existsSync(path.join(repositoryRoot, script))) return { status: "n/a", reason: "not built yet" };
  const child = startChild(script, { scriptArguments: quick ? ["--quick"] : [] });
  const limitMs = quick ? 30_000 : 180_000;
  const timer = setTimeout(() => child.child.kill("SIGKILL"), limitMs);
  const code = await child.exited;
  clearTimeout(timer);
  const output = child.output();
  if (code !== 0) return { status: "n/a", reason: `exited with ${code}` };
  const rows = parseKnowledgeOutput(output);
  if (rows.length === 0) return { status: "n/a", reason: "no p50/p99 in its output" };
  return { status: "ok", rows, output };
}
