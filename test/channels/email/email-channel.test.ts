import { generateKeyPairSync, sign } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DatabaseSync } from "@photostructure/sqlite";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { senderAuthenticated } from "../../../src/channels/email/email-inbound-routes.js";
import {
  createFakeSendGridServer,
  type FakeSendGridServer,
} from "../../../src/testing/create-fake-sendgrid-server.js";
import { createScriptedModel, type ScriptedModel } from "../../../src/testing/create-scripted-model.js";
import { eventually, startTestServer, type TestServer } from "../../helpers/start-test-server.js";

const apiKey = "SG.email-test";
const inboundToken = "inbound-secret-123";
const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
const publicKeyBase64 = publicKey.export({ format: "der", type: "spki" }).toString("base64");

function inboundForm(fields: Record<string, string>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  return form;
}

function parseFields(options: {
  messageId: string;
  subject: string;
  text: string;
  inReplyTo?: string;
  references?: string;
  from?: string;
}): Record<string, string> {
  const headerLines = [
    "Received: by mx.example.net with SMTP id abc for <assistant@parse.acme.example>; Tue, 02 Sep 2025 10:00:00 +0000",
    `From: ${options.from ?? "Pat Doe <pat@Example.org>"}`,
    "To: Acme Assistant <assistant@parse.acme.example>",
    `Subject: ${options.subject}`,
    `Message-ID: ${options.messageId}`,
    ...(options.inReplyTo ? [`In-Reply-To: ${options.inReplyTo}`] : []),
    ...(options.references ? [`References: ${options.references}`] : []),
    "Date: Tue, 02 Sep 2025 10:00:00 +0000",
    "MIME-Version: 1.0",
    'Content-Type: multipart/alternative; boundary="000000000000abc"',
  ];
  return {
    headers: headerLines.join("\r\n"),
    dkim: "{@example.org : pass}",
    to: "Acme Assistant <assistant@parse.acme.example>",
    from: options.from ?? "Pat Doe <pat@Example.org>",
    text: options.text,
    html: `<div dir="ltr">${options.text.replaceAll("\n", "<br>")}</div>`,
    sender_ip: "209.85.0.1",
    envelope: JSON.stringify({ to: ["assistant@parse.acme.example"], from: "pat@example.org" }),
    attachments: "0",
    subject: options.subject,
    charsets: JSON.stringify({ to: "UTF-8", html: "UTF-8", subject: "UTF-8", from: "UTF-8", text: "UTF-8" }),
    SPF: "pass",
  };
}

describe("email channel", () => {
  let sendgrid: FakeSendGridServer;
  let server: TestServer | undefined;
  let model: ScriptedModel;

  beforeEach(async () => {
    sendgrid = await createFakeSendGridServer({ apiKey });
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
    await sendgrid.close();
  });

  async function start(
    script: Parameters<typeof createScriptedModel>[0],
    environment: Record<string, string> = {},
  ) {
    model = createScriptedModel(script);
    server = await startTestServer(
      {
        SENDGRID_API_KEY: apiKey,
        EMAIL_FROM: "Acme Assistant <assistant@acme.example>",
        SENDGRID_API_BASE_URL: sendgrid.url,
        SENDGRID_INBOUND_TOKEN: inboundToken,
        SENDGRID_EVENT_PUBLIC_KEY: publicKeyBase64,
        OUTBOX_RETRY_BASE_MS: "20",
        ...environment,
      },
      { model },
    );
  }

  const postInbound = (fields: Record<string, string>, token = inboundToken) =>
    fetch(`${server!.baseUrl}/sendgrid/inbound?token=${encodeURIComponent(token)}`, {
      method: "POST",
      body: inboundForm(fields),
    });

  it("answers an inbound email with a threaded reply and continues the thread", async () => {
    await start([
      { text: "Hi Pat,\n\nYour delivery address is updated.\n\nBest,\nAcme" },
      { text: "You're welcome!" },
    ]);
    const first = await postInbound(
      parseFields({
        messageId: "<CAF8x1@mail.example.org>",
        subject: "Delivery address",
        text: "Please change my delivery address to 1 Main St.\n\n--\nPat Doe\nSent from my iPhone",
      }),
    );
    expect(first.status).toBe(200);
    const [reply] = await sendgrid.waitForMails(1);
    expect(reply).toMatchObject({
      to: "pat@example.org",
      from: "assistant@acme.example",
      subject: "Re: Delivery address",
    });
    expect(reply?.headers["In-Reply-To"]).toBe("<CAF8x1@mail.example.org>");
    expect(reply?.headers.References).toBe("<CAF8x1@mail.example.org>");
    expect(reply?.headers["Message-ID"]).toMatch(/^<[^@]+@acme\.example>$/);
    expect(reply?.text).toContain("Your delivery address is updated.");
    expect(reply?.html).toContain("<p>");
    // The agent saw the new text, not the signature.
    const firstPrompt = JSON.stringify(model.calls[0]?.prompt);
    expect(firstPrompt).toContain("1 Main St.");
    expect(firstPrompt).not.toContain("Sent from my iPhone");
    expect(String(model.calls[0]?.prompt[0]?.content)).toContain("Channel: email");

    // The customer answers our reply: same conversation, quotes stripped.
    const ourId = reply?.headers["Message-ID"] ?? "";
    await postInbound(
      parseFields({
        messageId: "<CAF8x2@mail.example.org>",
        subject: "Re: Delivery address",
        inReplyTo: ourId,
        references: `<CAF8x1@mail.example.org> ${ourId}`,
        text: "Thanks!\n\nOn Tue, Sep 2, 2025 at 10:05 AM Acme Assistant <assistant@acme.example> wrote:\n> Hi Pat,\n> Your delivery address is updated.",
      }),
    );
    const mails = await sendgrid.waitForMails(2);
    expect(mails[1]?.subject).toBe("Re: Delivery address");
    expect(mails[1]?.headers.References).toBe(`<CAF8x1@mail.example.org> ${ourId} <CAF8x2@mail.example.org>`);
    const conversations = await server!.app.store.listConversations();
    expect(conversations).toHaveLength(1);
    const messages = await server!.app.store.listMessages(conversations[0]!.id);
    expect(messages.filter((message) => message.role === "user").map((message) => message.text)).toEqual([
      "Subject: Delivery address\n\nPlease change my delivery address to 1 Main St.",
      "Thanks!",
    ]);
  });

  it("asked by email to email the sender, sends nothing separate: the reply is the email", async () => {
    await start([
      { toolCalls: [{ toolName: "send_email", input: { subject: "Details", body: "Party at 8 PM." } }] },
      { text: "Hi Pat,\n\nThe party is at 8 PM.\n\nBest,\nAcme" },
    ]);
    await postInbound(
      parseFields({ messageId: "<CAF8x9@mail.example.org>", subject: "Party", text: "Email me the details" }),
    );
    const [reply] = await sendgrid.waitForMails(1);
    expect(reply).toMatchObject({ to: "pat@example.org", subject: "Re: Party" });
    expect(reply?.text).toContain("The party is at 8 PM.");
    expect(JSON.stringify(model.calls[1]?.prompt.at(-1))).toContain("in-reply");
    await server!.app.outboxWorker.drain();
    expect(sendgrid.mails).toHaveLength(1);
  });

  it("rejects a wrong token with 403, malformed posts with 400, and de-duplicates by Message-ID", async () => {
    await start([{ text: "Once." }, { text: "Twice?!" }]);
    const fields = parseFields({ messageId: "<dup@mail.example.org>", subject: "Hello", text: "Hi" });
    expect((await postInbound(fields, "wrong-token")).status).toBe(403);
    expect((await postInbound({ ...fields, from: "not an address" })).status).toBe(400);
    const notMultipart = await fetch(`${server!.baseUrl}/sendgrid/inbound?token=${inboundToken}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(notMultipart.status).toBeGreaterThanOrEqual(400);
    expect(notMultipart.status).toBeLessThan(500);
    await server!.app.idle();
    expect(await server!.app.stores.messagingState.listUnhandledInbound("sendgrid-inbound")).toEqual([]);
    expect(await server!.app.store.listConversations()).toHaveLength(0);

    expect((await postInbound(fields)).status).toBe(200);
    expect((await postInbound(fields)).status).toBe(200);
    await sendgrid.waitForMails(1);
    await server!.app.idle();
    await server!.app.outboxWorker.drain();
    expect(sendgrid.mails).toHaveLength(1);
    expect(model.calls).toHaveLength(1);
  });

  it("parses multipart only on the Inbound Parse route: other routes do without its per-request hooks", async () => {
    await start([{ text: "Got it." }]);
    const app = server!.app;
    // The root scope has no multipart: its hooks (a listener on every response) would run for
    // every SMS webhook and WebSocket upgrade.
    expect(app.server.hasRequestDecorator("isMultipart")).toBe(false);
    expect(app.server.hasContentTypeParser("multipart/form-data")).toBe(false);
    const form = new FormData();
    form.append("Body", "hi");
    const elsewhere = await fetch(`${server!.baseUrl}/twilio/sms`, { method: "POST", body: form });
    expect(elsewhere.status).toBe(415);
    expect(await elsewhere.json()).toEqual({
      error: { code: "FST_ERR_CTP_INVALID_MEDIA_TYPE", message: "Unsupported Media Type" },
    });
    const fields = parseFields({ messageId: "<scope@mail.example.org>", subject: "Hello", text: "Hi" });
    expect((await postInbound(fields)).status).toBe(200);
    await sendgrid.waitForMails(1);
  });

  it("verifies signed events, rejects tampered ones, records delivery and suppresses bounced addresses", async () => {
    await start([{ text: "Reply one." }, { text: "Reply two." }]);
    await postInbound(parseFields({ messageId: "<ev1@mail.example.org>", subject: "Hi", text: "Hello" }));
    const [mail] = await sendgrid.waitForMails(1);
    await eventually(
      async () => (await server!.app.stores.outbox.listOutbound())[0]?.status === "sent",
      "sent",
    );

    const body = `[{"email":"pat@example.org","timestamp":1756807200,"event":"delivered","sg_event_id":"ZGVs1","sg_message_id":"${mail?.messageId}.filter-1.0","smtp-id":"<x@ismtpd>","response":"250 OK"},\r\n{"email":"pat@example.org","timestamp":1756807201,"event":"bounce","type":"bounce","status":"5.1.1","reason":"user unknown","sg_event_id":"Ym91bmNl","sg_message_id":"${mail?.messageId}.filter-1.1"}]\r\n`;
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = sign("sha256", Buffer.from(timestamp + body), privateKey).toString("base64");
    const post = (payload: string, headers: Record<string, string>) =>
      fetch(`${server!.baseUrl}/sendgrid/events`, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: payload,
      });
    const signedHeaders = {
      "x-twilio-email-event-webhook-signature": signature,
      "x-twilio-email-event-webhook-timestamp": timestamp,
    };
    expect((await post(body.replace("delivered", "processed"), signedHeaders)).status).toBe(403);
    expect((await post(body, {})).status).toBe(403);
    expect(await server!.app.stores.messagingState.isOptedOut("pat@example.org", "email")).toBe(false);

    const accepted = await post(body, signedHeaders);
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toEqual({ received: 2, recorded: 2 });
    expect((await server!.app.stores.outbox.listOutbound())[0]).toMatchObject({ status: "delivered" });
    expect(await server!.app.stores.messagingState.isOptedOut("pat@example.org", "email")).toBe(true);
    // Replayed events are recorded once.
    expect(await (await post(body, signedHeaders)).json()).toEqual({ received: 2, recorded: 0 });
    // Events named like Object's own methods map to no status: the batch is taken whole, not a 500.
    const odd = `[{"email":"pat@example.org","timestamp":1756807202,"event":"constructor","sg_event_id":"b2RkMQ","sg_message_id":"${mail?.messageId}.filter-1.2"},{"email":"pat@example.org","timestamp":1756807203,"event":"toString","sg_event_id":"b2RkMg","sg_message_id":"${mail?.messageId}.filter-1.3"}]`;
    const oddResponse = await post(odd, {
      "x-twilio-email-event-webhook-signature": sign(
        "sha256",
        Buffer.from(timestamp + odd),
        privateKey,
      ).toString("base64"),
      "x-twilio-email-event-webhook-timestamp": timestamp,
    });
    expect(oddResponse.status).toBe(200);
    expect(await oddResponse.json()).toEqual({ received: 2, recorded: 2 });
    expect((await server!.app.stores.outbox.listOutbound())[0]).toMatchObject({ status: "delivered" });

    // A suppressed address gets no more email.
    await postInbound(
      parseFields({ messageId: "<ev2@mail.example.org>", subject: "Again", text: "Still there?" }),
    );
    await server!.app.idle();
    await server!.app.outboxWorker.drain();
    const blocked = await eventually(async () => {
      const entries = await server!.app.stores.outbox.listOutbound({ status: "failed" });
      return entries[0];
    }, "the second reply to be refused");
    expect(blocked.lastErrorCode).toBe("OPTED_OUT");
    expect(sendgrid.mails).toHaveLength(1);
  });

  it("handles at the next start an email acknowledged and not handled, without storing one twice", async () => {
    const dataDirectory = mkdtempSync(path.join(os.tmpdir(), "switchboard-email-inbox-"));
    const environment = {
      SENDGRID_API_KEY: apiKey,
      EMAIL_FROM: "Acme Assistant <assistant@acme.example>",
      SENDGRID_API_BASE_URL: sendgrid.url,
      SENDGRID_INBOUND_TOKEN: inboundToken,
      OUTBOX_RETRY_BASE_MS: "20",
      STORE: "sqlite",
    };
    const payload = (messageId: string, body: string) => ({
      from: "pat@example.org",
      fromName: "Pat Doe",
      subject: "Order",
      body,
      messageId,
      references: [],
      inReplyTo: [],
      attachments: 0,
    });
    try {
      model = createScriptedModel([{ text: "Answer one." }]);
      server = await startTestServer(environment, { model }, { dataDirectory });
      await postInbound(parseFields({ messageId: "<r1@mail.example.org>", subject: "Order", text: "First" }));
      await server.app.idle();
      await sendgrid.waitForMails(1);
      // Acknowledged before the process stopped, not handled yet.
      await server.app.stores.messagingState.acceptInbound({
        provider: "sendgrid-inbound",
        eventId: "<r2@mail.example.org>",
        payload: payload("<r2@mail.example.org>", "Second"),
        receivedAt: Date.now(),
      });
      await server.close();
      server = undefined;
      // As if the process had stopped after storing and answering the first, before marking it
      // handled, long enough ago for its claim on the event to have run out.
      const database = new DatabaseSync(path.join(dataDirectory, "switchboard.db"));
      database
        .prepare(
          "UPDATE inbound_events SET payload = ?, claimed_until = 0 WHERE event_id = '<r1@mail.example.org>'",
        )
        .run(JSON.stringify(payload("<r1@mail.example.org>", "First")));
      database.close();

      model = createScriptedModel([{ text: "Answer two." }]);
      server = await startTestServer(environment, { model }, { dataDirectory });
      await server.app.idle();
      await sendgrid.waitForMails(2);
      await server.app.outboxWorker.drain();
      expect(sendgrid.mails.map((mail) => mail.text)).toEqual(["Answer one.", "Answer two."]);
      const [conversation] = await server.app.store.listConversations();
      const messages = await server.app.store.listMessages(conversation!.id);
      expect(messages.map((message) => [message.role, message.text])).toEqual([
        ["user", "Subject: Order\n\nFirst"],
        ["assistant", "Answer one."],
        ["user", "Subject: Order\n\nSecond"],
        ["assistant", "Answer two."],
      ]);
      expect(await server.app.stores.messagingState.listUnhandledInbound("sendgrid-inbound")).toEqual([]);
    } finally {
      await server?.close();
      server = undefined;
      rmSync(dataDirectory, { recursive: true, force: true });
    }
  });

  it("refuses an oversized post with 413", async () => {
    await start([], {});
    const form = inboundForm(parseFields({ messageId: "<big@mail.example.org>", subject: "Big", text: "x" }));
    form.append("attachment1", new Blob([Buffer.alloc(31 * 1024 * 1024)]), "big.bin");
    const response = await fetch(`${server!.baseUrl}/sendgrid/inbound?token=${inboundToken}`, {
      method: "POST",
      body: form,
    });
    expect(response.status).toBe(413);
    await server!.app.idle();
    expect(await server!.app.store.listConversations()).toHaveLength(0);
  });

  it("refuses a text field cut by the size limit, and a post over it in total, with 413", async () => {
    await start([], {});
    const big = "x".repeat(31 * 1024 * 1024);
    const cut = await postInbound(
      parseFields({ messageId: "<cut@mail.example.org>", subject: "Big", text: big }),
    );
    expect(cut.status).toBe(413);
    const half = "y".repeat(16 * 1024 * 1024);
    const total = await postInbound({
      ...parseFields({ messageId: "<total@mail.example.org>", subject: "Big", text: half }),
      html: half,
    });
    expect(total.status).toBe(413);
    await server!.app.idle();
    expect(await server!.app.store.listConversations()).toHaveLength(0);
  });

  it("decodes each field with the charset SendGrid names for it", async () => {
    await start([{ text: "Yes, there is one." }]);
    // Bytes as an ISO-8859-1 mail client writes them (é is 0xE9, ü is 0xFC), in fields without a
    // charset of their own, as Inbound Parse posts them: a multipart body written by hand.
    const fields: Record<string, string | Buffer> = {
      ...parseFields({ messageId: "<latin@mail.example.org>", subject: "Café question", text: "" }),
      subject: Buffer.from("Café question", "latin1"),
      text: Buffer.from("Is there a café near the Venetian? Grüße", "latin1"),
      charsets: JSON.stringify({ subject: "iso-8859-1", text: "iso-8859-1", from: "UTF-8" }),
    };
    delete fields.html;
    const boundary = "----switchboard-test-boundary";
    const body = Buffer.concat([
      ...Object.entries(fields).flatMap(([name, value]) => [
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n`),
        typeof value === "string" ? Buffer.from(value) : value,
        Buffer.from("\r\n"),
      ]),
      Buffer.from(`--${boundary}--\r\n`),
    ]);
    const response = await fetch(`${server!.baseUrl}/sendgrid/inbound?token=${inboundToken}`, {
      method: "POST",
      headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
      body,
    });
    expect(response.status).toBe(200);
    await server!.app.idle();
    const [conversation] = await server!.app.store.listConversations();
    const [message] = await server!.app.store.listMessages(conversation?.id ?? "");
    expect(message?.text).toBe("Subject: Café question\n\nIs there a café near the Venetian? Grüße");
    const [reply] = await sendgrid.waitForMails(1);
    expect(reply?.subject).toBe("Re: Café question");
  });

  it("keeps two emails without a Message-ID apart when their text differs, and checks any token without a 500", async () => {
    await start([{ text: "One." }, { text: "Two." }]);
    const withoutId = (text: string) => {
      const fields = parseFields({ messageId: "<unused@mail.example.org>", subject: "Question", text });
      fields.headers = (fields.headers ?? "")
        .split("\r\n")
        .filter((line) => !/^(?:Message-ID|Date):/i.test(line))
        .join("\r\n");
      return fields;
    };
    const first = await postInbound(withoutId("First question"));
    const second = await postInbound(withoutId("Second question"));
    const again = await postInbound(withoutId("Second question"));
    expect(await Promise.all([first.json(), second.json(), again.json()])).toEqual([
      { status: "accepted" },
      { status: "accepted" },
      { status: "duplicate" },
    ]);
    // A token of another byte length (é is two bytes) is refused like any wrong token.
    const multibyte = await postInbound(withoutId("x"), `${inboundToken.slice(0, -1)}é`);
    expect(multibyte.status).toBe(403);
    await server!.app.idle();
    // The inbox ids of such emails are digests: neither the sender nor the subject in the logs.
    const logged = server!.logs.map((line) => JSON.stringify(line)).join("\n");
    expect(logged).not.toContain("Question|");
  });

  it("answers a forged sender without the customer's history, and never links what it says", async () => {
    await start([{ text: "Noted, Pat." }, { text: "I can't see earlier messages here." }]);
    // Pat writes, signed by their domain: a customer with a conversation.
    await postInbound(
      parseFields({ messageId: "<pat-1@example.org>", subject: "Hello", text: "My name is Pat" }),
    );
    await server!.app.idle();
    const patCustomer = await server!.app.stores.customers.findCustomerByIdentifier(
      "email",
      "pat@example.org",
    );
    expect(patCustomer).toBeDefined();
    // Someone else sends as pat@example.org: their domain signed nothing, SPF failed.
    const forged = {
      ...parseFields({
        messageId: "<forged-1@evil.example>",
        subject: "What is my name?",
        text: "What is my name? 123456",
      }),
      dkim: "{@evil.example : pass}",
      SPF: "fail",
      envelope: JSON.stringify({ to: ["assistant@parse.acme.example"], from: "mallory@evil.example" }),
    };
    expect((await postInbound(forged)).status).toBe(200);
    await server!.app.idle();
    const conversations = await server!.app.store.listConversations();
    expect(conversations).toHaveLength(2);
    const anonymous = conversations.find((conversation) => conversation.customerId === null);
    expect(anonymous?.externalRef).toBe("email:pat@example.org");
    const texts = (await server!.app.store.listMessages(anonymous?.id ?? "")).map((message) => message.text);
    expect(texts[0]).toContain("What is my name?");
    // Pat's conversation has only Pat's own message and its reply.
    const patConversation = conversations.find((conversation) => conversation.customerId === patCustomer?.id);
    expect(await server!.app.store.listMessages(patConversation?.id ?? "")).toHaveLength(2);
    expect(server!.logs.some((line) => String(line.msg).includes("did not vouch for it"))).toBe(true);
  });

  it("keeps a reply into another customer's thread out of that customer's conversation", async () => {
    await start([{ text: "Hello Victoria." }, { text: "Hello, who is this?" }]);
    await postInbound(
      parseFields({
        messageId: "<v-msg-1@example.org>",
        subject: "Hi",
        text: "My name is Victoria",
        from: "Victoria <victoria@example.org>",
      }),
    );
    await server!.app.idle();
    const [victoriaConversation] = await server!.app.store.listConversations();
    // Mallory, properly signed by her own domain, answers into Victoria's thread.
    const mallory = {
      ...parseFields({
        messageId: "<m-1@evil.example>",
        subject: "Re: Hi",
        text: "What is my name?",
        inReplyTo: "<v-msg-1@example.org>",
        references: "<v-msg-1@example.org>",
        from: "Mallory <mallory@evil.example>",
      }),
      dkim: "{@evil.example : pass}",
    };
    expect((await postInbound(mallory)).status).toBe(200);
    await server!.app.idle();
    const conversations = await server!.app.store.listConversations();
    expect(conversations).toHaveLength(2);
    expect(await server!.app.store.listMessages(victoriaConversation?.id ?? "")).toHaveLength(2);
    const replies = await sendgrid.waitForMails(2);
    expect(replies.find((mail) => mail.to === "mallory@evil.example")?.text).not.toContain("Victoria");
  });
});

describe("senderAuthenticated", () => {
  const fields = (entries: Record<string, string>) => new Map(Object.entries(entries));
  it("takes a DKIM pass for the sender's domain or a relative, or an aligned SPF pass", () => {
    expect(senderAuthenticated("pat@example.org", fields({ dkim: "{@example.org : pass}" }))).toBe(true);
    expect(senderAuthenticated("pat@mail.example.org", fields({ dkim: "{@example.org : pass}" }))).toBe(true);
    expect(
      senderAuthenticated("pat@example.org", fields({ dkim: "{@evil.example : pass, @example.org : fail}" })),
    ).toBe(false);
    expect(senderAuthenticated("pat@example.org", fields({ dkim: "{@badexample.org : pass}" }))).toBe(false);
    expect(senderAuthenticated("pat@example.org", fields({ dkim: "none" }))).toBe(false);
    expect(senderAuthenticated("pat@example.org", fields({ dkim: "none", SPF: "none" }))).toBe(false);
    // Neither reported: not through a mail server, so the inbound token is what vouched for it.
    expect(senderAuthenticated("pat@example.org", fields({}))).toBe(true);
    const envelope = (from: string) => JSON.stringify({ to: ["a@b.example"], from });
    expect(
      senderAuthenticated(
        "pat@example.org",
        fields({ SPF: "pass", envelope: envelope("bounce@example.org") }),
      ),
    ).toBe(true);
    expect(
      senderAuthenticated("pat@example.org", fields({ SPF: "pass", envelope: envelope("x@evil.example") })),
    ).toBe(false);
    expect(
      senderAuthenticated(
        "pat@example.org",
        fields({ SPF: "softfail", envelope: envelope("pat@example.org") }),
      ),
    ).toBe(false);
    expect(senderAuthenticated("pat@example.org", fields({ SPF: "pass", envelope: "not json" }))).toBe(false);
  });
});
