import path from "node:path";
import readline from "node:readline";
import type { Readable, Writable } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import { parseArgs } from "node:util";
import { readAdminTokenFile } from "../app/admin-token.js";
import { randomSid } from "../testing/relay-test-client.js";
import { type CallOptions, twilioSideArguments, twilioSideOptions } from "./call-options.js";
import type { TerminalIo } from "./cli-command.js";
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
  const adminToken =
    values["admin-token"] ??
    (environment.ADMIN_TOKEN || undefined) ??
    readAdminTokenFile(path.join(path.resolve(environment.DATA_DIR ?? "./data"), "admin-token"));
  return { ...twilioSideOptions(values, environment), adminToken, messages: positionals };
}

interface OutboxEntry {
  id: string;
  kind: string;
  createdAt: number;
  payload: { to?: string; body?: string };
}

const replyTimeoutMs = 30_000;
const pollIntervalMs = 200;
/** After a reply arrives, the other parts of a long one (split at 1,600 characters) come with it. */
const lingerForPartsMs = 400;

/** Texts the server as `options.from`, printing each reply; resolves with the exit code. */
export async function runTerminalText(options: TextOptions, io: TerminalIo): Promise<number> {
  if (!options.adminToken) {
    io.output.write(
      "The replies are read from the outbox, which needs the admin token: set ADMIN_TOKEN (as the server has it) or --admin-token.\n",
    );
    return 2;
  }
  const print = (line: string) => io.output.write(`${line}\n`);
  const replies = new ReplyWatcher(options);
  try {
    await replies.start();
  } catch (error) {
    print(`Cannot read the outbox at ${options.serverUrl}: ${messageOf(error)}`);
    return 1;
  }
  print(`Texting ${options.serverUrl} from ${options.from} to ${options.to}`);

  const send = async (text: string): Promise<boolean> => {
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
    try {
      const { status, body } = await postTwilioForm({
        url: `${options.serverUrl}/twilio/sms`,
        signedUrl: `${options.publicUrl}/twilio/sms`,
        params,
        authToken: options.authToken,
      });
      if (status === 200) return true;
      print(`[POST /twilio/sms answered ${status}] ${body}`);
    } catch (error) {
      print(`[POST /twilio/sms failed: ${messageOf(error)}]`);
    }
    return false;
  };

  if (!io.interactive || options.messages.length > 0) {
    const lines = options.messages.length > 0 ? options.messages : await readLines(io.input);
    for (const text of lines) {
      print(`you> ${text}`);
      if (!(await send(text))) return 1;
      const answer = await replies.next(replyTimeoutMs);
      if (answer.length === 0) {
        print(`[no reply within ${replyTimeoutMs / 1000} s]`);
        return 1;
      }
      for (const body of answer) print(`agent> ${body}`);
    }
    return 0;
  }

  const prompt = readline.createInterface({ input: io.input, output: io.output, prompt: "you> " });
  let open = true;
  const watching = (async () => {
    while (open) {
      const answer = await replies.next(pollIntervalMs * 5);
      if (answer.length === 0) continue;
      readline.clearLine(io.output, 0);
      readline.cursorTo(io.output, 0);
      for (const body of answer) print(`agent> ${body}`);
      prompt.prompt(true);
    }
  })();
  prompt.prompt();
  for await (const line of prompt) {
    const text = line.trim();
    if (text === "/quit") break;
    if (text) await send(text);
    prompt.prompt();
  }
  open = false;
  prompt.close();
  await watching;
  return 0;
}

/** New SMS in the outbox to `options.from`: the agent's replies. */
class ReplyWatcher {
  private readonly seen = new Set<string>();

  constructor(private readonly options: TextOptions) {}

  /** Everything already in the outbox is old. */
  async start(): Promise<void> {
    for (const entry of await this.fetch()) this.seen.add(entry.id);
  }

  /** The next replies (oldest first), or none after `timeoutMs`. */
  async next(timeoutMs: number): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    let found = await this.fresh();
    while (found.length === 0 && Date.now() < deadline) {
      await delay(pollIntervalMs);
      found = await this.fresh();
    }
    if (found.length > 0) {
      await delay(lingerForPartsMs);
      found.push(...(await this.fresh()));
    }
    return found.map((entry) => entry.payload.body ?? "");
  }

  private async fresh(): Promise<OutboxEntry[]> {
    const entries = (await this.fetch())
      .filter(
        (entry) => !this.seen.has(entry.id) && entry.kind === "sms" && entry.payload.to === this.options.from,
      )
      .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
    for (const entry of entries) this.seen.add(entry.id);
    return entries;
  }

  private async fetch(): Promise<OutboxEntry[]> {
    const response = await fetch(`${this.options.serverUrl}/api/outbox?limit=200`, {
      headers: { authorization: `Bearer ${this.options.adminToken}` },
    });
    if (!response.ok)
      throw new Error(
        `GET /api/outbox answered ${response.status}${response.status === 401 ? " (wrong admin token)" : ""}`,
      );
    return ((await response.json()) as { outbox: OutboxEntry[] }).outbox;
  }
}

async function readLines(input: Readable): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of readline.createInterface({ input, terminal: false })) {
    if (line.trim()) lines.push(line.trim());
  }
  return lines;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
