#!/usr/bin/env node
// What the container image (Dockerfile) runs, checked without a container: the compiled dist/ and
// the bundled directories in a fresh directory, `npm ci --omit=dev` there (production dependencies
// only), then `node dist/main.js` on the embedded defaults with NODE_ENV=production until
// GET /healthz, GET / and GET /metrics answer 200, then SIGTERM and a clean exit. Exit code 1
// otherwise. Needs the npm registry or npm's cache (CI runs it right after `npm ci`).
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const directory = mkdtempSync(path.join(os.tmpdir(), "switchboard-production-"));

function fail(message) {
  console.error(`production install: ${message}`);
  rmSync(directory, { recursive: true, force: true });
  process.exit(1);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const started = Date.now();
const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
const build = spawnSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], {
  cwd: root,
  stdio: "inherit",
});
if (build.status !== 0) fail("the build (tsc -p tsconfig.build.json) failed");
for (const entry of ["package.json", "package-lock.json", "dist", "knowledge", "prompts", "public"])
  cpSync(path.join(root, entry), path.join(directory, entry), { recursive: true });
const install = spawnSync("npm", ["ci", "--omit=dev", "--no-audit", "--no-fund"], {
  cwd: directory,
  stdio: "inherit",
});
if (install.status !== 0) fail("npm ci --omit=dev failed");
const installedMs = Date.now() - started;

const port = await freePort();
// A clean environment: nothing from a developer's shell or .env (real keys) reaches the server.
const server = spawn(process.execPath, ["dist/main.js"], {
  cwd: directory,
  env: {
    PATH: process.env.PATH ?? "",
    HOME: directory,
    NODE_ENV: "production",
    HOST: "127.0.0.1",
    PORT: String(port),
    DATA_DIR: path.join(directory, "data"),
    LOG_LEVEL: "warn",
  },
  stdio: ["ignore", "inherit", "inherit"],
});
const exited = new Promise((resolve) => server.on("exit", (code, signal) => resolve(code ?? signal)));

const base = `http://127.0.0.1:${port}`;
const deadline = Date.now() + 30_000;
let healthy = false;
while (!healthy && Date.now() < deadline) {
  healthy = await fetch(`${base}/healthz`).then(
    (response) => response.ok,
    () => false,
  );
  if (!healthy) await new Promise((resolve) => setTimeout(resolve, 100));
}
if (!healthy) {
  server.kill("SIGKILL");
  fail("GET /healthz did not answer 200 within 30 s");
}
const readyMs = Date.now() - started - installedMs;
for (const [route, expected] of [
  ["/", "Switchboard"],
  ["/metrics", "switchboard_turns_total"],
]) {
  const response = await fetch(`${base}${route}`);
  const body = await response.text();
  if (response.status !== 200 || !body.includes(expected)) {
    server.kill("SIGKILL");
    fail(`GET ${route} answered ${response.status} without "${expected}"`);
  }
}
server.kill("SIGTERM");
const code = await Promise.race([
  exited,
  new Promise((resolve) => setTimeout(() => resolve("timeout"), 10_000)),
]);
if (code !== 0) {
  server.kill("SIGKILL");
  fail(`the server did not exit cleanly on SIGTERM (${code})`);
}
rmSync(directory, { recursive: true, force: true });
console.log(
  `production install: ok (build + npm ci --omit=dev ${installedMs} ms; /healthz, / and /metrics answered ${readyMs} ms after start; clean exit on SIGTERM)`,
);
