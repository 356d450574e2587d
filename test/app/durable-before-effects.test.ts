import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { DatabaseSync } from "@photostructure/sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { createStores, type Stores } from "../../src/app/create-stores.js";
import { loadConfig } from "../../src/config/config.js";
import { createLogger } from "../../src/observability/logger.js";
import {
  createFakeTwilioServer,
  type FakeTwilioServer,
} from "../../src/testing/create-fake-twilio-server.js";
import { createScriptedModel } from "../../src/testing/create-scripted-model.js";
import { signTwilioRequest } from "../../src/testing/sign-twilio-request.js";
import { eventually, postForm, startTestServer, type TestServer } from "../helpers/start-test-server.js";

const silentLogger = createLogger({ level: "silent", logCustomerContent: false });

const accountSid = "AC33333333333333333333333333333333";
const authToken = "durability-test-token";
const publicUrl = "https://switchboard.example.test";

/** The SQLite stores, with `flush` held until the test opens the gate. */
function gatedStores(stores: Stores) {
  let open = false;
  let waiting: Array<() => void> = [];
  const gate = {
    flushCalls: 0,
    open() {
      open = true;
      for (const release of waiting.splice(0)) release();
    },
  };
  const gated: Stores = {
    ...stores,
    async flush() {
      gate.flushCalls++;
      if (!open) await new Promise<void>((resolve) => waiting.push(resolve));
      await stores.flush();
    },
  };
  return { gate, stores: gated, reset: () => (waiting = []) };
}

describe("durability before effects (SQLite group commit)", () => {
  let server: TestServer | undefined;
  let twilio: FakeTwilioServer | undefined;
  afterEach(async () => {
    await server?.close();
    await twilio?.close();
    server = undefined;
    twilio = undefined;
  });

  it("answers an SMS webhook only after its writes are committed, and sends the reply only after that too", async () => {
    twilio = await createFakeTwilioServer({ accountSid, authToken });
    const environment = {
      STORE: "sqlite",
      TWILIO_ACCOUNT_SID: accountSid,
      TWILIO_AUTH_TOKEN: authToken,
      TWILIO_PHONE_NUMBER: "+18885550100",
      TWILIO_API_BASE_URL: twilio.url,
      PUBLIC_URL: publicUrl,
    };
    const dataDirectory = mkdtempSync(path.join(os.tmpdir(), "switchboard-durable-"));
    const config = loadConfig({ NODE_ENV: "test", DATA_DIR: dataDirectory, ...environment });
    const { gate, stores } = gatedStores(await createStores(config, silentLogger));
    server = await startTestServer(
      environment,
      { stores, model: createScriptedModel(() => ({ text: ["Got ", "it."] })) },
      { dataDirectory },
    );

    let answered = false;
    const sms = { MessageSid: "SMdurable1", From: "+14155550123", To: "+18885550100", Body: "Is this kept?" };
    const signature = signTwilioRequest(authToken, `${publicUrl}/twilio/sms`, sms);
    const answer = postForm(`${server.baseUrl}/twilio/sms`, sms, { "x-twilio-signature": signature }).then(
      (response) => {
        answered = true;
        return response;
      },
    );
    await eventually(() => (gate.flushCalls > 0 ? true : undefined), "the answer waiting for flush");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answered).toBe(false);
    expect(twilio.messages).toHaveLength(0);

    gate.open();
    expect((await answer).status).toBe(200);
    // Another connection (another process) sees the accepted webhook as soon as the 200 arrives:
    // in the inbox, or already handled into its conversation.
    const reader = new DatabaseSync(path.join(dataDirectory, "switchboard.db"));
    try {
      const accepted = reader
        .prepare(
          "SELECT payload FROM inbound_events WHERE provider = 'twilio-sms' AND event_id = 'SMdurable1'",
        )
        .get() as { payload: string | null } | undefined;
      expect(accepted).toBeDefined();
      const stored = reader.prepare("SELECT text FROM messages WHERE role = 'user'").get() as
        | { text: string }
        | undefined;
      const text = accepted?.payload ? (JSON.parse(accepted.payload) as { Body: string }).Body : stored?.text;
      expect(text).toBe("Is this kept?");
    } finally {
      reader.close();
    }
    await eventually(() => (twilio!.messages.length > 0 ? true : undefined), "the reply sent");
    expect(twilio.messages.map((message) => message.body)).toEqual(["Got it."]);
  });
});
