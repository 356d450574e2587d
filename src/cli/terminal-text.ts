import { parseArgs } from "node:util";
import { randomSid } from "../testing/relay-test-client.js";
import { type CallOptions, twilioSideArguments, twilioSideOptions } from "./call-options.js";
import type { TerminalIo } from "./cli-command.js";
import { cliAdminToken, type MessageChannel, runMessageSession } from "./message-session.js";
import { postTwilioForm } from "./post-twilio-form.js";

export interface TextOptions extends CallOptions {
  /** Reads the replies from `GET /api/outbox`. */
  adminToken: string | undefined;
  /** Messages given on the command line (otherwise lines are read from the input). */
  messages: string[];
}

export const textUsage = `Usage: npm run text -- [options] [message ...]

Texts the local Switchboard server the way Twilio delivers an SMS (a signed webhook to
/twilio/sms) and prints the agent's replies as they reach the outbox. With messages on the command
line, sends each and waits for its reply; otherwise each line you type is a text.

Options:
  --url <url>             server base URL (default http://127.0.0.1:$PORT, PORT defaults to 3000)
  --public-url <url>      base URL requests are signed over (default $PUBLIC_URL, else
                          http://localhost:<port of --url>, the server's own default)
  --from <number>         your number (default +14155550123; the same as npm run call's caller)
  --to <number>           the agent's number (default $TWILIO_PHONE_NUMBER, else +18885550100)
  --auth-token <token>    Twilio auth token for X-Twilio-Signature (default $TWILIO_AUTH_TOKEN)
  --admin-token <token>   reads the replies (default $ADMIN_TOKEN, else the token npm start keeps
                          in $DATA_DIR/admin-token)
  -h, --help              show this help

Environment variables are also read from .env in the current directory.`;

/** Parses the command line; returns `"help"` for `--help`. Throws on unknown options. */
export function parseTextOptions(
  argv: string[],
  environment: Record<string, string | undefined>,
): TextOptions | "help" {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: { ...twilioSideArguments, "admin-token": { type: "string" } },
  });
  if (values.help) return "help";
  const adminToken = cliAdminToken(values["admin-token"], environment);
  return { ...twilioSideOptions(values, environment), adminToken, messages: positionals };
}

/** Texts the server as `options.from`, printing each reply; resolves with the exit code. */
export function runTerminalText(options: TextOptions, io: TerminalIo): Promise<number> {
  const channel: MessageChannel = {
    greeting: `Texting ${options.serverUrl} from ${options.from} to ${options.to}`,
    async send(text) {
      const params = {
        MessageSid: randomSid("SM"),
        SmsSid: "",
        AccountSid: options.accountSid ?? randomSid("AC"),
        From: options.from,
        To: options.to,
        Body: text,
        NumMedia: "0",
        NumSegments: "1",
        SmsStatus: "received",
        ApiVersion: "2010-04-01",
      };
      params.SmsSid = params.MessageSid;
      const { status, body } = await postTwilioForm({
        url: `${options.serverUrl}/twilio/sms`,
        signedUrl: `${options.publicUrl}/twilio/sms`,
        params,
        authToken: options.authToken,
      });
      return status === 200 ? undefined : `POST /twilio/sms answered ${status}: ${body}`;
    },
    isReply: (entry) => entry.kind === "sms" && entry.payload.to === options.from,
    describe: (entry) => entry.payload.body ?? "",
  };
  return runMessageSession(channel, options, io);
}
