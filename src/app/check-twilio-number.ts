import type { Config } from "../config/config.js";
import { connectTwilioNumber, twilioUnreachableReason } from "../messaging/twilio/connect-twilio-number.js";
import { createTwilioClient } from "../messaging/twilio/create-twilio-client.js";
import type { Logger } from "../observability/logger.js";

/** What the start-up check found. */
export type TwilioNumberCheck = "here" | "elsewhere" | "skipped" | "failed";

/**
 * At start, with Twilio credentials, a number and a public PUBLIC_URL: reads where the number sends
 * calls and texts (one API request, nothing changed) and warns when it is not this server — a
 * tunnel's URL that changed since the number was set up is the usual reason calls go nowhere.
 * Never fails the start: a failed check is a warning too.
 */
export async function checkTwilioNumber(config: Config, logger: Logger): Promise<TwilioNumberCheck> {
  const { accountSid, authToken, phoneNumber, apiBaseUrl } = config.twilio;
  if (!accountSid || !authToken || !phoneNumber || twilioUnreachableReason(config.publicUrl))
    return "skipped";
  try {
    const number = await connectTwilioNumber({
      client: createTwilioClient({ accountSid, authToken, apiBaseUrl }),
      phoneNumber,
      publicUrl: config.publicUrl,
      dryRun: true,
    });
    if (!number.changed) {
      logger.info(`Twilio number ${phoneNumber} sends calls and texts to this server (${config.publicUrl})`);
      return "here";
    }
    const { before } = number;
    const elsewhere = [
      before.voiceApplicationSid
        ? `calls to TwiML App ${before.voiceApplicationSid}`
        : `calls to ${before.voiceUrl || "nowhere"}`,
      before.smsApplicationSid
        ? `texts to TwiML App ${before.smsApplicationSid}`
        : `texts to ${before.smsUrl || "nowhere"}`,
    ];
    logger.warn(
      `Twilio number ${phoneNumber} sends ${elsewhere.join(" and ")}, not to this server's PUBLIC_URL (${config.publicUrl}): run \`npm run connect:twilio\` to point it here`,
    );
    return "elsewhere";
  } catch (error) {
    logger.warn(
      `Could not check where Twilio number ${phoneNumber} sends calls and texts: ${error instanceof Error ? error.message : String(error)}`,
    );
    return "failed";
  }
}
