/** Entry of `npm run tool` (see try-tool.ts). */
import { runCliCommand } from "./cli-command.js";
import { tryTool } from "./try-tool.js";

await runCliCommand(tryTool);
