import type { LanguageModelV3CallOptions } from "@ai-sdk/provider";
import { afterEach, describe, expect, it } from "vitest";
import {
  createFakeSendGridServer,
  type FakeSendGridServer,
} from "../../src/testing/create-fake-sendgrid-server.js";
import {
  createFakeTwilioServer,
  type FakeTwilioServer,
} from "../../src/testing/create-fake-twilio-server.js";
import { createScriptedModel, type ScriptedTurn } from "../../src/testing/create-scripted-model.js";
import { RelayTestClient } from "../../src/testing/relay-test-client.js";
import { signTwilioRequest } from "../../src/testing/sign-twilio-request.js";
import { announceCall } from "../helpers/announce-call.js";
import { postForm, startTestServer, type TestServer } from "../helpers/start-test-server.js";

const publicUrl = "https://switchboard.example.test";
const accountSid = "AC44444444444444444444444444444444";
const authToken = "scenario-token";
const apiKey = "SG.scenario";
const phone = "+14155550123";
const headers = { authorization: "Bearer test-admin-token" };

/** Last user text and last tool results the model was given. */
function lastUserText(options: LanguageModelV3CallOptions): string {
  const user = [...options.prompt].reverse().find((message) => message.role === "user");
  return user && user.role === "user"
    ? user.content.map((part) => (part.type === "text" ? part.text : "")).join("")
    : "";
}
function lastToolOutput(options: LanguageModelV3CallOptions): string {
  const last = options.prompt[options.prompt.length - 1];
  return last?.role === "tool" ? JSON.stringify(last.content) : "";
}

describe("one customer, one timeline across voice, SMS and email", () => {
  let twilio: FakeTwilioServer;
  let sendgrid: FakeSendGridServer;
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    await twilio.close();
    await sendgrid.close();
  });

  it("call → text me → SMS reply → verified email → inbound email: one customer, one timeline, no unverified address reached", async () => {
    twilio = await createFakeTwilioServer({ accountSid, authToken });
    sendgrid = await createFakeSendGridServer({ apiKey });
    let wrongCodeTried = false;
    const model = createScriptedModel((options): ScriptedTurn => {
      const user = lastUserText(options);
      const tool = lastToolOutput(options);
      if (tool) {
        if (tool.includes("ADDRESS_NOT_ALLOWED") || tool.includes("not one of the customer")) {
          return { toolCalls: [{ toolName: "verify_contact", input: { address: "pat@example.org" } }] };
        }
        return { text: `Done: ${tool.includes("error") ? "failed" : "ok"}` };
      }
      if (user.includes("Text me"))
        return { toolCalls: [{ toolName: "send_sms", input: { message: "Party at 8 PM, Hall B." } }] };
      if (user.includes("email me at pat@example.org")) {
        return {
          toolCalls: [
            {
              toolName: "send_email",
              input: { to: "pat@example.org", subject: "Details", body: "Party at 8 PM." },
            },
          ],
        };
      }
      const code = /code is (\d{6})/.exec(user)?.[1];
      if (code) {
        if (!wrongCodeTried) {
          wrongCodeTried = true;
          return {
            toolCalls: [
              { toolName: "confirm_contact_code", input: { code: code === "000000" ? "111111" : "000000" } },
            ],
          };
        }
        return { toolCalls: [{ toolName: "confirm_contact_code", input: { code } }] };
      }
      if (user.includes("send the email now")) {
        return {
          toolCalls: [
            { toolName: "send_email", input: { subject: "Details", body: "Party at 8 PM, Hall B." } },
          ],
        };
      }
      return { text: `Heard: ${user.slice(0, 40)}` };
    });
    server = await startTestServer(
      {
        PUBLIC_URL: publicUrl,
        TWILIO_ACCOUNT_SID: accountSid,
        TWILIO_AUTH_TOKEN: authToken,
        TWILIO_PHONE_NUMBER: "+18885550100",
        TWILIO_API_BASE_URL: twilio.url,
        SENDGRID_API_KEY: apiKey,
        EMAIL_FROM: "Assistant <assistant@acme.example>",
        SENDGRID_API_BASE_URL: sendgrid.url,
        SENDGRID_INBOUND_TOKEN: "tok",
        VOICE_WELCOME_GREETING: "",
      },
      { model },
    );
    const sms = async (sid: string, body: string) => {
      const params = {
        MessageSid: sid,
        AccountSid: accountSid,
        From: phone,
        To: "+18885550100",
        Body: body,
        NumMedia: "0",
      };
      const response = await postForm(`${server!.baseUrl}/twilio/sms`, params, {
        "x-twilio-signature": signTwilioRequest(authToken, `${publicUrl}/twilio/sms`, params),
      });
      expect(response.status).toBe(200);
      await server!.app.idle();
    };

    // 1. The call: "text me that".
    await announceCall({
      baseUrl: server.baseUrl,
      publicUrl: "https://switchboard.example.test",
      authToken,
      callSid: "CAscenario",
      from: phone,
    });
    const call = await RelayTestClient.connect({
      url: server.relayUrl,
      signedUrl: `wss://switchboard.example.test/twilio/relay`,
      authToken,
    });
    call.sendSetup({ callSid: "CAscenario", from: phone });
    call.sendPrompt("Text me the party details");
    await call.nextReply({ timeoutMs: 5000 });
    const [textMessage] = await twilio.waitForMessages(1);
    expect(textMessage).toMatchObject({ to: phone, body: "Party at 8 PM, Hall B." });
    call.close();

    // 2. SMS reply from the same phone continues the same conversation, and sees the call.
    await sms("SMs1", "Thanks! What time again?");
    const smsPrompt = JSON.stringify(model.calls[model.calls.length - 1]?.prompt);
    expect(smsPrompt).toContain("[via phone call] Text me the party details");

    // 3. "email me at pat@example.org": refused until verified; a code goes to that address.
    await sms("SMs2", "Please email me at pat@example.org");
    const [codeMail] = await sendgrid.waitForMails(1);
    expect(codeMail?.to).toBe("pat@example.org");
    expect(codeMail?.subject).toBe("Your verification code");
    const code = /code is (\d{6})/.exec(codeMail?.text ?? "")?.[1] ?? "";
    expect(code).toMatch(/^\d{6}$/);
    expect(sendgrid.mails).toHaveLength(1);

    // 4. A wrong code does not link; the right one does.
    await sms("SMs3", `The code is ${code}`);
    const customerId = (await server.app.store
      .getCallSession("CAscenario")
      .then((session) => server!.app.store.getConversation(session!.conversationId)))!.customerId!;
    expect(
      (await server.app.stores.customers.listIdentifiers(customerId)).map((identifier) => identifier.kind),
    ).toEqual(["phone"]);
    await sms("SMs4", `Sorry, the code is ${code}`);
    expect(
      (await server.app.stores.customers.listIdentifiers(customerId)).map((identifier) => identifier.value),
    ).toEqual([phone, "pat@example.org"]);

    // 5. Now the email tool reaches the verified address.
    await sms("SMs5", "Great, send the email now");
    const mails = await sendgrid.waitForMails(2);
    expect(mails[1]).toMatchObject({ to: "pat@example.org", subject: "Details" });

    // 6. An email from that address lands in the same timeline.
    const form = new FormData();
    form.append("from", "Pat <pat@example.org>");
    // As SendGrid posts it once the sender's domain signed it (DKIM).
    form.append("dkim", "{@example.org : pass}");
    form.append("subject", "One more question");
    form.append("text", "Is there parking?");
    form.append("headers", "Message-ID: <q1@mail.example.org>\r\nSubject: One more question");
    expect(
      (await fetch(`${server.baseUrl}/sendgrid/inbound?token=tok`, { method: "POST", body: form })).status,
    ).toBe(200);
    await server.app.idle();

    const conversations = await server.app.store.listConversations();
    expect(conversations).toHaveLength(1);
    const timeline = await server.app.store.listMessages(conversations[0]!.id);
    expect(new Set(timeline.map((message) => message.channel))).toEqual(new Set(["voice", "sms", "email"]));
    const customer = (await (
      await fetch(`${server.baseUrl}/api/customers/${customerId}`, { headers })
    ).json()) as {
      identifiers: Array<{ value: string }>;
      conversations: unknown[];
    };
    expect(customer.identifiers.map((identifier) => identifier.value)).toEqual([phone, "pat@example.org"]);
    expect(customer.conversations).toHaveLength(1);
    const audit = await server.app.stores.customers.listAudit(customerId);
    expect(audit.map((entry) => entry.action)).toEqual([
      "customer-created",
      "verification-started",
      "verification-failed",
      "identifier-linked",
    ]);

    // Privacy: export holds every channel, opt-outs and pending codes; erase removes messages and
    // identifiers, and codes anyone asked for to their addresses; it keeps an audit entry.
    const { customers: customerStore, messagingState } = server.app.stores;
    await messagingState.setOptOut(phone, "sms", true, "STOP");
    const pending = (customerId: string, id: string) => ({
      id,
      customerId,
      kind: "email" as const,
      value: "pat@example.org",
      codeHash: "0".repeat(64),
      conversationId: null,
      attempts: 0,
      expiresAt: Date.now() + 600_000,
      createdAt: Date.now(),
    });
    await customerStore.saveVerification(pending(customerId, "ver_own"));
    await customerStore.saveVerification(pending("cus_someone_else", "ver_other"));
    const exported = (await (
      await fetch(`${server.baseUrl}/api/customers/${customerId}/export`, { headers })
    ).json()) as {
      conversations: Array<{ messages: Array<{ channel: string }>; calls: Array<{ callSid: string }> }>;
      optOuts: Array<{ address: string; channel: string }>;
      verifications: Array<Record<string, unknown>>;
    };
    expect(exported.conversations[0]?.messages.length).toBe(timeline.length);
    expect(exported.conversations[0]?.calls.map((call) => call.callSid)).toEqual(["CAscenario"]);
    expect(exported.optOuts).toEqual([{ address: phone, channel: "sms" }]);
    expect(exported.verifications.map((verification) => verification.id)).toEqual(["ver_own"]);
    expect(exported.verifications[0]).not.toHaveProperty("codeHash");
    const erased = await fetch(`${server.baseUrl}/api/customers/${customerId}`, {
      method: "DELETE",
      headers,
    });
    expect(erased.status).toBe(200);
    expect(await server.app.store.listConversations()).toHaveLength(0);
    expect(
      await server.app.stores.customers.findCustomerByIdentifier("email", "pat@example.org"),
    ).toBeUndefined();
    expect(await server.app.stores.outbox.listOutbound()).toHaveLength(0);
    expect(await customerStore.listVerificationsForAddress("email", "pat@example.org")).toEqual([]);
    const afterErase = await server.app.stores.customers.listAudit(customerId);
    expect(afterErase.at(-1)?.action).toBe("customer-erased");
    expect(JSON.stringify(afterErase)).not.toContain("Party");
  });
});
