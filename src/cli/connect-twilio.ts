/**
 * `npm run connect:twilio`: points your Twilio number (TWILIO_PHONE_NUMBER) at this server's
 * PUBLIC_URL — the voice and SMS webhooks the Twilio console would otherwise ask you to paste —
 * through Twilio's own API, and prints what it changed.
 */
import { loadConfig } from "../config/config.js";
import { SwitchboardError } from "../errors/switchboard-error.js";
import {
  type ConnectedNumber,
  connectTwilioNumber,
  type NumberWebhooks,
  type ServiceWebhook,
  twilioUnreachableReason,
} from "../messaging/twilio/connect-twilio-number.js";
import { createTwilioClient } from "../messaging/twilio/create-twilio-client.js";
import { type CliCommand, messageOf, type Output, usageError } from "./cli-command.js";

export const connectTwilioUsage = `Usage: npm run connect:twilio [-- --dry-run] [-- --messaging-service]

Sets your Twilio number's "A call comes in" webhook to PUBLIC_URL/twilio/voice and "A message comes
in" to PUBLIC_URL/twilio/sms (both POST), through the Twilio API. Needs TWILIO_ACCOUNT_SID,
TWILIO_AUTH_TOKEN, TWILIO_PHONE_NUMBER and a public https PUBLIC_URL (a tunnel such as
\`ngrok http 3000\`, or your deployment).

When the number is in a Messaging Service that sends its texts to the service's own webhook (not
"Defer to sender's webhook"), the number's SMS webhook is ignored: --messaging-service sets that
service's incoming-message webhook to PUBLIC_URL/twilio/sms too (for every number of the service).

--dry-run shows the change without making it. Exit code 0 when calls and texts reach PUBLIC_URL,
1 when Twilio refused or texts still go elsewhere, 2 for bad usage or settings.
Reads the same environment and .env as npm start.`;

const usage = (output: Output, message: string) => usageError(output, message, connectTwilioUsage);

/** Resolves with the exit code: 0 connected (or already), 1 Twilio refused, 2 bad usage or settings. */
export const connectTwilio: CliCommand = async (argv, environment, output) => {
  let dryRun = false;
  let updateMessagingService = false;
  for (const argument of argv) {
    if (argument === "--dry-run") dryRun = true;
    else if (argument === "--messaging-service") updateMessagingService = true;
    else if (argument === "--help" || argument === "-h") {
      output.write(`${connectTwilioUsage}\n`);
      return 0;
    } else return usage(output, `Unknown argument: ${argument}`);
  }
  const config = loadConfig(environment);
  const { accountSid, authToken, phoneNumber, apiBaseUrl, messagingServiceSid } = config.twilio;
  const missing = [
    accountSid ? undefined : "TWILIO_ACCOUNT_SID",
    authToken ? undefined : "TWILIO_AUTH_TOKEN",
    phoneNumber ? undefined : "TWILIO_PHONE_NUMBER",
  ].filter((name) => name !== undefined);
  if (missing.length > 0 || !accountSid || !authToken || !phoneNumber)
    return usage(output, `Set ${missing.join(", ")} first (README, "Connect a real Twilio number")`);
  const unreachable = twilioUnreachableReason(config.publicUrl);
  if (unreachable) return usage(output, `PUBLIC_URL is ${config.publicUrl}: ${unreachable}`);

  const client = createTwilioClient({ accountSid, authToken, apiBaseUrl });
  let connected: ConnectedNumber;
  try {
    connected = await connectTwilioNumber({
      client,
      phoneNumber,
      publicUrl: config.publicUrl,
      dryRun,
      messagingServiceSid,
      updateMessagingService,
    });
  } catch (error) {
    output.write(`${messageOf(error)}\n`);
    return error instanceof SwitchboardError && error.code === "TWILIO_NUMBER_NOT_FOUND" ? 2 : 1;
  }
  output.write(`Twilio number ${connected.phoneNumber} (${connected.sid}):\n${describeChange(connected)}`);
  const service = connected.messagingService;
  if (service) output.write(describeService(service));
  if (messagingServiceSid && service?.sid !== messagingServiceSid)
    output.write(
      `Note: TWILIO_MESSAGING_SERVICE_SID is ${messagingServiceSid}, but ${connected.phoneNumber} is not one of its numbers: texts are sent from that service's numbers, and customers' replies reach those numbers' webhooks, not this one's.\n`,
    );
  if (!connected.textsReachHere && service) {
    output.write(
      `Texts to ${connected.phoneNumber} go to Messaging Service ${service.sid}'s webhook (${service.after.inboundRequestUrl || "none: Twilio drops them"}), not here. Run again with --messaging-service to point that service at ${connected.after.smsUrl}, or set the service's "Integration" to "Defer to sender's webhook" in the Twilio console.\n`,
    );
  }
  const reached = connected.textsReachHere ? "calls and texts" : "calls";
  if (!connected.changed) output.write(`Nothing to change: ${reached} already reach ${config.publicUrl}.\n`);
  else if (dryRun) output.write("Dry run: nothing was changed.\n");
  else
    output.write(
      `Done: ${reached} to ${connected.phoneNumber} now reach ${config.publicUrl}. ${connected.textsReachHere ? "Call it, or text it." : "Call it."}\n`,
    );
  return connected.textsReachHere || dryRun ? 0 : 1;
};

function describeService(service: NonNullable<ConnectedNumber["messagingService"]>): string {
  const hook = (webhook: ServiceWebhook) =>
    webhook.useInboundWebhookOnNumber
      ? "defer to each number's own webhook"
      : webhook.inboundRequestUrl
        ? `${webhook.inboundMethod} ${webhook.inboundRequestUrl}`
        : "";
  const before = hook(service.before);
  const after = hook(service.after);
  const name = service.friendlyName ? ` "${service.friendlyName}"` : "";
  const count = `${service.numberCount} number${service.numberCount === 1 ? "" : "s"}`;
  return (
    `In Messaging Service ${service.sid}${name} (${count}):\n` +
    `  ${"Incoming messages:".padEnd(22)} ${before || "(none)"}${before === after ? " (unchanged)" : `  →  ${after || "(none)"}`}\n`
  );
}

function describeChange(connected: ConnectedNumber): string {
  const line = (label: string, before: string, after: string) =>
    `  ${label.padEnd(22)} ${before || "(none)"}${before === after ? " (unchanged)" : `  →  ${after || "(none)"}`}\n`;
  const hook = (webhooks: NumberWebhooks, kind: "voice" | "sms") =>
    kind === "voice"
      ? webhooks.voiceUrl && `${webhooks.voiceMethod} ${webhooks.voiceUrl}`
      : webhooks.smsUrl && `${webhooks.smsMethod} ${webhooks.smsUrl}`;
  const { before, after } = connected;
  let text = line("A call comes in:", hook(before, "voice"), hook(after, "voice"));
  text += line("A message comes in:", hook(before, "sms"), hook(after, "sms"));
  if (before.voiceApplicationSid)
    text += line("TwiML App for calls:", before.voiceApplicationSid, after.voiceApplicationSid);
  if (before.smsApplicationSid)
    text += line("TwiML App for texts:", before.smsApplicationSid, after.smsApplicationSid);
  return text;
}
