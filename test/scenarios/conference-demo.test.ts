import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createFakeSendGridServer } from "../../src/testing/create-fake-sendgrid-server.js";
import {
  createFakeTwilioServer,
  type FakeTwilioServer,
} from "../../src/testing/create-fake-twilio-server.js";
import { RelayTestClient } from "../../src/testing/relay-test-client.js";
import { signTwilioRequest } from "../../src/testing/sign-twilio-request.js";
import { announceCall } from "../helpers/announce-call.js";
import { postForm, startTestServer, type TestServer } from "../helpers/start-test-server.js";

const accountSid = "AC66666666666666666666666666666666";
const authToken = "demo-token";
const publicUrl = "https://switchboard.example.test";
const caller = "+14155550123";

interface SampleSession {
  id: string;
  day: string;
  venue: string;
}
const sessionsFile = JSON.parse(
  readFileSync(path.resolve(import.meta.dirname, "../../knowledge/sessions.json"), "utf8"),
) as SampleSession[] | { sessions?: SampleSession[]; records?: SampleSession[] };
const sessions: SampleSession[] = Array.isArray(sessionsFile)
  ? sessionsFile
  : (sessionsFile.sessions ?? sessionsFile.records ?? []);

describe("the conference-assistant demo with the offline model (npm start defaults)", () => {
  let twilio: FakeTwilioServer;
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    await twilio.close();
  });

  it("answers on the phone from the sample data, texts the details, and follows up by SMS in context", async () => {
    twilio = await createFakeTwilioServer({ accountSid, authToken });
    server = await startTestServer({
      PUBLIC_URL: publicUrl,
      TWILIO_ACCOUNT_SID: accountSid,
      TWILIO_AUTH_TOKEN: authToken,
      TWILIO_PHONE_NUMBER: "+18885550100",
      TWILIO_API_BASE_URL: twilio.url,
      VOICE_WELCOME_GREETING: "",
      KNOWLEDGE_WATCH: "false",
    });
    await announceCall({
      baseUrl: server.baseUrl,
      publicUrl: "https://switchboard.example.test",
      authToken,
      callSid: "CAdemo",
      from: caller,
    });
    const call = await RelayTestClient.connect({
      url: server.relayUrl,
      signedUrl: "wss://switchboard.example.test/twilio/relay",
      authToken,
    });
    call.sendSetup({ callSid: "CAdemo", from: caller });

    call.sendPrompt("When is the re:Play party and what happens there?");
    const party = (await call.nextReply()).text;
    expect(party).toContain("Thursday");
    expect(party).toContain("7:00 PM");
    expect(party).toContain("Las Vegas Festival Grounds");

    call.sendPrompt("Which sessions are on Thursday at Mandalay Bay?");
    const list = (await call.nextReply()).text;
    const listed = list.match(/\b[A-Z]{3}\d{3}\b/g) ?? [];
    expect(listed.length).toBeGreaterThanOrEqual(2);
    // More sessions match than a call can list: the caller is told so, and how to narrow them.
    const matching = sessions.filter(
      (session) => session.day === "Thursday" && session.venue === "Mandalay Bay",
    );
    expect(matching.length).toBeGreaterThan(listed.length);
    expect(list).toContain("there may be more");
    for (const id of listed) {
      const session = sessions.find((candidate) => candidate.id === id);
      expect(session, `${id} exists in the sample data`).toBeDefined();
      expect(session).toMatchObject({ day: "Thursday", venue: "Mandalay Bay" });
    }

    call.sendPrompt("Tell me about the SageMaker fine-tuning session");
    const detail = (await call.nextReply()).text;
    expect(detail).toContain("AIM312");
    expect(detail).toContain("Thursday");
    expect(detail).toContain("Lagoon K");

    call.sendPrompt("Text me that");
    await call.nextReply();
    const [sms] = await twilio.waitForMessages(1);
    expect(sms?.to).toBe(caller);
    expect(sms?.body).toContain("AIM312");
    expect(sms?.body).toContain("Mandalay Bay");

    call.sendPrompt("What about parking on the moon?");
    expect((await call.nextReply()).text).toContain("couldn't find");
    call.close();

    // The follow-up SMS continues the call's conversation.
    const params = {
      MessageSid: "SMdemo1",
      AccountSid: accountSid,
      From: caller,
      To: "+18885550100",
      Body: "Who is presenting it?",
    };
    await postForm(`${server.baseUrl}/twilio/sms`, params, {
      "x-twilio-signature": signTwilioRequest(authToken, `${publicUrl}/twilio/sms`, params),
    });
    const messages = await twilio.waitForMessages(2);
    expect(messages[1]?.body).toBe("Priya Raman and Daniel Okafor are presenting AIM312.");
  });

  it("answers the same questions by email with the fuller list, threaded", async () => {
    twilio = await createFakeTwilioServer({ accountSid, authToken });
    const sendgrid = await createFakeSendGridServer({ apiKey: "SG.demo" });
    server = await startTestServer({
      SENDGRID_API_KEY: "SG.demo",
      EMAIL_FROM: "Conference Assistant <assistant@acme.example>",
      SENDGRID_API_BASE_URL: sendgrid.url,
      SENDGRID_INBOUND_TOKEN: "tok",
      KNOWLEDGE_WATCH: "false",
    });
    const form = new FormData();
    form.append("from", "Pat <pat@example.org>");
    // As SendGrid posts it once the sender's domain signed it (DKIM).
    form.append("dkim", "{@example.org : pass}");
    form.append("subject", "Thursday sessions");
    form.append("text", "Which sessions are on Thursday at Mandalay Bay?");
    form.append("headers", "Message-ID: <demo1@mail.example.org>\r\nSubject: Thursday sessions");
    expect(
      (await fetch(`${server.baseUrl}/sendgrid/inbound?token=tok`, { method: "POST", body: form })).status,
    ).toBe(200);
    const [reply] = await sendgrid.waitForMails(1);
    expect(reply?.subject).toBe("Re: Thursday sessions");
    const listed = reply?.text.match(/^- ([A-Z]{3}\d{3}) /gm) ?? [];
    expect(listed.length).toBeGreaterThanOrEqual(3);
    for (const line of listed) {
      const id = line.slice(2, 8);
      expect(sessions.find((session) => session.id === id)).toMatchObject({
        day: "Thursday",
        venue: "Mandalay Bay",
      });
    }
    await sendgrid.close();
  });
});
