/** Entry of `npm run connect:twilio` (see connect-twilio.ts). */
import { ConfigError } from "../errors/config-error.js";
import { connectTwilio } from "./connect-twilio.js";

try {
  process.exitCode = await connectTwilio(process.argv.slice(2), undefined, process.stdout);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 2;
}
