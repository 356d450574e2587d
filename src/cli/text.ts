/**
 * The terminal texter (`npm run text`): sends SMS to the local server exactly the way Twilio
 * delivers them (signed `POST /twilio/sms`) and prints the agent's replies from the outbox. See
 * `textUsage` for the options.
 */
import { readEnvironment } from "./call-options.js";
import { parseTextOptions, runTerminalText, textUsage } from "./terminal-text.js";

async function main(): Promise<number> {
  let options: ReturnType<typeof parseTextOptions>;
  try {
    options = parseTextOptions(process.argv.slice(2), readEnvironment());
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${textUsage}\n`);
    return 2;
  }
  if (options === "help") {
    process.stdout.write(`${textUsage}\n`);
    return 0;
  }
  return runTerminalText(options, {
    input: process.stdin,
    output: process.stdout,
    interactive: process.stdin.isTTY === true && process.stdout.isTTY === true,
  });
}

process.exitCode = await main();
process.stdin.destroy();
