import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import type { TerminalIo } from "./cli-command.js";
import { cliAdminToken, type MessageChannel, runMessageSession } from "./message-session.js";

export interface EmailOptions {
  /** Where the server listens, e.g. `http://127.0.0.1:3000` (no trailing slash). */
  serverUrl: string;
  /** Your address, the sender. */
  from: string;
  /** The agent's address (`EMAIL_FROM`). */
  to: string;
  subject: string;
  /** `SENDGRID_INBOUND_TOKEN`: the server refuses inbound email without it. */
  inboundToken: string | undefined;
  adminToken: string | undefined;
  messages: string[];
}

export const emailUsage = `Usage: npm run email -- [options] [message ...]

Emails the local Switchboard server the way SendGrid Inbound Parse delivers a message (multipart
POST to /sendgrid/inbound?token=…) and prints the agent's replies as they reach the outbox. Each
message after the first is a reply in the same thread (In-Reply-To the agent's last email). With
messages on the command line, sends each and waits for its reply; otherwise each line you type is
an email.

Options:
  --url <url>             server base URL (default http://127.0.0.1:$PORT, PORT defaults to 3000)
  --from <address>        your address (default pat@example.org)
  --to <address>          the agent's address (default $EMAIL_FROM, else agent@switchboard.local)
  --subject <text>        the first email's subject (default "Hello")
  --inbound-token <token> default $SENDGRID_INBOUND_TOKEN; the server needs it set too
  --admin-token <token>   reads the replies (default $ADMIN_TOKEN, else the token npm start keeps
                          in $DATA_DIR/admin-token)
  -h, --help              show this help

Environment variables are also read from .env in the current directory.`;

/** Parses the command line; returns `"help"` for `--help`. Throws on unknown options. */
export function parseEmailOptions(
  argv: string[],
  environment: Record<string, string | undefined>,
): EmailOptions | "help" {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      url: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      subject: { type: "string" },
      "inbound-token": { type: "string" },
      "admin-token": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return "help";
  return {
    serverUrl: (values.url ?? `http://127.0.0.1:${environment.PORT ?? 3000}`).replace(/\/+$/, ""),
    from: values.from ?? "pat@example.org",
    to: values.to ?? (environment.EMAIL_FROM || "agent@switchboard.local"),
    subject: values.subject ?? "Hello",
    inboundToken: values["inbound-token"] ?? (environment.SENDGRID_INBOUND_TOKEN || undefined),
    adminToken: cliAdminToken(values["admin-token"], environment),
    messages: positionals,
  };
}

/** Emails the server as `options.from`, a thread of one message per line; resolves with the exit code. */
export function runTerminalEmail(options: EmailOptions, io: TerminalIo): Promise<number> {
  if (!options.inboundToken) {
    io.output.write(
      "Inbound email needs SENDGRID_INBOUND_TOKEN, set for the server and this command (e.g. in .env); the server refuses email without it.\n",
    );
    return Promise.resolve(2);
  }
  const token = options.inboundToken;
  const domain = options.from.split("@")[1] ?? "example.org";
  /** The agent's last email: the next one answers it (its Message-ID, its subject). */
  let thread: { messageId: string; references: string; subject: string } | undefined;
  const channel: MessageChannel = {
    greeting: `Emailing ${options.serverUrl} from ${options.from} to ${options.to}`,
    async send(text) {
      const messageId = `<${randomBytes(12).toString("hex")}@${domain}>`;
      const subject = thread ? thread.subject : options.subject;
      const headers = [
        `Message-ID: ${messageId}`,
        `Date: ${new Date().toUTCString()}`,
        `From: ${options.from}`,
        `To: ${options.to}`,
        `Subject: ${subject}`,
        ...(thread ? [`In-Reply-To: ${thread.messageId}`, `References: ${thread.references}`] : []),
        "MIME-Version: 1.0",
        'Content-Type: text/plain; charset="UTF-8"',
      ].join("\r\n");
      const form = new FormData();
      form.set("headers", `${headers}\r\n`);
      form.set("from", options.from);
      form.set("to", options.to);
      form.set("subject", subject);
      form.set("text", `${text}\n`);
      form.set("envelope", JSON.stringify({ to: [options.to], from: options.from }));
      form.set("charsets", JSON.stringify({ to: "UTF-8", from: "UTF-8", subject: "UTF-8", text: "UTF-8" }));
      form.set("SPF", "pass");
      form.set("dkim", `{@${domain} : pass}`);
      const response = await fetch(
        `${options.serverUrl}/sendgrid/inbound?token=${encodeURIComponent(token)}`,
        {
          method: "POST",
          body: form,
        },
      );
      const body = await response.text();
      return response.ok ? undefined : `POST /sendgrid/inbound answered ${response.status}: ${body}`;
    },
    isReply: (entry) =>
      entry.kind === "email" && entry.payload.to?.toLowerCase() === options.from.toLowerCase(),
    describe: (entry) => `[${entry.payload.subject ?? ""}] ${(entry.payload.text ?? "").trim()}`,
    replied(entry) {
      const messageId = entry.payload.headers?.["Message-ID"];
      if (!messageId) return;
      const references = entry.payload.headers?.References;
      thread = {
        messageId,
        references: references ? `${references} ${messageId}` : messageId,
        subject: entry.payload.subject ?? options.subject,
      };
    },
  };
  return runMessageSession(channel, options, io);
}
