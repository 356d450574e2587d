import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { parse as parseDotenv } from "dotenv";

export interface CallOptions {
  /** Where the server listens, e.g. `http://127.0.0.1:3000` (no trailing slash). */
  serverUrl: string;
  /** The base URL the server believes Twilio uses (`PUBLIC_URL`); requests are signed over it. */
  publicUrl: string;
  from: string;
  to: string;
  /** Signs every request like Twilio when set. */
  authToken: string | undefined;
  accountSid: string | undefined;
}

export const callUsage = `Usage: npm run call -- [options]

Calls the local Switchboard server the way Twilio does: the incoming-call webhook, then a
ConversationRelay WebSocket. Type what the caller says; the agent's reply streams back.

Options:
  --url <url>           server base URL (default http://127.0.0.1:$PORT, PORT defaults to 3000)
  --public-url <url>    base URL requests are signed over (default $PUBLIC_URL, else
                        http://localhost:<port of --url>, the server's own default)
  --from <number>       caller number (default +14155550123)
  --to <number>         called number (default $TWILIO_PHONE_NUMBER, else +18885550100)
  --auth-token <token>  Twilio auth token for X-Twilio-Signature (default $TWILIO_AUTH_TOKEN)
  -h, --help            show this help

Environment variables are also read from .env in the current directory.
Commands while connected: /interrupt [heard text], /dtmf <digits>, /hangup, /help.
Piped stdin: each line is sent after the previous reply ended, then the call hangs up.`;

/** `process.env` over `.env` in the working directory (the server's precedence too). */
export function readEnvironment(directory = process.cwd()): Record<string, string | undefined> {
  const file = path.join(directory, ".env");
  const fromFile = existsSync(file) ? parseDotenv(readFileSync(file)) : {};
  return { ...fromFile, ...process.env };
}

/** The options of the commands that play Twilio (`npm run call`, `npm run text`). */
export const twilioSideArguments = {
  url: { type: "string" },
  "public-url": { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  "auth-token": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** Parses the command line; returns `"help"` for `--help`. Throws on unknown options. */
export function parseCallOptions(
  argv: string[],
  environment: Record<string, string | undefined>,
): CallOptions | "help" {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: twilioSideArguments,
  });
  if (values.help) return "help";
  return twilioSideOptions(values, environment);
}

/**
 * What a command that plays Twilio needs from its `--url`, `--public-url`, `--from`, `--to` and
 * `--auth-token` options and the environment (the server's own defaults where they are unset).
 */
export function twilioSideOptions(
  values: { url?: string; "public-url"?: string; from?: string; to?: string; "auth-token"?: string },
  environment: Record<string, string | undefined>,
): CallOptions {
  const serverUrl = withoutTrailingSlash(values.url ?? `http://127.0.0.1:${environment.PORT ?? 3000}`);
  const server = new URL(serverUrl);
  const serverPort = server.port || (server.protocol === "https:" ? "443" : "80");
  const publicUrl = values["public-url"] ?? environment.PUBLIC_URL ?? `http://localhost:${serverPort}`;
  return {
    serverUrl,
    publicUrl: withoutTrailingSlash(publicUrl),
    from: values.from ?? "+14155550123",
    to: values.to ?? environment.TWILIO_PHONE_NUMBER ?? "+18885550100",
    authToken: values["auth-token"] ?? (environment.TWILIO_AUTH_TOKEN || undefined),
    accountSid: environment.TWILIO_ACCOUNT_SID || undefined,
  };
}

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, "");
}
