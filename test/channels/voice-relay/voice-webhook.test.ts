import { XMLParser, XMLValidator } from "fast-xml-parser";
import { afterEach, describe, expect, it } from "vitest";
import { signTwilioRequest } from "../../../src/testing/sign-twilio-request.js";
import { postForm, startTestServer, type TestServer } from "../../helpers/start-test-server.js";

const publicUrl = "https://switchboard.example.test";
const authToken = "test-auth-token-123";
const incomingCall = {
  CallSid: "CA1234567890abcdef",
  AccountSid: "AC0000000000000000",
  From: "+14155550123",
  To: "+18885550100",
  CallStatus: "ringing",
  Direction: "inbound",
  ApiVersion: "2010-04-01",
};

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "",
  isArray: (name) => ["Language", "Parameter"].includes(name),
});

describe("POST /twilio/voice", () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("returns valid ConversationRelay TwiML built from config", async () => {
    server = await startTestServer({
      PUBLIC_URL: publicUrl,
      VOICE_WELCOME_GREETING: "Hi & welcome to <Acme>",
      VOICE_LANGUAGE: "en-GB",
      VOICE_TTS_PROVIDER: "Google",
      VOICE_TTS_VOICE: "en-GB-Journey-D",
      VOICE_TRANSCRIPTION_PROVIDER: "Google",
      VOICE_SPEECH_MODEL: "telephony",
      VOICE_INTERRUPTIBLE: "speech",
      VOICE_DTMF_DETECTION: "true",
      VOICE_HINTS: "Switchboard,ConversationRelay",
      VOICE_EXTRA_LANGUAGES: "es-US:Google:es-US-Neural2-A,fr-FR:Amazon:Lea-Neural",
    });
    const response = await postForm(`${server.baseUrl}/twilio/voice`, incomingCall);
    expect(response.status).toBe(200);
    expect(response.contentType).toContain("text/xml");
    expect(XMLValidator.validate(response.body)).toBe(true);
    const document = xml.parse(response.body);
    const connect = document.Response.Connect;
    expect(connect.action).toBe(`${publicUrl}/twilio/voice/ended`);
    const relay = connect.ConversationRelay;
    expect(relay.url).toBe("wss://switchboard.example.test/twilio/relay");
    expect(response.body).toContain('welcomeGreeting="Hi &amp; welcome to &lt;Acme>"');
    expect(relay.welcomeGreeting).toBe("Hi & welcome to <Acme>");
    expect(relay.language).toBe("en-GB");
    expect(relay.ttsProvider).toBe("Google");
    expect(relay.voice).toBe("en-GB-Journey-D");
    expect(relay.transcriptionProvider).toBe("Google");
    expect(relay.speechModel).toBe("telephony");
    expect(relay.interruptible).toBe("speech");
    expect(relay.dtmfDetection).toBe("true");
    expect(relay.hints).toBe("Switchboard,ConversationRelay");
    expect(relay.Language).toEqual([
      { code: "es-US", ttsProvider: "Google", voice: "es-US-Neural2-A" },
      { code: "fr-FR", ttsProvider: "Amazon", voice: "Lea-Neural" },
    ]);
    const conversationId = relay.Parameter.find(
      (parameter: { name: string }) => parameter.name === "conversationId",
    )?.value;
    expect(conversationId).toMatch(/^conv_/);
    const conversation = await server.app.store.getConversation(conversationId);
    expect(conversation?.channel).toBe("voice");
    const call = await server.app.store.getCallSession(incomingCall.CallSid);
    expect(call?.conversationId).toBe(conversationId);
    expect(call?.status).toBe("ringing");
  });

  it("says why a signature failed: no header, a tunnel URL other than PUBLIC_URL, or another token", async () => {
    server = await startTestServer({ PUBLIC_URL: publicUrl, TWILIO_AUTH_TOKEN: authToken });
    const reason = async (headers: Record<string, string>) => {
      const response = await postForm(`${server?.baseUrl}/twilio/voice`, incomingCall, headers);
      expect(response.status).toBe(403);
      return String(JSON.parse(response.body).error.message);
    };
    expect(await reason({})).toContain("no X-Twilio-Signature header");
    // Twilio called a new tunnel URL; the tunnel (on loopback, a trusted proxy) forwards its host.
    const tunnel = "https://new-tunnel.ngrok.app";
    const signedForTunnel = signTwilioRequest(authToken, `${tunnel}/twilio/voice`, incomingCall);
    expect(
      await reason({
        "x-twilio-signature": signedForTunnel,
        "x-forwarded-proto": "https",
        "x-forwarded-host": "new-tunnel.ngrok.app",
      }),
    ).toContain(
      `it was signed for ${tunnel}/twilio/voice, but PUBLIC_URL is ${publicUrl}: set PUBLIC_URL=${tunnel}`,
    );
    const otherToken = signTwilioRequest("another-accounts-token", `${publicUrl}/twilio/voice`, incomingCall);
    expect(await reason({ "x-twilio-signature": otherToken })).toContain(
      `it does not match ${publicUrl}/twilio/voice: PUBLIC_URL must be exactly the URL Twilio calls`,
    );
    expect(await server.app.store.listConversations()).toHaveLength(0);
  });

  it("rejects a missing or wrong signature with 403 and stores nothing", async () => {
    server = await startTestServer({ PUBLIC_URL: publicUrl, TWILIO_AUTH_TOKEN: authToken });
    const unsigned = await postForm(`${server.baseUrl}/twilio/voice`, incomingCall);
    expect(unsigned.status).toBe(403);
    expect(JSON.parse(unsigned.body).error.code).toBe("SIGNATURE_INVALID");
    const wrongUrl = signTwilioRequest(authToken, `${publicUrl}/other`, incomingCall);
    const wrong = await postForm(`${server.baseUrl}/twilio/voice`, incomingCall, {
      "x-twilio-signature": wrongUrl,
    });
    expect(wrong.status).toBe(403);
    const tampered = signTwilioRequest(authToken, `${publicUrl}/twilio/voice`, incomingCall);
    const tamperedResponse = await postForm(
      `${server.baseUrl}/twilio/voice`,
      { ...incomingCall, From: "+19998887777" },
      { "x-twilio-signature": tampered },
    );
    expect(tamperedResponse.status).toBe(403);
    expect(await server.app.store.listConversations()).toHaveLength(0);
    expect(await server.app.store.getCallSession(incomingCall.CallSid)).toBeUndefined();

    const signature = signTwilioRequest(authToken, `${publicUrl}/twilio/voice`, incomingCall);
    const signed = await postForm(`${server.baseUrl}/twilio/voice`, incomingCall, {
      "x-twilio-signature": signature,
    });
    expect(signed.status).toBe(200);
    expect(await server.app.store.listConversations()).toHaveLength(1);
  });

  it("answers a malformed webhook with 400 and a clear message", async () => {
    server = await startTestServer({ PUBLIC_URL: publicUrl });
    const response = await postForm(`${server.baseUrl}/twilio/voice`, { From: "+14155550123" });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).error.message).toContain("CallSid");
    expect(await server.app.store.listConversations()).toHaveLength(0);
  });
});

describe("POST /twilio/voice/ended", () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("records the session end and hangs up", async () => {
    server = await startTestServer({ PUBLIC_URL: publicUrl, TWILIO_AUTH_TOKEN: authToken });
    const sign = (path: string, params: Record<string, string>) => ({
      "x-twilio-signature": signTwilioRequest(authToken, `${publicUrl}${path}`, params),
    });
    await postForm(`${server.baseUrl}/twilio/voice`, incomingCall, sign("/twilio/voice", incomingCall));
    const ended = {
      AccountSid: incomingCall.AccountSid,
      CallSid: incomingCall.CallSid,
      CallStatus: "completed",
      SessionId: "VX123",
      SessionStatus: "completed",
      SessionDuration: "42",
    };
    const unsigned = await postForm(`${server.baseUrl}/twilio/voice/ended`, ended);
    expect(unsigned.status).toBe(403);
    expect((await server.app.store.getCallSession(incomingCall.CallSid))?.status).toBe("ringing");

    const response = await postForm(
      `${server.baseUrl}/twilio/voice/ended`,
      ended,
      sign("/twilio/voice/ended", ended),
    );
    expect(response.status).toBe(200);
    expect(xml.parse(response.body).Response).toHaveProperty("Hangup");
    const call = await server.app.store.getCallSession(incomingCall.CallSid);
    expect(call).toMatchObject({ status: "completed", durationSeconds: 42, sessionId: "VX123" });
    expect(call?.endedAt).toBeTypeOf("number");
  });

  it("dials the human agent number when the handoff asks for a person", async () => {
    server = await startTestServer({ PUBLIC_URL: publicUrl, HUMAN_AGENT_NUMBER: "+15551230000" });
    await postForm(`${server.baseUrl}/twilio/voice`, incomingCall);
    const response = await postForm(`${server.baseUrl}/twilio/voice/ended`, {
      CallSid: incomingCall.CallSid,
      CallStatus: "in-progress",
      SessionStatus: "ended",
      SessionDuration: "12",
      HandoffData: JSON.stringify({ reason: "human", summary: "billing" }),
    });
    expect(response.body).toContain("<Dial>+15551230000</Dial>");
    expect((await server.app.store.getCallSession(incomingCall.CallSid))?.handoffData).toContain("billing");
  });

  it("reconnects a dropped socket to the same conversation without a second greeting", async () => {
    server = await startTestServer({ PUBLIC_URL: publicUrl });
    const first = await postForm(`${server.baseUrl}/twilio/voice`, incomingCall);
    const conversationId = /name="conversationId" value="([^"]+)"/.exec(first.body)?.[1];
    const response = await postForm(`${server.baseUrl}/twilio/voice/ended`, {
      CallSid: incomingCall.CallSid,
      CallStatus: "in-progress",
      SessionStatus: "failed",
      ErrorCode: "64105",
    });
    const relay = xml.parse(response.body).Response.Connect.ConversationRelay;
    expect(relay.welcomeGreeting).toBeUndefined();
    expect(relay.Parameter).toEqual([{ name: "conversationId", value: conversationId }]);
  });
});
