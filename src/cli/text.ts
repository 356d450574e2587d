/**
 * The terminal texter (`npm run text`): sends SMS to the local server exactly the way Twilio
 * delivers them (signed `POST /twilio/sms`) and prints the agent's replies from the outbox. See
 * `textUsage` for the options.
 */
import { runTerminalSession } from "./cli-command.js";
import { parseTextOptions, runTerminalText, textUsage } from "./terminal-text.js";

await runTerminalSession(parseTextOptions, textUsage, runTerminalText);
