/**
 * Top self-time functions of a V8 `.cpuprofile` (from `node --cpu-prof`).
 * Usage: npx tsx bench/summarize-cpu-profile.ts <file.cpuprofile> [top]
 */
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTimeRow {
  function: string;
  selfMs: number;
  percent: number;
}

function shortLocation(url: string, lineNumber: number): string {
  if (!url) return "";
  const trimmed = url.replace(/^file:\/\//, "");
  const modules = trimmed.lastIndexOf("node_modules/");
  const source = trimmed.indexOf("/src/");
  const shown =
    modules >= 0 ? trimmed.slice(modules + 13) : source >= 0 ? trimmed.slice(source + 1) : trimmed;
  return `${shown}:${lineNumber + 1}`;
}

export function summarizeCpuProfile(file: string, top = 15): SelfTimeRow[] {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const labels = new Map<number, string>();
  for (const node of profile.nodes) {
    const name = node.callFrame.functionName || "(anonymous)";
    const location = shortLocation(node.callFrame.url, node.callFrame.lineNumber);
    labels.set(node.id, location ? `${name} ${location}` : name);
  }
  const selfMicros = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((nodeId, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    const label = labels.get(nodeId) ?? "?";
    if (label.startsWith("(idle)")) return;
    total += delta;
    selfMicros.set(label, (selfMicros.get(label) ?? 0) + delta);
  });
  return [...selfMicros.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([label, micros]) => ({
      function: label,
      selfMs: Math.round(micros / 100) / 10,
      percent: Math.round((micros / Math.max(1, total)) * 1000) / 10,
    }));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const file = process.argv[2];
  if (!file) throw new Error("usage: summarize-cpu-profile.ts <file.cpuprofile> [top]");
  for (const row of summarizeCpuProfile(file, Number(process.argv[3] ?? "15"))) {
    process.stdout.write(
      `${String(row.percent).padStart(5)}%  ${String(row.selfMs).padStart(8)} ms  ${row.function}\n`,
    );
  }
}
