import { afterEach, describe, expect, it } from "vitest";
import { RelayTestClient } from "../../src/testing/relay-test-client.js";
import { eventually, startTestServer, type TestServer } from "../helpers/start-test-server.js";

/** Asks on the call for pat@example.org to be linked; the reply, and the code the dev outbox got. */
async function askForCode(
  call: RelayTestClient,
  server: TestServer,
): Promise<{ reply: string; code: string }> {
  call.sendPrompt("Email me at pat@example.org");
  const reply = (await call.nextReply()).text;
  const entry = await eventually(async () => {
    const entries = await server.app.stores.outbox.listOutbound();
    return entries.find((candidate) => candidate.payload.kind === "email");
  }, "the code email in the dev outbox");
  return { reply, code: /code is (\d{6})/.exec(JSON.stringify(entry.payload))?.[1] ?? "" };
}

describe("offline model: verifying a new email address on a call", () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
  });

  it("sends a code, links the address only after it is read back, then emails it", async () => {
    server = await startTestServer({ VOICE_WELCOME_GREETING: "" });
    const call = await RelayTestClient.connect({ url: server.relayUrl });
    call.sendSetup({ callSid: "CAofflineverify", from: "+14155550123" });

    const { reply, code } = await askForCode(call, server);
    expect(reply).toBe(
      "I've sent a 6-digit code to p***@example.org. Please read it back to me to confirm it's yours.",
    );

    call.sendPrompt("Email me the summary");
    expect((await call.nextReply()).text).toContain("No verified email address");

    call.sendPrompt(`The code is ${code.slice(0, 3)} ${code.slice(3)}`);
    expect((await call.nextReply()).text).toBe("Thanks, p***@example.org is now verified.");

    call.sendPrompt("Email me the summary");
    expect((await call.nextReply()).text).toBe(
      "I've queued an email to you with the details; it should arrive shortly.",
    );
    const emails = await eventually(async () => {
      const entries = (await server!.app.stores.outbox.listOutbound()).filter(
        (entry) => entry.payload.kind === "email",
      );
      return entries.length === 2 ? entries : undefined;
    }, "the summary email");
    expect(
      emails.every((entry) => entry.payload.kind === "email" && entry.payload.to === "pat@example.org"),
    ).toBe(true);
    call.close();
  });

  it("a wrong code does not link the address", async () => {
    server = await startTestServer({ VOICE_WELCOME_GREETING: "" });
    const call = await RelayTestClient.connect({ url: server.relayUrl });
    call.sendSetup({ callSid: "CAofflinewrong", from: "+14155550123" });
    const { code } = await askForCode(call, server);
    const wrong = code === "123456" ? "654321" : "123456";
    call.sendPrompt(`The code is ${wrong}`);
    expect((await call.nextReply()).text).toContain(
      "I couldn't confirm that code: That code does not match.",
    );
    call.sendPrompt("Email me the summary");
    expect((await call.nextReply()).text).toContain("No verified email address");
    call.close();
  });

  it("takes the code read back on its own, as the playground says to, and digits without a code pending as a menu choice", async () => {
    server = await startTestServer({ VOICE_WELCOME_GREETING: "" });
    const call = await RelayTestClient.connect({ url: server.relayUrl });
    call.sendSetup({ callSid: "CAofflinebarecode", from: "+14155550123" });
    call.sendPrompt("266351");
    expect((await call.nextReply()).text).toMatch(/^2 6 6 3 5 1 is not an option\./);
    const { code } = await askForCode(call, server);
    call.sendPrompt(`${code.slice(0, 3)} ${code.slice(3)}`);
    expect((await call.nextReply()).text).toBe("Thanks, p***@example.org is now verified.");
    // Once verified, six digits are a menu choice again.
    call.sendPrompt(code);
    expect((await call.nextReply()).text).toMatch(/is not an option\./);
    call.close();
  });
});
