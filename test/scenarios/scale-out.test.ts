import type { ChildProcess } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import {
  createFakeTwilioServer,
  type FakeTwilioServer,
} from "../../src/testing/create-fake-twilio-server.js";
import { RelayTestClient } from "../../src/testing/relay-test-client.js";
import { signTwilioRequest } from "../../src/testing/sign-twilio-request.js";
import { type LocalDynamoDb, startLocalDynamoDb } from "../../src/testing/start-local-dynamodb.js";
import { announceCall } from "../helpers/announce-call.js";
import { startServerProcess } from "../helpers/start-server-process.js";
import { eventually, postForm } from "../helpers/start-test-server.js";

const accountSid = "AC55555555555555555555555555555555";
const authToken = "scale-out-token";
const publicUrl = "https://switchboard.example.test";
const caller = "+14155550123";
const adminToken = "scale-admin-token-0123";

describe("scale-out: two server processes on one DynamoDB table", () => {
  const children: ChildProcess[] = [];
  let twilio: FakeTwilioServer | undefined;
  let dynamo: LocalDynamoDb | undefined;
  afterEach(async () => {
    for (const child of children) child.kill("SIGKILL");
    await twilio?.close();
    await dynamo?.close();
  });

  it("a call on one node and the follow-up SMS on the other continue one conversation; messages go out once", async () => {
    dynamo = await startLocalDynamoDb();
    twilio = await createFakeTwilioServer({ accountSid, authToken });
    const environment = {
      STORE: "dynamodb",
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      DYNAMODB_TABLE_PREFIX: "scaleout",
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
      PUBLIC_URL: publicUrl,
      TWILIO_ACCOUNT_SID: accountSid,
      TWILIO_AUTH_TOKEN: authToken,
      TWILIO_PHONE_NUMBER: "+18885550100",
      TWILIO_API_BASE_URL: twilio.url,
      ADMIN_TOKEN: adminToken,
      VOICE_WELCOME_GREETING: "",
    };
    const nodeA = await startServerProcess(environment);
    children.push(nodeA.child);
    const nodeB = await startServerProcess(environment);
    children.push(nodeB.child);

    // The call lands on node A: the caller gives their name and asks for a text.
    await announceCall({
      baseUrl: nodeA.baseUrl,
      publicUrl: "https://switchboard.example.test",
      authToken,
      callSid: "CAscale",
      from: caller,
    });
    const call = await RelayTestClient.connect({
      url: `${nodeA.baseUrl.replace("http", "ws")}/twilio/relay`,
      signedUrl: "wss://switchboard.example.test/twilio/relay",
      authToken,
    });
    call.sendSetup({ callSid: "CAscale", from: caller });
    call.sendPrompt("My name is Ada");
    expect((await call.nextReply({ timeoutMs: 10_000 })).text).toContain("Ada");
    call.sendPrompt("Text me that");
    await call.nextReply({ timeoutMs: 10_000 });
    call.close();
    const [first] = await twilio.waitForMessages(1, 10_000);
    expect(first?.to).toBe(caller);

    // The customer texts back; Twilio's webhook reaches node B.
    const sms = {
      MessageSid: "SMscale1",
      AccountSid: accountSid,
      From: caller,
      To: "+18885550100",
      Body: "What is my name?",
      NumMedia: "0",
    };
    const response = await postForm(`${nodeB.baseUrl}/twilio/sms`, sms, {
      "x-twilio-signature": signTwilioRequest(authToken, `${publicUrl}/twilio/sms`, sms),
    });
    expect(response.status).toBe(200);
    const messages = await twilio.waitForMessages(2, 15_000);
    expect(messages[1]?.body).toContain("Your name is Ada");

    // One conversation, seen the same from both nodes.
    const conversationsOn = async (baseUrl: string) => {
      const list = (await (
        await fetch(`${baseUrl}/api/conversations`, { headers: { authorization: `Bearer ${adminToken}` } })
      ).json()) as { conversations: Array<{ id: string }> };
      return list.conversations.map((conversation) => conversation.id);
    };
    const onA = await conversationsOn(nodeA.baseUrl);
    expect(onA).toHaveLength(1);
    expect(await conversationsOn(nodeB.baseUrl)).toEqual(onA);

    // Both nodes run outbox workers; each message was delivered exactly once.
    const outbox = await eventually(
      async () => {
        const body = (await (
          await fetch(`${nodeA.baseUrl}/api/outbox`, { headers: { authorization: `Bearer ${adminToken}` } })
        ).json()) as { outbox: Array<{ status: string }> };
        return body.outbox.length === 2 && body.outbox.every((entry) => entry.status === "sent")
          ? body.outbox
          : undefined;
      },
      "two sent outbox entries",
      10_000,
    );
    expect(outbox).toHaveLength(2);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(twilio.messages).toHaveLength(2);
  });
});
