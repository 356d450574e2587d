import { afterEach, describe, expect, it } from "vitest";
import { createScriptedModel } from "../../../src/testing/create-scripted-model.js";
import { RelayTestClient } from "../../../src/testing/relay-test-client.js";
import { signTwilioRequest } from "../../../src/testing/sign-twilio-request.js";
import { announceCall } from "../../helpers/announce-call.js";
import { eventually, postForm, startTestServer, type TestServer } from "../../helpers/start-test-server.js";

const publicUrl = "https://switchboard.example.test";
const greeting = "Hello, this is the test line.";

describe("WS /twilio/relay", () => {
  let server: TestServer | undefined;
  const clients: RelayTestClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await server?.close();
    server = undefined;
  });

  async function connect(options: { authToken?: string; signedUrl?: string } = {}): Promise<RelayTestClient> {
    if (!server) throw new Error("server not started");
    const client = await RelayTestClient.connect({
      url: server.relayUrl,
      signedUrl: options.signedUrl ?? "wss://switchboard.example.test/twilio/relay",
      authToken: options.authToken,
    });
    clients.push(client);
    return client;
  }

  async function conversationOf(callSid: string) {
    const call = await eventually(() => server?.app.store.getCallSession(callSid), `call session ${callSid}`);
    return call.conversationId;
  }

  it("holds a full call: setup, prompts, streamed replies each ended by last:true, history stored", async () => {
    const model = createScriptedModel([
      { text: ["Hi ", "there, ", "how ", "can ", "I ", "help?"] },
      { text: ["Sure ", "thing."] },
    ]);
    server = await startTestServer({ PUBLIC_URL: publicUrl, VOICE_WELCOME_GREETING: greeting }, { model });
    const client = await connect();
    client.sendSetup({ callSid: "CAfullcall", from: "+14155550123" });
    client.sendPrompt("Hello?");
    const first = await client.nextReply({ timeoutMs: 5000 });
    // The first token goes out at once; the rest, produced in the same event-loop turn by this
    // zero-latency model, share the closing frame, which carries last:true itself.
    expect(first.tokens).toEqual(["Hi ", "there, how can I help?"]);
    expect(first.messages.at(-1)).toMatchObject({
      type: "text",
      token: "there, how can I help?",
      last: true,
    });
    expect(first.text).toBe("Hi there, how can I help?");
    client.sendPrompt("Can you help me?");
    const second = await client.nextReply({ timeoutMs: 5000 });
    expect(second.text).toBe("Sure thing.");

    const conversationId = await conversationOf("CAfullcall");
    const messages = await eventually(async () => {
      const list = await server!.app.store.listMessages(conversationId);
      return list.length === 5 ? list : undefined;
    }, "five stored messages");
    expect(messages.map((message) => [message.role, message.channel, message.text])).toEqual([
      ["assistant", "voice", greeting],
      ["user", "voice", "Hello?"],
      ["assistant", "voice", "Hi there, how can I help?"],
      ["user", "voice", "Can you help me?"],
      ["assistant", "voice", "Sure thing."],
    ]);
    // The second model call saw the whole history, with the voice style in the system prompt.
    const secondPrompt = model.calls[1]?.prompt ?? [];
    expect(secondPrompt[0]?.role).toBe("system");
    expect(String(secondPrompt[0]?.content)).toContain("Channel: voice");
    expect(secondPrompt.map((message) => message.role)).toEqual([
      "system",
      "assistant",
      "user",
      "assistant",
      "user",
    ]);
  });

  it("forwards each token as its own frame while the model is still generating", async () => {
    const deltas = Array.from({ length: 8 }, (_, index) => `word${index} `);
    const model = createScriptedModel([{ text: deltas, delayMs: 15 }]);
    server = await startTestServer({ PUBLIC_URL: publicUrl }, { model });
    const client = await connect();
    client.sendSetup({ callSid: "CAstream" });
    client.sendPrompt("Talk to me");
    // The first token arrives while the reply is still being generated: no last:true yet.
    const firstToken = await client.waitFor(
      (message) => message.type === "text" && message.token === "word0 ",
      {
        timeoutMs: 5000,
      },
    );
    expect(firstToken).toMatchObject({ last: false });
    const seenAtFirstToken = client.received.filter((message) => message.type === "text").length;
    expect(seenAtFirstToken).toBeLessThan(deltas.length);
    const reply = await client.nextReply({ timeoutMs: 5000 });
    expect(reply.tokens.filter((token) => token.length > 0)).toEqual(deltas);
  });

  it("hands a reply's abort signal to the next reply when it ended normally, and a fresh one after an interrupt", async () => {
    const model = createScriptedModel([
      { text: ["One."] },
      { text: ["Two."] },
      { text: Array.from({ length: 40 }, (_, index) => `t${index} `), delayMs: 20 },
      { text: ["Four."] },
    ]);
    server = await startTestServer({ PUBLIC_URL: publicUrl }, { model });
    const client = await connect();
    client.sendSetup({ callSid: "CAreuse" });
    const conversationId = await conversationOf("CAreuse");
    const stored = (count: number) =>
      eventually(async () => {
        const list = await server!.app.store.listMessages(conversationId);
        return list.length >= count ? list : undefined;
      }, `${count} stored messages`);
    client.sendPrompt("First");
    await client.nextReply({ timeoutMs: 5000 });
    await stored(2);
    client.sendPrompt("Second");
    await client.nextReply({ timeoutMs: 5000 });
    await stored(4);
    client.sendPrompt("Third");
    await client.waitFor((message) => message.type === "text" && message.token === "t2 ", {
      timeoutMs: 5000,
    });
    client.sendInterrupt("t0 t1", 900);
    await eventually(async () => {
      const list = await stored(6);
      return list.find((message) => message.interrupted);
    }, "the interrupted reply");
    client.sendPrompt("Fourth");
    expect((await client.nextReply({ timeoutMs: 5000 })).text).toBe("Four.");

    const signals = model.calls.map((call) => call.abortSignal);
    expect(signals).toHaveLength(4);
    // Replies that ended normally share one signal (Node builds each at a cost, see RelaySession)…
    expect(signals[1]).toBe(signals[0]);
    expect(signals[2]).toBe(signals[0]);
    // …the interrupted one is aborted, and the reply after it has a fresh one.
    expect(signals[2]?.aborted).toBe(true);
    expect(signals[3]).not.toBe(signals[2]);
    expect(signals[3]?.aborted).toBe(false);
  });

  it("on interrupt aborts generation and stores only what the caller heard", async () => {
    const deltas = Array.from({ length: 40 }, (_, index) => `t${index} `);
    const model = createScriptedModel([{ text: deltas, delayMs: 20 }, { text: ["Okay."] }]);
    server = await startTestServer({ PUBLIC_URL: publicUrl, VOICE_WELCOME_GREETING: greeting }, { model });
    const client = await connect();
    client.sendSetup({ callSid: "CAinterrupt" });
    client.sendPrompt("Tell me a long story");
    await client.waitFor((message) => message.type === "text" && message.token === "t2 ", {
      timeoutMs: 5000,
    });
    client.sendInterrupt("t0 t1", 900);
    const conversationId = await conversationOf("CAinterrupt");
    const interrupted = await eventually(async () => {
      const messages = await server!.app.store.listMessages(conversationId);
      return messages.find((message) => message.role === "assistant" && message.interrupted);
    }, "an interrupted assistant message");
    expect(interrupted.text).toBe("t0 t1");
    expect(model.calls[0]?.abortSignal?.aborted).toBe(true);
    const textTokens = client.received.filter(
      (message) => message.type === "text" && message.token.length > 0,
    );
    expect(textTokens.length).toBeLessThan(deltas.length);
    // The call goes on, and the next model call sees only the heard words.
    client.sendPrompt("Stop there");
    const next = await client.nextReply({ timeoutMs: 5000 });
    expect(next.text).toBe("Okay.");
    const history = model.calls[1]?.prompt ?? [];
    const assistantTexts = history
      .filter((message) => message.role === "assistant")
      .map((message) =>
        Array.isArray(message.content)
          ? message.content.map((part) => ("text" in part ? part.text : "")).join("")
          : "",
      );
    expect(assistantTexts).toEqual([greeting, "t0 t1"]);
  });

  it("trims a reply that had finished streaming when the interrupt arrives during playback", async () => {
    const model = createScriptedModel([
      { text: ["The first part. ", "The second part. ", "The third part."] },
    ]);
    server = await startTestServer({ PUBLIC_URL: publicUrl }, { model });
    const client = await connect();
    client.sendSetup({ callSid: "CAplayback" });
    client.sendPrompt("Explain");
    await client.nextReply({ timeoutMs: 5000 });
    client.sendInterrupt("The first part. The sec", 2100);
    const conversationId = await conversationOf("CAplayback");
    const trimmed = await eventually(async () => {
      const messages = await server!.app.store.listMessages(conversationId);
      return messages.find((message) => message.role === "assistant" && message.interrupted);
    }, "trimmed reply");
    expect(trimmed.text).toBe("The first part. The sec");
  });

  it("trims the welcome greeting when the caller interrupts it", async () => {
    server = await startTestServer(
      { PUBLIC_URL: publicUrl, VOICE_WELCOME_GREETING: greeting },
      { model: createScriptedModel([]) },
    );
    const client = await connect();
    client.sendSetup({ callSid: "CAgreeting" });
    const conversationId = await conversationOf("CAgreeting");
    await eventually(
      async () => (await server!.app.store.listMessages(conversationId)).length === 1,
      "greeting stored",
    );
    client.sendInterrupt("Hello, this", 400);
    const message = await eventually(async () => {
      const [first] = await server!.app.store.listMessages(conversationId);
      return first?.interrupted ? first : undefined;
    }, "greeting interrupted");
    expect(message.text).toBe("Hello, this");
  });

  it("a new prompt while a reply streams pre-empts it", async () => {
    const slow = Array.from({ length: 40 }, (_, index) => `s${index} `);
    const model = createScriptedModel([{ text: slow, delayMs: 20 }, { text: ["Second ", "answer."] }]);
    server = await startTestServer({ PUBLIC_URL: publicUrl, VOICE_WELCOME_GREETING: "" }, { model });
    const client = await connect();
    client.sendSetup({ callSid: "CApreempt" });
    client.sendPrompt("First question");
    await client.waitFor((message) => message.type === "text" && message.token === "s1 ", {
      timeoutMs: 5000,
    });
    client.sendPrompt("Actually, second question");
    // The pre-empted reply is closed with last:true, then the new reply streams.
    const closedFirst = await client.nextReply({ timeoutMs: 5000 });
    expect(closedFirst.text.startsWith("s0 s1 ")).toBe(true);
    const second = await client.nextReply({ timeoutMs: 5000 });
    expect(second.text).toBe("Second answer.");
    expect(model.calls[0]?.abortSignal?.aborted).toBe(true);
    const conversationId = await conversationOf("CApreempt");
    const messages = await eventually(async () => {
      const list = await server!.app.store.listMessages(conversationId);
      return list.length === 4 ? list : undefined;
    }, "four messages");
    expect(messages.map((message) => [message.role, message.interrupted])).toEqual([
      ["user", false],
      ["assistant", true],
      ["user", false],
      ["assistant", false],
    ]);
    expect(messages[1]?.text).toBe(closedFirst.text);
    expect(messages[1]?.text.split(" ").length).toBeLessThan(slow.length);
  });

  it("answers a burst of prompts once, closing no talk cycle that never started", async () => {
    // Each turn looks something up before it speaks, so a later prompt pre-empts it before any text.
    const model = createScriptedModel((options) =>
      options.prompt.at(-1)?.role === "tool"
        ? { text: ["Only ", "answer."] }
        : { toolCalls: [{ toolName: "search_knowledge", input: { query: "party" } }] },
    );
    server = await startTestServer({ PUBLIC_URL: publicUrl, VOICE_WELCOME_GREETING: "" }, { model });
    const client = await connect();
    client.sendSetup({ callSid: "CAburst" });
    for (let index = 0; index < 5; index++) client.sendPrompt(`Question ${index}`);
    const reply = await client.nextReply({ timeoutMs: 5000 });
    expect(reply.text).toBe("Only answer.");
    await server.app.idle();
    const closing = client.received.filter((message) => message.type === "text" && message.last);
    expect(closing).toHaveLength(1);
  });

  it("buffers DTMF digits into one input", async () => {
    const model = createScriptedModel((options) => {
      const last = options.prompt[options.prompt.length - 1];
      const text =
        last && Array.isArray(last.content) && last.content[0] && "text" in last.content[0]
          ? last.content[0].text
          : "";
      return { text: [`You entered: ${text}`] };
    });
    server = await startTestServer(
      { PUBLIC_URL: publicUrl, VOICE_WELCOME_GREETING: "", VOICE_DTMF_IDLE_TIMEOUT_MS: "80" },
      { model },
    );
    const client = await connect();
    client.sendSetup({ callSid: "CAdtmf" });
    for (const digit of "123") client.sendDtmf(digit);
    const reply = await client.nextReply({ timeoutMs: 5000 });
    expect(reply.text).toBe("You entered: The caller pressed the keys: 123");
    for (const digit of "45#") client.sendDtmf(digit);
    const terminated = await client.nextReply({ timeoutMs: 5000 });
    expect(terminated.text).toBe("You entered: The caller pressed the keys: 45");
    const conversationId = await conversationOf("CAdtmf");
    const users = (await server.app.store.listMessages(conversationId)).filter(
      (message) => message.role === "user",
    );
    expect(users.map((message) => [message.text, message.inputKind])).toEqual([
      ["123", "dtmf"],
      ["45", "dtmf"],
    ]);
    expect(model.calls).toHaveLength(2);
  });

  it("sends digits and ends the call with handoff data when the agent's tools ask", async () => {
    const model = createScriptedModel([
      { toolCalls: [{ toolName: "send_digits", input: { digits: "12#" } }] },
      { text: ["Done."] },
      { toolCalls: [{ toolName: "transfer_to_human", input: { reason: "billing question" } }] },
      { text: ["Connecting you now."] },
    ]);
    server = await startTestServer(
      { PUBLIC_URL: publicUrl, VOICE_WELCOME_GREETING: "", HUMAN_AGENT_NUMBER: "+15551230000" },
      { model },
    );
    const client = await connect();
    client.sendSetup({ callSid: "CAtools" });
    client.sendPrompt("Press one two pound");
    const digits = await client.waitFor((message) => message.type === "sendDigits", { timeoutMs: 5000 });
    expect(digits).toMatchObject({ type: "sendDigits", digits: "12#" });
    expect((await client.nextReply({ timeoutMs: 5000 })).text).toBe("Done.");
    client.sendPrompt("I want a person");
    const reply = await client.nextReply({ timeoutMs: 5000 });
    expect(reply.text).toBe("Connecting you now.");
    const end = await client.waitFor((message) => message.type === "end", { timeoutMs: 5000 });
    expect(end.type === "end" && JSON.parse(end.handoffData ?? "{}")).toEqual({
      reason: "human",
      summary: "billing question",
    });
    // The end frame comes after the spoken reply's last token.
    const order = client.received.map((message) =>
      message.type === "text" && message.last ? "last" : message.type,
    );
    expect(order.lastIndexOf("last")).toBeLessThan(order.indexOf("end"));
  });

  it("switches the call's language when the agent asks, only to configured languages", async () => {
    const model = createScriptedModel([
      { toolCalls: [{ toolName: "switch_language", input: { language: "es-US" } }] },
      { text: ["Claro."] },
      { toolCalls: [{ toolName: "switch_language", input: { language: "de-DE" } }] },
      { text: ["Not available."] },
    ]);
    server = await startTestServer(
      {
        PUBLIC_URL: publicUrl,
        VOICE_WELCOME_GREETING: "",
        VOICE_EXTRA_LANGUAGES: "es-US:Google:es-US-Neural2-A",
      },
      { model },
    );
    const client = await connect();
    client.sendSetup({ callSid: "CAlanguage" });
    client.sendPrompt("¿Habla español?");
    expect(await client.waitFor((message) => message.type === "language", { timeoutMs: 5000 })).toEqual({
      type: "language",
      ttsLanguage: "es-US",
      transcriptionLanguage: "es-US",
    });
    expect((await client.nextReply({ timeoutMs: 5000 })).text).toBe("Claro.");
    client.sendPrompt("Sprechen Sie Deutsch?");
    expect((await client.nextReply({ timeoutMs: 5000 })).text).toBe("Not available.");
    expect(client.received.filter((message) => message.type === "language")).toHaveLength(1);
    expect(JSON.stringify(model.calls[3]?.prompt.at(-1))).toContain("not configured");
  });

  it("logs and drops malformed frames and frames before setup; the call goes on", async () => {
    const model = createScriptedModel([{ text: ["Still ", "here."] }]);
    server = await startTestServer({ PUBLIC_URL: publicUrl, VOICE_WELCOME_GREETING: "" }, { model });
    const client = await connect();
    client.sendPrompt("before setup");
    client.sendRaw("this is not json");
    client.sendRaw(JSON.stringify({ type: "mystery", value: 1 }));
    client.sendSetup({ callSid: "CAmalformed" });
    client.sendRaw(JSON.stringify({ type: "prompt" }));
    client.sendRaw(JSON.stringify({ type: "dtmf", digit: "xyz" }));
    client.sendRaw("[1,2,3]");
    client.sendPrompt("Are you there?");
    const reply = await client.nextReply({ timeoutMs: 5000 });
    expect(reply.text).toBe("Still here.");
    expect(model.calls).toHaveLength(1);
    const dropped = server.logs.filter((line) => String(line.msg).startsWith("relay: dropped"));
    expect(dropped.map((line) => line.msg)).toEqual([
      "relay: dropped frame received before setup",
      "relay: dropped frame: frame is not JSON",
      'relay: dropped frame: unknown frame type "mystery"',
      "relay: dropped frame: invalid prompt frame: voicePrompt Invalid input: expected string, received undefined",
      expect.stringContaining("relay: dropped frame: invalid dtmf frame: digit"),
      "relay: dropped frame: frame is not a JSON object",
    ]);
    // Customer content never reaches the logs.
    expect(JSON.stringify(server.logs)).not.toContain("Are you there?");
  });

  it("speaks an apology when the model fails and keeps the call", async () => {
    const model = createScriptedModel([{ error: new Error("provider exploded") }, { text: ["Back again."] }]);
    server = await startTestServer({ PUBLIC_URL: publicUrl, VOICE_WELCOME_GREETING: "" }, { model });
    const client = await connect();
    client.sendSetup({ callSid: "CAerror" });
    client.sendPrompt("Hello");
    const apology = await client.nextReply({ timeoutMs: 5000 });
    expect(apology.text).toContain("Sorry");
    client.sendPrompt("Hello again");
    expect((await client.nextReply({ timeoutMs: 5000 })).text).toBe("Back again.");
  });

  it("a socket that closes mid-reply aborts generation and stores what was sent", async () => {
    const deltas = Array.from({ length: 40 }, (_, index) => `w${index} `);
    const model = createScriptedModel([{ text: deltas, delayMs: 20 }]);
    server = await startTestServer({ PUBLIC_URL: publicUrl, VOICE_WELCOME_GREETING: "" }, { model });
    const client = await connect();
    client.sendSetup({ callSid: "CAhangup" });
    client.sendPrompt("Go on");
    await client.waitFor((message) => message.type === "text" && message.token === "w2 ", {
      timeoutMs: 5000,
    });
    client.close();
    const conversationId = await conversationOf("CAhangup");
    const stored = await eventually(async () => {
      const messages = await server!.app.store.listMessages(conversationId);
      return messages.find((message) => message.role === "assistant");
    }, "partial reply stored");
    expect(stored.interrupted).toBe(true);
    expect(stored.text.startsWith("w0 w1 w2 ")).toBe(true);
    expect(stored.text.split(" ").filter(Boolean).length).toBeLessThan(deltas.length);
    expect(model.calls[0]?.abortSignal?.aborted).toBe(true);
  });

  it("checks the signature on the WebSocket upgrade when a token is configured", async () => {
    const authToken = "relay-token";
    server = await startTestServer(
      { PUBLIC_URL: publicUrl, TWILIO_AUTH_TOKEN: authToken, VOICE_WELCOME_GREETING: "" },
      { model: createScriptedModel([{ text: ["Signed ", "in."] }, { text: "Hello." }]) },
    );
    await expect(connect()).rejects.toThrow(/403/);
    await expect(connect({ authToken: "wrong-token" })).rejects.toThrow(/403/);
    await expect(connect({ authToken, signedUrl: "wss://evil.example.test/twilio/relay" })).rejects.toThrow(
      /403/,
    );
    expect(await server.app.store.listConversations()).toHaveLength(0);
    const announce = (callSid: string, from: string) =>
      announceCall({ baseUrl: server!.baseUrl, publicUrl, authToken, callSid, from });
    await announce("CAsigned", "+14155550123");
    const client = await connect({ authToken });
    // The frame's caller is not believed: the signed webhook said who calls.
    client.sendSetup({ callSid: "CAsigned", from: "+14155550999" });
    client.sendPrompt("Hi");
    expect((await client.nextReply({ timeoutMs: 5000 })).text).toBe("Signed in.");
    expect((await server.app.store.getCallSession("CAsigned"))?.from).toBe("+14155550123");

    // The upgrade's signature is the same for every call. Replayed with a call the webhook never
    // announced, the call is answered without a caller: the number it names is not believed.
    const forged = await connect({ authToken });
    forged.sendSetup({ callSid: "CAforged", from: "+14155550123" });
    forged.sendPrompt("Hi");
    await forged.nextReply({ timeoutMs: 5000 });
    const forgedCall = await server.app.store.getCallSession("CAforged");
    const signedCall = await server.app.store.getCallSession("CAsigned");
    expect(forgedCall?.from).toBeNull();
    expect(forgedCall?.conversationId).not.toBe(signedCall?.conversationId);
    expect((await server.app.store.getConversation(forgedCall?.conversationId ?? ""))?.customerId).toBeNull();
    // Replayed with a call already connected, its setup is refused and the socket closed.
    const replay = await connect({ authToken });
    replay.sendSetup({ callSid: "CAsigned", from: "+14155550123" });
    expect((await replay.closed).code).toBe(1008);
    expect(server.logs.filter((line) => String(line.msg).startsWith("relay: refused a setup"))).toHaveLength(
      1,
    );
  });

  it("with signatures on, takes the setup of a call Twilio reconnects after error 64105, once", async () => {
    const authToken = "relay-token";
    server = await startTestServer(
      { PUBLIC_URL: publicUrl, TWILIO_AUTH_TOKEN: authToken, VOICE_WELCOME_GREETING: "" },
      { model: createScriptedModel([{ text: "Noted, Ada." }, { text: "You are Ada." }]) },
    );
    await announceCall({
      baseUrl: server.baseUrl,
      publicUrl,
      authToken,
      callSid: "CAreconnect",
      from: "+14155550123",
    });
    const first = await connect({ authToken });
    first.sendSetup({ callSid: "CAreconnect" });
    first.sendPrompt("My name is Ada");
    await first.nextReply({ timeoutMs: 5000 });
    first.close();
    // Twilio reports the dropped socket and asks what to do; the answer reconnects the call.
    const ended = {
      CallSid: "CAreconnect",
      SessionId: "VX1",
      SessionStatus: "failed",
      CallStatus: "in-progress",
      ErrorCode: "64105",
    };
    const signature = signTwilioRequest(authToken, `${publicUrl}/twilio/voice/ended`, ended);
    const answer = await postForm(`${server.baseUrl}/twilio/voice/ended`, ended, {
      "x-twilio-signature": signature,
    });
    expect(answer.body).toContain("<ConversationRelay");
    const second = await connect({ authToken });
    second.sendSetup({ callSid: "CAreconnect" });
    second.sendPrompt("What is my name?");
    expect((await second.nextReply({ timeoutMs: 5000 })).text).toBe("You are Ada.");
    // Connected again: another setup for it is a replay.
    const replay = await connect({ authToken });
    replay.sendSetup({ callSid: "CAreconnect" });
    expect((await replay.closed).code).toBe(1008);
  });
});
