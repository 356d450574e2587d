/** Entry of `npm run connect:sendgrid` (see connect-sendgrid.ts). */
import { runCliCommand } from "./cli-command.js";
import { connectSendGrid } from "./connect-sendgrid.js";

await runCliCommand(connectSendGrid);
