#!/usr/bin/env node
// `npm test`: type-check, lint + format check, layer boundaries, then the vitest suite. Every step
// runs (output streamed) even if an earlier one failed. The last line of output is the summary,
// `N passed, N failed` (`, N skipped` when some were), counting each of the first three steps as
// one check and each vitest test as one; the exit code is 1 if anything failed.
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const vitestJson = path.join(root, "test-results", "vitest.json");

/** The JavaScript file behind a package's bin, run with this Node (no shell, no npx lookup). */
function binScript(packageName, binName) {
  const packageDirectory = path.join(root, "node_modules", packageName);
  const manifest = JSON.parse(readFileSync(path.join(packageDirectory, "package.json"), "utf8"));
  const relative = typeof manifest.bin === "string" ? manifest.bin : manifest.bin[binName];
  return path.join(packageDirectory, relative);
}

/** Runs a Node script with inherited stdio; resolves with its exit code (1 if it could not start). */
function run(label, script, args) {
  console.log(`\n> ${label}`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: root, stdio: "inherit", shell: false });
    child.on("error", (error) => {
      console.error(`${label}: could not start: ${error.message}`);
      resolve(1);
    });
    child.on("close", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

let passed = 0;
let failed = 0;
let skipped = 0;

const checks = [
  ["type-check (tsc --noEmit)", binScript("typescript", "tsc"), ["--noEmit"]],
  ["lint and format (biome check .)", binScript("@biomejs/biome", "biome"), ["check", "."]],
  ["layer boundaries", path.join(root, "scripts", "check-boundaries.mjs"), []],
];
for (const [label, script, args] of checks) {
  const code = await run(label, script, args);
  if (code === 0) passed++;
  else {
    failed++;
    console.log(`✗ ${label} failed (exit code ${code})`);
  }
}

rmSync(vitestJson, { force: true });
const vitestCode = await run("tests (vitest run)", binScript("vitest", "vitest"), [
  "run",
  "--reporter=default",
  "--reporter=json",
  `--outputFile=${path.relative(root, vitestJson)}`,
]);
let results;
try {
  results = existsSync(vitestJson) ? JSON.parse(readFileSync(vitestJson, "utf8")) : undefined;
} catch (error) {
  console.log(`✗ could not read ${vitestJson}: ${error.message}`);
}
if (results && typeof results.numPassedTests === "number") {
  passed += results.numPassedTests;
  failed += results.numFailedTests ?? 0;
  skipped += (results.numPendingTests ?? 0) + (results.numTodoTests ?? 0);
  // A suite that failed to load has no failed tests but still fails the run.
  if (vitestCode !== 0 && (results.numFailedTests ?? 0) === 0) {
    failed++;
    console.log(`✗ vitest exited with code ${vitestCode} (a test file failed to load or run)`);
  }
} else {
  failed++;
  console.log(`✗ vitest produced no results in ${vitestJson} (exit code ${vitestCode})`);
}

console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 ? 1 : 0);
