/**
 * Cold start: process spawn → first 200 from `GET /healthz` for the compiled server as deployed
 * (`node dist/main.js`, built with `npm run build` before the runs; the build is not timed), for
 * the development start (`node --import tsx src/main.ts`, what `npm start` runs), both with SQLite
 * in a fresh directory and the offline model, and for a bare `node -e` http server (the floor).
 * The port is chosen before the spawn so polling (every 5 ms) starts at once.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { type BenchChild, freePort, median, round, sleep, startChild } from "./bench-util.js";
import { buildDist } from "./build-dist.js";
import { benchServerEnvironment } from "./voice-scenario.js";

export interface ColdStartResult {
  runs: number;
  /** `node dist/main.js`. */
  compiledMs: number[];
  /** `node --import tsx src/main.ts`. */
  switchboardMs: number[];
  floorMs: number[];
  compiledMedianMs: number;
  switchboardMedianMs: number;
  floorMedianMs: number;
}

const floorServer =
  "require('node:http').createServer((q,s)=>{s.writeHead(200);s.end('ok')}).listen(Number(process.env.PORT),'127.0.0.1');process.stdin.resume();process.stdin.on('end',()=>process.exit(0))";

async function timeToHealthy(start: (port: number) => BenchChild, limitMs = 30_000): Promise<number> {
  const port = await freePort();
  const startedAt = performance.now();
  const child = start(port);
  try {
    while (performance.now() - startedAt < limitMs) {
      try {
        const response = await fetch(`http://127.0.0.1:${port}/healthz`);
        await response.arrayBuffer();
        if (response.status === 200) return performance.now() - startedAt;
      } catch {
        // not listening yet
      }
      if (child.child.exitCode !== null) throw new Error(`exited early:\n${child.output()}`);
      await sleep(5);
    }
    throw new Error(`no 200 from /healthz within ${limitMs} ms:\n${child.output()}`);
  } finally {
    await child.stop();
  }
}

export async function runColdStartScenario(runs: number): Promise<ColdStartResult> {
  buildDist();
  const compiledMs: number[] = [];
  const switchboardMs: number[] = [];
  const floorMs: number[] = [];
  for (let run = 0; run < runs; run++) {
    for (const [script, times] of [
      ["dist/main.js", compiledMs],
      ["src/main.ts", switchboardMs],
    ] as const) {
      const dataDirectory = mkdtempSync(path.join(os.tmpdir(), "switchboard-cold-"));
      try {
        times.push(await timeToHealthy((port) => startServer(script, port, dataDirectory)));
      } finally {
        rmSync(dataDirectory, { recursive: true, force: true });
      }
    }
    floorMs.push(
      await timeToHealthy((port) =>
        startChild("-e", {
          useTsx: false,
          scriptArguments: [floorServer],
          environment: { PORT: String(port) },
        }),
      ),
    );
  }
  return {
    runs,
    compiledMs: compiledMs.map((value) => round(value, 1)),
    switchboardMs: switchboardMs.map((value) => round(value, 1)),
    floorMs: floorMs.map((value) => round(value, 1)),
    compiledMedianMs: round(median(compiledMs), 1),
    switchboardMedianMs: round(median(switchboardMs), 1),
    floorMedianMs: round(median(floorMs), 1),
  };
}

function startServer(
  script: "dist/main.js" | "src/main.ts",
  port: number,
  dataDirectory: string,
): BenchChild {
  return startChild(script, {
    useTsx: script.endsWith(".ts"),
    environment: {
      ...benchServerEnvironment(port, dataDirectory),
      // The process environment wins over a developer's .env: keep the run local.
      LLM_PROVIDER: "offline",
      TWILIO_ACCOUNT_SID: "",
      SENDGRID_API_KEY: "",
      SEGMENT_WRITE_KEY: "",
    },
  });
}
