import type { Config } from "../config/config.js";
import { connectTwilioNumber, twilioUnreachableReason } from "../messaging/twilio/connect-twilio-number.js";
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
  const { accountSid, authToken, phoneNumber, apiBaseUrl, messagingServiceSid } = config.twilio;
  if (!accountSid || !authToken || !phoneNumber || twilioUnreachableReason(config.publicUrl))
    return "skipped";
  try {
    // Twilio's REST client (axios, jsonwebtoken, …) loads only when there is a number to check.
    const { createTwilioClient } = await import("../messaging/twilio/create-twilio-client.js");
    const number = await connectTwilioNumber({
      client: createTwilioClient({ accountSid, authToken, apiBaseUrl }),
      phoneNumber,
      publicUrl: config.publicUrl,
      dryRun: true,
      messagingServiceSid,
    });
    if (!number.changed && number.textsReachHere) {
      logger.info(`Twilio number ${phoneNumber} sends calls and texts to this server (${config.publicUrl})`);
      return "here";
    }
    const { before, after, messagingService: service } = number;
    const elsewhere: string[] = [];
    if (before.voiceApplicationSid) elsewhere.push(`calls to TwiML App ${before.voiceApplicationSid}`);
    else if (before.voiceUrl !== after.voiceUrl || before.voiceMethod !== after.voiceMethod)
      elsewhere.push(`calls to ${before.voiceUrl || "nowhere"}`);
    if (service && !number.textsReachHere)
      elsewhere.push(
        `texts to Messaging Service ${service.sid}'s webhook (${service.before.inboundRequestUrl || "none: Twilio drops them"})`,
      );
    else if (before.smsApplicationSid) elsewhere.push(`texts to TwiML App ${before.smsApplicationSid}`);
    else if (before.smsUrl !== after.smsUrl || before.smsMethod !== after.smsMethod)
      elsewhere.push(`texts to ${before.smsUrl || "nowhere"}`);
    const fix =
      service && !number.textsReachHere
        ? "npm run connect:twilio -- --messaging-service"
        : "npm run connect:twilio";
    logger.warn(
      `Twilio number ${phoneNumber} sends ${elsewhere.join(" and ")}, not to this server's PUBLIC_URL (${config.publicUrl}): run \`${fix}\` to point it here`,
    );
    return "elsewhere";
  } catch (error) {
    logger.warn(
      `Could not check where Twilio number ${phoneNumber} sends calls and texts: ${error instanceof Error ? error.message : String(error)}`,
    );
    return "failed";
  }
}
