/**
 * The terminal caller (`npm run call`): places a call to the local server exactly the way Twilio
 * does (signed incoming-call webhook, ConversationRelay WebSocket, `<Connect action>` callback),
 * with you as the caller typing instead of speaking. See `callUsage` for the options.
 */
import { callUsage, parseCallOptions, readEnvironment } from "./call-options.js";
import { runTerminalCall } from "./terminal-call.js";

async function main(): Promise<number> {
  let options: ReturnType<typeof parseCallOptions>;
  try {
    options = parseCallOptions(process.argv.slice(2), readEnvironment());
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${callUsage}\n`);
    return 2;
  }
  if (options === "help") {
    process.stdout.write(`${callUsage}\n`);
    return 0;
  }
  return runTerminalCall(options, {
    input: process.stdin,
    output: process.stdout,
    interactive: process.stdin.isTTY === true && process.stdout.isTTY === true,
  });
}

const exitCode = await main();
process.exitCode = exitCode;
// Stop reading so a still-open stdin does not keep the process alive.
process.stdin.destroy();
