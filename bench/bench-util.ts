/**
 * Shared helpers for the benchmark harness: child processes that are always killed, the
 * `BENCH_READY`/`BENCH_RESULT` line protocol between a child and the runner, percentiles.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

export const repositoryRoot = path.resolve(import.meta.dirname, "..");

/** Every child started through `startChild`; killed on exit, on errors and on signals. */
const liveChildren = new Set<ChildProcess>();

export function killAllChildren(): void {
  for (const child of liveChildren) {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  liveChildren.clear();
}

/** In the runner: kill every child on exit, on an uncaught error and on SIGINT/SIGTERM. */
export function installCleanupHandlers(): void {
  process.on("exit", killAllChildren);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      killAllChildren();
      process.exit(130);
    });
  }
}

export interface BenchChild {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far (for error messages). */
  output(): string;
  /** Resolves with the JSON after the first stdout line starting with `prefix` (bounded). */
  waitForLine<T>(prefix: string, timeoutMs: number): Promise<T>;
  /** Resolves with the exit code (or signal name). */
  exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `node [nodeArguments] --import tsx <script> [scriptArguments]` from the repository root.
 * stdin stays a pipe: children exit when it closes, so they never outlive the runner.
 */
export function startChild(
  script: string,
  options: {
    scriptArguments?: string[];
    nodeArguments?: string[];
    environment?: Record<string, string>;
    useTsx?: boolean;
  } = {},
): BenchChild {
  const nodeArguments = [...(options.nodeArguments ?? [])];
  if (options.useTsx !== false) nodeArguments.push("--import", "tsx");
  const child = spawn(process.execPath, [...nodeArguments, script, ...(options.scriptArguments ?? [])], {
    cwd: repositoryRoot,
    env: { ...process.env, ...options.environment },
    stdio: ["pipe", "pipe", "pipe"],
  });
  liveChildren.add(child);
  let output = "";
  let stdoutBuffer = "";
  const lineListeners = new Set<(line: string) => void>();
  child.stdout?.on("data", (chunk: Buffer) => {
    const text = chunk.toString();
    output += text;
    stdoutBuffer += text;
    let newline = stdoutBuffer.indexOf("\n");
    while (newline >= 0) {
      const line = stdoutBuffer.slice(0, newline);
      stdoutBuffer = stdoutBuffer.slice(newline + 1);
      for (const listener of lineListeners) listener(line);
      newline = stdoutBuffer.indexOf("\n");
    }
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | string>((resolve) => {
    child.on("exit", (code, signal) => {
      liveChildren.delete(child);
      resolve(code ?? signal ?? "unknown");
    });
  });
  return {
    child,
    output: () => output,
    exited,
    waitForLine<T>(prefix: string, timeoutMs: number): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const finish = () => {
          clearTimeout(timer);
          lineListeners.delete(listener);
        };
        const listener = (line: string) => {
          if (!line.startsWith(prefix)) return;
          finish();
          try {
            resolve(JSON.parse(line.slice(prefix.length)) as T);
          } catch (error) {
            reject(error);
          }
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`${script}: no "${prefix}" line within ${timeoutMs} ms. Output:\n${output}`));
        }, timeoutMs);
        lineListeners.add(listener);
        void exited.then((code) => {
          if (!lineListeners.has(listener)) return;
          finish();
          reject(new Error(`${script} exited (${code}) before "${prefix}". Output:\n${output}`));
        });
      });
    },
    async stop(graceMs = 3000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Writes the `BENCH_READY`/`BENCH_RESULT` line a child reports to the runner. */
export function report(prefix: "BENCH_READY " | "BENCH_RESULT " | "BENCH_STEP ", value: unknown): void {
  process.stdout.write(`${prefix}${JSON.stringify(value)}\n`);
}

/** In a child: exit when the runner goes away (stdin closes), so no child is ever orphaned. */
export function exitWhenParentGoes(onExit: () => void | Promise<void> = () => undefined): void {
  const leave = () => {
    Promise.resolve(onExit()).finally(() => process.exit(0));
  };
  process.stdin.on("end", leave);
  process.stdin.on("close", leave);
  process.stdin.resume();
  process.on("SIGTERM", leave);
  process.on("SIGINT", leave);
}

/** An unused TCP port on 127.0.0.1 (bound, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles (ms), rounded to 3 decimals. */
export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (fraction: number) => {
    if (sorted.length === 0) return Number.NaN;
    const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
    return round(sorted[index] ?? Number.NaN);
  };
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    count: sorted.length,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    max: round(sorted.at(-1) ?? Number.NaN),
    mean: round(sorted.length > 0 ? sum / sorted.length : Number.NaN),
  };
}

export function median(values: readonly number[]): number {
  return percentiles(values).p50;
}

export function round(value: number, decimals = 3): number {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
}

/** What `GET /__bench/stats` answers (bench-server and the floor servers). */
export interface ServerStats {
  pid: number;
  cpuUserMicros: number;
  cpuSystemMicros: number;
  rssBytes: number;
  heapUsedBytes: number;
  /**
   * Times the server's main thread has gone to sleep and been woken since it started (Linux:
   * `voluntary_ctxt_switches` of `/proc/thread-self/status`; NaN where there is none).
   */
  mainThreadSleeps: number;
  /** The server's `node` options (`process.execArgv`): what an A/B's `BENCH_NODE_ARGS` added. */
  nodeArguments: string[];
}

/** `?gc=1` runs a full collection first (the servers start with --expose-gc) so RSS settles. */
export async function fetchStats(baseUrl: string, collectGarbage = false): Promise<ServerStats> {
  const response = await fetch(`${baseUrl}/__bench/stats${collectGarbage ? "?gc=1" : ""}`, {
    signal: AbortSignal.timeout(30_000),
  });
  if (!response.ok) throw new Error(`stats: HTTP ${response.status}`);
  return (await response.json()) as ServerStats;
}

/** The stats body, for the servers' own `/__bench/stats` handler. */
export function currentStats(collectGarbage: boolean): ServerStats {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collectGarbage && collect) {
    collect();
    collect();
  }
  const cpu = process.cpuUsage();
  const memory = process.memoryUsage();
  return {
    pid: process.pid,
    cpuUserMicros: cpu.user,
    cpuSystemMicros: cpu.system,
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    mainThreadSleeps: threadSleeps(),
    nodeArguments: process.execArgv,
  };
}

/** `voluntary_ctxt_switches` of the calling thread (the stats route runs on the main thread). */
function threadSleeps(): number {
  try {
    return voluntarySwitchesIn(readFileSync("/proc/thread-self/status", "utf8"));
  } catch {
    return Number.NaN;
  }
}

/** The `voluntary_ctxt_switches` count of a `/proc/<pid>/status` text; NaN without one. */
export function voluntarySwitchesIn(status: string): number {
  const match = /^voluntary_ctxt_switches:\s*(\d+)$/m.exec(status);
  return match?.[1] ? Number(match[1]) : Number.NaN;
}

export function cpuMillisBetween(before: ServerStats, after: ServerStats): number {
  return (after.cpuUserMicros - before.cpuUserMicros + after.cpuSystemMicros - before.cpuSystemMicros) / 1000;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The scripted reply: 20 short tokens (what the voice and model-client scenarios stream). */
export const twentyTokens = [
  "Sure",
  ",",
  " I",
  " can",
  " help",
  " with",
  " that",
  ".",
  " Your",
  " order",
  " ships",
  " today",
  " and",
  " should",
  " arrive",
  " by",
  " Friday",
  ".",
  " Anything",
  " else?",
];
