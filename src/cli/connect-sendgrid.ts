/**
 * `npm run connect:sendgrid`: makes SendGrid's Inbound Parse post the mail it receives for your
 * domain to this server (PUBLIC_URL/sendgrid/inbound with SENDGRID_INBOUND_TOKEN) through
 * SendGrid's own client, and prints what it changed and what is left to do by hand.
 */
import { parseArgs } from "node:util";
import { parseEmailAddress } from "../channels/email/parse-email-address.js";
import { loadConfig } from "../config/config.js";
import { isLocalOrPrivateUrl } from "../messaging/local-or-private-url.js";
import {
  type ConnectedEvents,
  connectSendGridEvents,
  eventWebhookUrl,
} from "../messaging/sendgrid/connect-sendgrid-events.js";
import { connectSendGridParse, inboundParseUrl } from "../messaging/sendgrid/connect-sendgrid-parse.js";
import { createSendGridClient } from "../messaging/sendgrid/create-sendgrid-sender.js";
import { type CliCommand, messageOf, type Output, usageError } from "./cli-command.js";

export const connectSendGridUsage = `Usage: npm run connect:sendgrid [-- --hostname parse.example.com] [--dry-run]

Sets SendGrid's Inbound Parse for the hostname (default: the domain of EMAIL_FROM, where customers'
replies go) to post each email to PUBLIC_URL/sendgrid/inbound?token=$SENDGRID_INBOUND_TOKEN, and an
Event Webhook to post delivery events (delivered, bounces, drops, unsubscribes) to
PUBLIC_URL/sendgrid/events, signed, printing the key to set as SENDGRID_EVENT_PUBLIC_KEY; through the
SendGrid API. Needs SENDGRID_API_KEY (with Inbound Parse and Mail Settings access),
SENDGRID_INBOUND_TOKEN and a public https PUBLIC_URL. --dry-run shows the change without making it.
Exit code 0 when both are set, 1 when SendGrid refused, 2 for bad usage or settings.
Reads the same environment and .env as npm start.`;

const usage = (output: Output, message: string) => usageError(output, message, connectSendGridUsage);

/** Resolves with the exit code: 0 connected (or already), 1 SendGrid refused, 2 bad usage or settings. */
export const connectSendGrid: CliCommand = async (argv, environment, output) => {
  let values: { hostname?: string; "dry-run"?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        hostname: { type: "string" },
        "dry-run": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    return usage(output, (error as Error).message);
  }
  if (values.help) {
    output.write(`${connectSendGridUsage}\n`);
    return 0;
  }
  const config = loadConfig(environment);
  const { apiKey, inboundToken, apiBaseUrl, emailFrom } = config.sendgrid;
  const hostname = values.hostname ?? parseEmailAddress(emailFrom ?? "")?.email.split("@")[1];
  const missing = [
    apiKey ? undefined : "SENDGRID_API_KEY",
    inboundToken ? undefined : "SENDGRID_INBOUND_TOKEN",
    hostname ? undefined : "EMAIL_FROM (or --hostname)",
  ].filter((name) => name !== undefined);
  if (missing.length > 0 || !apiKey || !inboundToken || !hostname)
    return usage(output, `Set ${missing.join(", ")} first (README, "Email")`);
  if (isLocalOrPrivateUrl(config.publicUrl) || !config.publicUrl.startsWith("https://"))
    return usage(
      output,
      `PUBLIC_URL is ${config.publicUrl}: SendGrid posts mail only to a public https URL; expose this machine (e.g. \`ngrok http 3000\`) and set PUBLIC_URL to the https URL it gives`,
    );

  const url = inboundParseUrl(config.publicUrl, inboundToken);
  const client = createSendGridClient({ apiKey, apiBaseUrl });
  let connected: Awaited<ReturnType<typeof connectSendGridParse>>;
  try {
    connected = await connectSendGridParse({
      client,
      hostname,
      url,
      dryRun: values["dry-run"],
    });
  } catch (error) {
    output.write(`SendGrid refused: ${sendGridErrorMessage(error)}\n`);
    return 1;
  }
  const shown = (address: string | undefined) => (address ? hideToken(address) : "(none)");
  output.write(
    `Inbound Parse for ${connected.hostname}:\n  ${shown(connected.before)}${connected.changed ? `  →  ${shown(connected.after)}` : " (unchanged)"}\n`,
  );

  let events: ConnectedEvents;
  try {
    events = await connectSendGridEvents({
      client,
      url: eventWebhookUrl(config.publicUrl),
      dryRun: values["dry-run"],
    });
  } catch (error) {
    output.write(
      `SendGrid refused the Event Webhook: ${sendGridErrorMessage(error)}\n${connected.changed && !values["dry-run"] ? `Inbound Parse was set: mail to any address @${connected.hostname} now reaches ${config.publicUrl}.\n` : ""}`,
    );
    return 1;
  }
  output.write(`Event Webhook (delivery, bounces, unsubscribes):\n  ${describeEvents(events)}\n`);
  const configuredKey = config.sendgrid.eventPublicKey;
  if (events.publicKey && configuredKey !== events.publicKey)
    output.write(
      `Set this in .env (or the environment) and restart, so that only SendGrid's signed events are accepted:\n  SENDGRID_EVENT_PUBLIC_KEY=${events.publicKey}\n${configuredKey ? "  (SENDGRID_EVENT_PUBLIC_KEY is set to another key now: SendGrid's events are refused until you change it.)\n" : ""}`,
    );

  if (!connected.changed && !events.changed) output.write("Nothing to change.\n");
  else if (values["dry-run"]) output.write("Dry run: nothing was changed.\n");
  else
    output.write(
      `Done: mail to any address @${connected.hostname} and SendGrid's delivery events now reach ${config.publicUrl}.\n`,
    );
  output.write(
    `By hand, once: an MX record for ${connected.hostname}: mx.sendgrid.net, priority 10 (mail reaches SendGrid only then).\n`,
  );
  return 0;
};

function describeEvents(events: ConnectedEvents): string {
  const { before } = events;
  const target = `POST ${events.url}, signed`;
  if (!before.exists) return `(none)  →  ${target}`;
  if (!events.changed) return `${target} (unchanged)`;
  const wrong = [
    before.enabled ? undefined : "disabled",
    before.missingEvents.length > 0 ? `without ${before.missingEvents.join(", ")}` : undefined,
    before.signed ? undefined : "unsigned",
  ].filter((part) => part !== undefined);
  return `POST ${events.url}, ${wrong.join(", ")}  →  ${target}, with all the events Switchboard reads`;
}

/** The token is a secret: printed URLs show that one is there, not what it is. */
function hideToken(url: string): string {
  return url.replace(/([?&]token=)[^&]*/, "$1…");
}

function sendGridErrorMessage(error: unknown): string {
  const body = (error as { response?: { body?: { errors?: Array<{ message?: string }> } } }).response?.body;
  const messages = body?.errors?.map((entry) => entry.message).filter(Boolean) ?? [];
  return messages.length > 0 ? messages.join("; ") : messageOf(error);
}
