import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { KnowledgeLogger } from "../../src/knowledge/knowledge-logger.js";

/** The bundled sample set at the repository root. */
export const sampleKnowledgeDirectory = fileURLToPath(new URL("../../knowledge", import.meta.url));

export async function makeTemporaryDirectory(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), "switchboard-knowledge-"));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** A copy of the sample set in a temporary folder, for tests that change files. */
export async function copySampleKnowledge(): Promise<{ path: string; remove(): Promise<void> }> {
  const directory = await makeTemporaryDirectory();
  await cp(sampleKnowledgeDirectory, directory.path, { recursive: true });
  return directory;
}

export interface RecordingLogger extends KnowledgeLogger {
  warnings: unknown[][];
}

export function createRecordingLogger(): RecordingLogger {
  const warnings: unknown[][] = [];
  return { warnings, info() {}, warn: (...values) => warnings.push(values) };
}

/** Polls `check` until it returns true, failing after `timeoutMs` (bounded wait, no timing assertion). */
export async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
