/**
 * One voice load level: start the target server (Switchboard through bench-server, or the bare
 * `ws` floor) as its own process, drive it with bench/load-voice.ts in another process, stop both.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startChild } from "./bench-util.js";
import { buildDist } from "./build-dist.js";
import type { LoadVoiceOptions, LoadVoiceResult } from "./load-voice.js";

export const benchAuthToken = "bench-auth-token";
export const benchPublicUrl = "http://127.0.0.1";

/** What every Switchboard process under test runs with: loopback, SQLite in its own directory, signed webhooks. */
export function benchServerEnvironment(port: number, dataDirectory: string): Record<string, string> {
  return {
    PORT: String(port),
    HOST: "127.0.0.1",
    STORE: "sqlite",
    DATA_DIR: dataDirectory,
    LOG_LEVEL: "warn",
    TWILIO_AUTH_TOKEN: benchAuthToken,
    PUBLIC_URL: benchPublicUrl,
    ADMIN_TOKEN: "bench-admin-token",
  };
}

export interface VoiceTarget {
  kind: "switchboard" | "floor";
  /** bench-server BENCH_MODEL, or floor FLOOR_MODE (`two-frames` and `transcript`: floor only). */
  model: "tokens20" | "stream200" | "stamped" | "configured" | "single" | "two-frames" | "transcript";
  /** Extra environment (LLM_PROVIDER… for `configured`). */
  environment?: Record<string, string>;
  /** Write a V8 CPU profile of the server into this directory. */
  cpuProfileDirectory?: string;
  /** Keep the SQLite data directory after stop (the caller inspects and removes it). */
  keepDataDirectory?: boolean;
}

export interface RunningServer {
  port: number;
  pid: number;
  /** Switchboard and the floor's `transcript` rung: the SQLite data directory. */
  dataDirectory?: string;
  stop(): Promise<void>;
}

/** Starts Switchboard (bench-server) or a floor server and waits for its BENCH_READY line. */
export async function startVoiceServer(target: VoiceTarget): Promise<RunningServer> {
  const nodeArguments = ["--expose-gc"];
  // V8 flags for an A/B (`BENCH_NODE_ARGS` in a variant's environment): NODE_OPTIONS refuses most.
  const extraArguments = target.environment?.BENCH_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [];
  nodeArguments.push(...extraArguments);
  if (target.cpuProfileDirectory)
    nodeArguments.push("--cpu-prof", `--cpu-prof-dir=${target.cpuProfileDirectory}`);
  if (target.kind === "floor") {
    const floorModes: readonly string[] = ["stream200", "stamped", "two-frames", "transcript"];
    // The transcript rung writes the app's SQLite store here.
    const dataDirectory =
      target.model === "transcript" ? mkdtempSync(path.join(os.tmpdir(), "switchboard-floor-")) : undefined;
    const removeData = () => {
      if (dataDirectory && !target.keepDataDirectory) rmSync(dataDirectory, { recursive: true, force: true });
    };
    const child = startChild("bench/floor-ws-server.ts", {
      nodeArguments,
      environment: {
        FLOOR_MODE: floorModes.includes(target.model) ? target.model : "single",
        FLOOR_DELTA_MS: "2",
        ...(dataDirectory ? { FLOOR_DATA_DIR: dataDirectory } : {}),
      },
    });
    try {
      const ready = await child.waitForLine<{ port: number; pid: number }>("BENCH_READY ", 20_000);
      return {
        ...ready,
        ...(dataDirectory ? { dataDirectory } : {}),
        async stop() {
          await child.stop(5000);
          removeData();
        },
      };
    } catch (error) {
      await child.stop();
      removeData();
      throw error;
    }
  }
  // bench-server runs the compiled app (dist/), as deployed: built once per runner process.
  if (target.environment?.BENCH_CODE !== "src") buildDist();
  const dataDirectory = mkdtempSync(path.join(os.tmpdir(), "switchboard-bench-"));
  const child = startChild("bench/bench-server.ts", {
    nodeArguments,
    environment: {
      ...benchServerEnvironment(0, dataDirectory),
      BENCH_MODEL: target.model,
      BENCH_DELTA_MS: "2",
      ...target.environment,
    },
  });
  try {
    const ready = await child.waitForLine<{ port: number; pid: number }>("BENCH_READY ", 30_000);
    return {
      ...ready,
      dataDirectory,
      async stop() {
        await child.stop(5000);
        if (!target.keepDataDirectory) rmSync(dataDirectory, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await child.stop();
    rmSync(dataDirectory, { recursive: true, force: true });
    throw error;
  }
}

/** The generator's options for a running server: URL, signature and stats endpoint. */
export function loadOptionsFor(
  server: RunningServer,
  kind: VoiceTarget["kind"],
  load: Omit<LoadVoiceOptions, "url" | "signedUrl" | "authToken" | "statsUrl">,
): LoadVoiceOptions {
  return {
    ...load,
    url:
      kind === "switchboard"
        ? `ws://127.0.0.1:${server.port}/twilio/relay`
        : `ws://127.0.0.1:${server.port}/`,
    statsUrl: `http://127.0.0.1:${server.port}`,
    ...(kind === "switchboard"
      ? {
          signedUrl: `${benchPublicUrl.replace(/^http/, "ws")}/twilio/relay`,
          authToken: benchAuthToken,
          voiceWebhook: {
            url: `http://127.0.0.1:${server.port}/twilio/voice`,
            signedUrl: `${benchPublicUrl}/twilio/voice`,
          },
        }
      : {}),
  };
}

/** Runs the load generator against a running server and returns its result (the churn mode's is its own). */
export async function runLoad<Result = LoadVoiceResult>(
  server: RunningServer,
  kind: VoiceTarget["kind"],
  load: Omit<LoadVoiceOptions, "url" | "signedUrl" | "authToken" | "statsUrl">,
): Promise<Result> {
  const options = loadOptionsFor(server, kind, load);
  const generator = startChild("bench/load-voice.ts", { scriptArguments: [JSON.stringify(options)] });
  try {
    const limitMs = load.durationMs + load.turnTimeoutMs * 4 + 90_000;
    return await generator.waitForLine<Result>("BENCH_RESULT ", limitMs);
  } finally {
    await generator.stop();
  }
}

/**
 * The think-time load of the A/B tools (compare-voice-cpu.ts, voice-cost-ladder.ts): `calls` calls
 * taking turns with exponential think time, after `warmUpTurns` unrecorded turns.
 */
export function thinkTimeLoad(options: {
  calls: number;
  durationMs: number;
  thinkMs: number;
  warmUpTurns: number;
}): Omit<LoadVoiceOptions, "url" | "signedUrl" | "authToken" | "statsUrl"> {
  return {
    ...options,
    mode: "turns",
    turnTimeoutMs: 10_000,
    idleWindowMs: 500,
    warmUpSpreadMs: Math.min(2000, options.thinkMs),
  };
}

/** Fresh server, one load level, server stopped (also on failure). */
export async function runVoiceLevel(
  target: VoiceTarget,
  load: Omit<LoadVoiceOptions, "url" | "signedUrl" | "authToken" | "statsUrl">,
): Promise<LoadVoiceResult> {
  const server = await startVoiceServer(target);
  try {
    return await runLoad(server, target.kind, load);
  } finally {
    await server.stop();
  }
}
