/** Entry of `npm run tool` (see try-tool.ts). */
import { ConfigError } from "../errors/config-error.js";
import { tryTool } from "./try-tool.js";

try {
  process.exitCode = await tryTool(process.argv.slice(2), undefined, process.stdout);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 2;
}
