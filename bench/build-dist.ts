/**
 * `npm run build` (tsc -p tsconfig.build.json) once per runner process, before any server starts:
 * bench-server runs the compiled app from dist/, as deployed, and cold start spawns `node dist/main.js`.
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { repositoryRoot } from "./bench-util.js";

const tscPath = createRequire(import.meta.url).resolve("typescript/bin/tsc");
let built = false;

export function buildDist(): void {
  if (built) return;
  const result = spawnSync(process.execPath, [tscPath, "-p", "tsconfig.build.json"], {
    cwd: repositoryRoot,
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`npm run build failed:\n${result.stdout}${result.stderr}`);
  built = true;
}
