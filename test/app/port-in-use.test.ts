import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";

describe("npm start on a port already in use", () => {
  let blocker: Server | undefined;
  const directory = mkdtempSync(path.join(os.tmpdir(), "switchboard-port-"));
  afterEach(async () => {
    await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
    rmSync(directory, { recursive: true, force: true });
  });

  it("says which address is taken and what to do, without a stack trace, and exits 1", async () => {
    blocker = createServer();
    await new Promise<void>((resolve) => blocker?.listen(0, "127.0.0.1", resolve));
    const { port } = blocker.address() as { port: number };
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      cwd: path.resolve(import.meta.dirname, "../.."),
      env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", DATA_DIR: directory, LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code).toBe(1);
    expect(stderr).toContain(
      `Switchboard cannot start: 127.0.0.1:${port} is already in use (another Switchboard, or another server). Stop it, or set PORT to a free port.`,
    );
    expect(stderr).not.toMatch(/\n\s+at /);
  }, 30_000);
});
