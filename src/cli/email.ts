/**
 * The terminal emailer (`npm run email`): sends email to the local server exactly the way SendGrid
 * Inbound Parse delivers it and prints the agent's replies from the outbox. See `emailUsage`.
 */
import { runTerminalSession } from "./cli-command.js";
import { emailUsage, parseEmailOptions, runTerminalEmail } from "./terminal-email.js";

await runTerminalSession(parseEmailOptions, emailUsage, runTerminalEmail);
