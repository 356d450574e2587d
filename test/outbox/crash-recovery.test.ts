import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  createFakeTwilioServer,
  type FakeTwilioServer,
} from "../../src/testing/create-fake-twilio-server.js";
import { signTwilioRequest } from "../../src/testing/sign-twilio-request.js";
import { startServerProcess } from "../helpers/start-server-process.js";
import { eventually, postForm } from "../helpers/start-test-server.js";

const accountSid = "AC33333333333333333333333333333333";
const authToken = "crash-test-token";
const publicUrl = "https://switchboard.example.test";
const adminToken = "crash-admin-token-0123";

describe("outbox crash recovery (kill -9)", () => {
  const children: ChildProcess[] = [];
  let twilio: FakeTwilioServer | undefined;
  const dataDirectory = mkdtempSync(path.join(os.tmpdir(), "switchboard-crash-"));
  afterEach(async () => {
    for (const child of children) child.kill("SIGKILL");
    await twilio?.close();
    rmSync(dataDirectory, { recursive: true, force: true });
  });

  it("loses nothing and sends once when the process dies between accepting and sending", async () => {
    twilio = await createFakeTwilioServer({ accountSid, authToken });
    const environment = {
      DATA_DIR: dataDirectory,
      PUBLIC_URL: publicUrl,
      TWILIO_ACCOUNT_SID: accountSid,
      TWILIO_AUTH_TOKEN: authToken,
      TWILIO_PHONE_NUMBER: "+18885550100",
      TWILIO_API_BASE_URL: twilio.url,
      ADMIN_TOKEN: adminToken,
      OUTBOX_LEASE_MS: "300",
    };
    // The first send hangs at the provider: the message is accepted and claimed, but not sent.
    twilio.hangNext(1);
    const first = await startServerProcess(environment);
    children.push(first.child);
    const sms = {
      MessageSid: "SMcrash0001",
      AccountSid: accountSid,
      From: "+14155550123",
      To: "+18885550100",
      Body: "hello",
      NumMedia: "0",
    };
    const sign = (params: Record<string, string>) => ({
      "x-twilio-signature": signTwilioRequest(authToken, `${publicUrl}/twilio/sms`, params),
    });
    const accepted = await postForm(`${first.baseUrl}/twilio/sms`, sms, sign(sms));
    expect(accepted.status).toBe(200);
    await twilio.waitForHangingRequests(1, 10_000);
    first.child.kill("SIGKILL");
    await new Promise((resolve) => first.child.once("exit", resolve));
    expect(twilio.messages).toHaveLength(0);

    const second = await startServerProcess(environment);
    children.push(second.child);
    const [delivered] = await twilio.waitForMessages(1, 10_000);
    expect(delivered?.to).toBe("+14155550123");
    expect(delivered?.body).toContain("offline stand-in");

    // Twilio retries the same webhook after the crash: still one reply.
    const retried = await postForm(`${second.baseUrl}/twilio/sms`, sms, sign(sms));
    expect(retried.status).toBe(200);
    const outbox = await eventually(async () => {
      const response = await fetch(`${second.baseUrl}/api/outbox`, {
        headers: { authorization: `Bearer ${adminToken}` },
      });
      const body = (await response.json()) as { outbox: Array<{ status: string; attempts: number }> };
      return body.outbox.length === 1 && body.outbox[0]?.status === "sent" ? body.outbox : undefined;
    }, "one sent outbox entry");
    expect(outbox[0]?.attempts).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(twilio.messages).toHaveLength(1);
  });
});
