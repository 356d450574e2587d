/** Entry of `npm run connect:twilio` (see connect-twilio.ts). */
import { runCliCommand } from "./cli-command.js";
import { connectTwilio } from "./connect-twilio.js";

await runCliCommand(connectTwilio);
