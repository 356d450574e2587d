import path from "node:path";
import readline from "node:readline";
import type { Readable } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import { adminTokenFileName, readAdminTokenFile } from "../app/admin-token.js";
import { isNetworkError } from "../errors/delivery-error.js";
import { messageOf, type TerminalIo, unreachableMessage } from "./cli-command.js";

/** What the outbox API says of an outbound message (the fields a reply is recognised and shown by). */
export interface OutboxReply {
  id: string;
  kind: string;
  createdAt: number;
  /** `pending`, `sending`, `sent`, `delivered`, `undelivered`, `failed` or `dead`. */
  status?: string;
  lastError?: string | null;
  payload: { to?: string; body?: string; subject?: string; text?: string; headers?: Record<string, string> };
}

/** One channel of messages to the local server: how one is sent, and which outbox entries answer it. */
export interface MessageChannel {
  /** The first line printed ("Texting … from … to …"). */
  greeting: string;
  /** Sends one message; resolves with what went wrong when the server refused it. */
  send(text: string): Promise<string | undefined>;
  /** Whether an outbound message answers us. */
  isReply(entry: OutboxReply): boolean;
  /** How a reply prints after `agent> `. */
  describe(entry: OutboxReply): string;
  /** Told of each reply, in order (an email thread follows the agent's last one). */
  replied?(entry: OutboxReply): void;
}

export interface MessageSessionOptions {
  serverUrl: string;
  /** Reads the replies from `GET /api/outbox`. */
  adminToken: string | undefined;
  /** Messages given on the command line (otherwise lines are read from the input). */
  messages: string[];
}

/** `--admin-token`, else `ADMIN_TOKEN`, else the token `npm start` generated and keeps in DATA_DIR. */
export function cliAdminToken(
  given: string | undefined,
  environment: Record<string, string | undefined>,
): string | undefined {
  return (
    given ??
    (environment.ADMIN_TOKEN || undefined) ??
    readAdminTokenFile(path.join(path.resolve(environment.DATA_DIR ?? "./data"), adminTokenFileName))
  );
}

const replyTimeoutMs = 30_000;
const pollIntervalMs = 200;
/** After a reply arrives, the other parts of a long one (an SMS split at 1,600 characters) come with it. */
const lingerForPartsMs = 400;
/** How long a non-interactive session waits, at its end, to learn whether its last replies went out. */
const settleMs = 2000;

/**
 * Sends each message (from the command line, piped lines, or typed at a prompt) and prints the
 * agent's replies as they reach the outbox; resolves with the exit code. Given messages and piped
 * lines wait for their reply before the next one (1 when none comes within 30 s).
 */
export async function runMessageSession(
  channel: MessageChannel,
  options: MessageSessionOptions,
  io: TerminalIo,
): Promise<number> {
  if (!options.adminToken) {
    io.output.write(
      "The replies are read from the outbox, which needs the admin token: set ADMIN_TOKEN (as the server has it) or --admin-token, or set DATA_DIR to the server's (npm start keeps a generated token in DATA_DIR/admin-token; default ./data).\n",
    );
    return 2;
  }
  const print = (line: string) => io.output.write(`${line}\n`);
  const replies = new ReplyWatcher(channel, options.serverUrl, options.adminToken);
  try {
    await replies.start();
  } catch (error) {
    print(
      isNetworkError(error)
        ? unreachableMessage(options.serverUrl, error)
        : `Cannot read the outbox at ${options.serverUrl}: ${messageOf(error)}`,
    );
    return 1;
  }
  print(channel.greeting);
  const send = async (text: string): Promise<boolean> => {
    const refused = await channel
      .send(text)
      .catch((error: unknown) => `the request failed: ${messageOf(error)}`);
    if (refused !== undefined) print(`[${refused}]`);
    return refused === undefined;
  };
  const notDelivered = (entry: OutboxReply) => `[not delivered: ${entry.lastError || entry.status}]`;
  const show = (answer: OutboxReply[]) => {
    for (const entry of answer) {
      channel.replied?.(entry);
      print(`agent> ${channel.describe(entry)}`);
      if (failedStatuses.has(entry.status ?? "")) print(notDelivered(entry));
    }
    // Replies shown while still on their way that the provider refused since.
    for (const entry of replies.takeFailures())
      print(`${notDelivered(entry)} (the reply "${shorten(channel.describe(entry))}")`);
  };

  if (!io.interactive || options.messages.length > 0) {
    const lines = options.messages.length > 0 ? options.messages : await readLines(io.input);
    for (const text of lines) {
      if (text === "/quit") break;
      print(`you> ${text}`);
      if (!(await send(text))) return 1;
      const answer = await replies.next(replyTimeoutMs);
      if (answer.length === 0) {
        print(`[no reply within ${replyTimeoutMs / 1000} s: see the server's log]`);
        return 1;
      }
      show(answer);
    }
    // The last replies' fate, when it is known within a moment (a refused send fails at once).
    await replies.settle(settleMs);
    show([]);
    return 0;
  }

  const prompt = readline.createInterface({ input: io.input, output: io.output, prompt: "you> " });
  let open = true;
  const watching = (async () => {
    while (open) {
      let answer: OutboxReply[];
      try {
        answer = await replies.next(pollIntervalMs * 5);
      } catch (error) {
        // The server stopped or refused: say so once in a while, and keep the prompt.
        readline.clearLine(io.output, 0);
        readline.cursorTo(io.output, 0);
        print(`[cannot read the replies: ${messageOf(error)}]`);
        prompt.prompt(true);
        await delay(5000);
        continue;
      }
      if (answer.length === 0 && !replies.hasFailures()) continue;
      readline.clearLine(io.output, 0);
      readline.cursorTo(io.output, 0);
      show(answer);
      prompt.prompt(true);
    }
  })();
  print("Type a message and press Enter; /quit to stop.");
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

/** Outbox statuses of a message that will not reach the customer. */
const failedStatuses = new Set(["failed", "dead", "undelivered"]);
/** Outbox statuses after which a message's fate is known. */
const finalStatuses = new Set(["sent", "delivered", ...failedStatuses]);

function shorten(text: string): string {
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}

/** New outbound messages that answer us, from the outbox API. */
class ReplyWatcher {
  private readonly seen = new Set<string>();
  /** Replies shown before their fate was known. */
  private readonly undecided = new Set<string>();
  private failures: OutboxReply[] = [];

  constructor(
    private readonly channel: MessageChannel,
    private readonly serverUrl: string,
    private readonly adminToken: string,
  ) {}

  /** Everything already in the outbox is old. */
  async start(): Promise<void> {
    for (const entry of await this.fetch()) this.seen.add(entry.id);
  }

  /** The next replies (oldest first), or none after `timeoutMs`. */
  async next(timeoutMs: number): Promise<OutboxReply[]> {
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
    return found;
  }

  /** Replies shown earlier that have failed since (each told once). */
  takeFailures(): OutboxReply[] {
    const failures = this.failures;
    this.failures = [];
    return failures;
  }

  /** Waits up to `timeoutMs` for the replies shown so far to be sent or to fail. */
  async settle(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.undecided.size > 0 && Date.now() < deadline) {
      await delay(pollIntervalMs);
      await this.fresh();
    }
  }

  hasFailures(): boolean {
    return this.failures.length > 0;
  }

  private async fresh(): Promise<OutboxReply[]> {
    const all = await this.fetch();
    for (const entry of all) {
      if (!this.undecided.has(entry.id) || !finalStatuses.has(entry.status ?? "")) continue;
      this.undecided.delete(entry.id);
      if (failedStatuses.has(entry.status ?? "")) this.failures.push(entry);
    }
    const entries = all
      .filter((entry) => !this.seen.has(entry.id) && this.channel.isReply(entry))
      .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
    for (const entry of entries) {
      this.seen.add(entry.id);
      if (!finalStatuses.has(entry.status ?? "")) this.undecided.add(entry.id);
    }
    return entries;
  }

  private async fetch(): Promise<OutboxReply[]> {
    const response = await fetch(`${this.serverUrl}/api/outbox?limit=200`, {
      headers: { authorization: `Bearer ${this.adminToken}` },
    });
    if (!response.ok)
      throw new Error(
        `GET /api/outbox answered ${response.status}${response.status === 401 ? " (wrong admin token)" : ""}`,
      );
    return ((await response.json()) as { outbox: OutboxReply[] }).outbox;
  }
}

async function readLines(input: Readable): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of readline.createInterface({ input, terminal: false })) {
    if (line.trim()) lines.push(line.trim());
  }
  return lines;
}
