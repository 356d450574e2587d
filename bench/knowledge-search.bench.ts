/**
 * Micro benchmark of the local knowledge search: 10,000 records (the sample set replicated with
 * deterministic variations, in memory), 2,000 mixed queries, no result cache.
 * Run: npx tsx bench/knowledge-search.bench.ts
 * Prints a markdown table, then one line of JSON.
 */
import { fileURLToPath } from "node:url";
import { buildKnowledgeSearchIndex } from "../src/knowledge/build-knowledge-search-index.js";
import { extractKnowledgeFilters } from "../src/knowledge/extract-knowledge-filters.js";
import { silentKnowledgeLogger } from "../src/knowledge/knowledge-logger.js";
import { loadKnowledgeDirectory } from "../src/knowledge/load-knowledge-directory.js";
import type { KnowledgeFilters, KnowledgeRecord } from "../src/ports/knowledge-search.js";

const targetRecords = 10_000;
const queryCount = 2_000;
const warmupCount = 200;

let seed = 42;
const random = (): number => {
  seed = (seed + 0x6d2b79f5) | 0;
  let value = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
  return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
};
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;

const days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];
const venues = ["Venetian", "Wynn", "Encore", "Caesars Forum", "MGM Grand", "Mandalay Bay"];
const topics = [
  "at scale",
  "for startups",
  "in regulated industries",
  "patterns",
  "lessons learned",
  "best practices",
];

/** Copy `copy` of a record: new id, shifted day/venue/time, a varied title and text. */
function vary(record: KnowledgeRecord, copy: number): KnowledgeRecord {
  if (copy === 0) return record;
  const topic = topics[copy % topics.length];
  const fields = { ...record.fields };
  if (typeof fields.day === "string")
    fields.day = days[(days.indexOf(fields.day) + copy) % days.length] ?? fields.day;
  if (typeof fields.venue === "string")
    fields.venue = venues[(venues.indexOf(fields.venue) + copy) % venues.length] ?? fields.venue;
  if (typeof fields.startTime === "string") {
    const hour = 8 + ((Number(fields.startTime.slice(0, 2)) - 8 + copy) % 10);
    fields.startTime = `${String(hour).padStart(2, "0")}:${fields.startTime.slice(3)}`;
  }
  if (typeof fields.id === "string") fields.id = `${fields.id}-${copy}`;
  return {
    ...record,
    id: `${record.id}~${copy}`,
    title: `${record.title} (${topic})`,
    text: `${record.text} Edition ${copy}: ${topic}.`,
    fields,
  };
}

const sample = await loadKnowledgeDirectory(
  fileURLToPath(new URL("../knowledge", import.meta.url)),
  silentKnowledgeLogger,
);
const records: KnowledgeRecord[] = [];
for (let copy = 0; records.length < targetRecords; copy++) {
  for (const record of sample) {
    if (records.length >= targetRecords) break;
    records.push(vary(record, copy));
  }
}

const buildStart = performance.now();
const index = buildKnowledgeSearchIndex(records);
const buildMs = performance.now() - buildStart;

const known = {
  venues,
  tracks: [
    "AI/ML",
    "Serverless",
    "Databases",
    "Security",
    "Analytics",
    "Compute",
    "Storage",
    "Networking",
    "DevOps",
  ],
};
type Query = { kind: string; text: string; filters?: KnowledgeFilters };
const generators: Array<() => Query> = [
  () => ({
    kind: "keywords",
    text: pick([
      "SageMaker fine-tuning",
      "DynamoDB single-table design",
      "serverless observability",
      "vector search pgvector",
      "Graviton price performance",
      "ransomware backups",
      "Transit Gateway routing",
      "chaos engineering game days",
    ]),
  }),
  () => ({
    kind: "misspelled",
    text: pick([
      "sagemkaer",
      "kubernets autoscaling",
      "dynamdb",
      "obsrevability",
      "serverles",
      "guardduty findigns",
    ]),
  }),
  () => ({ kind: "prefix", text: pick(["serverl", "dynam", "sagem", "kinesi", "observ", "netw"]) }),
  () => ({
    kind: "speaker/code",
    text: pick(["Priya Raman", "Daniel Okafor", "AIM312", "SVS301", "DAT401", "Kenji Tanaka"]),
  }),
  () => ({ kind: "filters only", text: "", filters: { day: pick(days), venue: pick(venues) } }),
  () => ({
    kind: "query+filters",
    text: pick(["SageMaker", "security", "database", "workshop", "Lambda"]),
    filters: { day: pick(days), startsAfter: "12:00" },
  }),
  () => {
    const question = pick([
      "What SageMaker sessions are at Mandalay Bay on Thursday afternoon?",
      "anything on serverless after 3 pm on tuesday",
      "Where is the re:Play party?",
      "Is there wifi at the Venetian?",
      "database talks at Mandalay thursday morning",
      "how do the shuttles work",
    ]);
    const extracted = extractKnowledgeFilters(question, known);
    return { kind: "natural question", text: extracted.query, filters: extracted.filters };
  },
];
const queries = Array.from({ length: queryCount }, () => pick(generators)());

for (let warm = 0; warm < warmupCount; warm++) {
  const query = queries[warm % queries.length] as Query;
  index.search(query.text, { filters: query.filters, limit: 5 });
}

const latencies = new Map<string, number[]>();
const all: number[] = [];
let totalHits = 0;
for (const query of queries) {
  const start = performance.now();
  const hits = index.search(query.text, { filters: query.filters, limit: 5 });
  const elapsed = performance.now() - start;
  totalHits += hits.length;
  all.push(elapsed);
  const list = latencies.get(query.kind) ?? [];
  list.push(elapsed);
  latencies.set(query.kind, list);
}

const percentile = (values: number[], fraction: number): number => {
  const sorted = [...values].sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? 0;
};
const round = (value: number) => Math.round(value * 1000) / 1000;
const summarize = (values: number[]) => ({
  count: values.length,
  p50Ms: round(percentile(values, 0.5)),
  p99Ms: round(percentile(values, 0.99)),
  maxMs: round(Math.max(...values)),
});

const byKind = Object.fromEntries([...latencies].map(([kind, values]) => [kind, summarize(values)]));
const overall = summarize(all);
const lines = [
  `Local knowledge search: ${index.size} records, built in ${round(buildMs)} ms; ${queryCount} queries, cache off, Node ${process.version}`,
  "",
  "| queries | count | p50 (ms) | p99 (ms) | max (ms) |",
  "| --- | ---: | ---: | ---: | ---: |",
  ...Object.entries(byKind).map(
    ([kind, stats]) => `| ${kind} | ${stats.count} | ${stats.p50Ms} | ${stats.p99Ms} | ${stats.maxMs} |`,
  ),
  `| **all** | ${overall.count} | ${overall.p50Ms} | ${overall.p99Ms} | ${overall.maxMs} |`,
  "",
];
process.stdout.write(`${lines.join("\n")}\n`);
process.stdout.write(
  `${JSON.stringify({ records: index.size, buildMs: round(buildMs), queries: queryCount, averageHits: round(totalHits / queryCount), overall, byKind })}\n`,
);
