/**
 * The terminal caller (`npm run call`): places a call to the local server exactly the way Twilio
 * does (signed incoming-call webhook, ConversationRelay WebSocket, `<Connect action>` callback),
 * with you as the caller typing instead of speaking. See `callUsage` for the options.
 */
import { callUsage, parseCallOptions } from "./call-options.js";
import { runTerminalSession } from "./cli-command.js";
import { runTerminalCall } from "./terminal-call.js";

await runTerminalSession(parseCallOptions, callUsage, runTerminalCall);
