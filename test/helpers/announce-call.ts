import { signTwilioRequest } from "../../src/testing/sign-twilio-request.js";
import { postForm } from "./start-test-server.js";

/**
 * `POST /twilio/voice` for a call, signed as Twilio signs it: with signatures on, the relay takes a
 * `setup` only for a call this webhook announced (the upgrade's own signature is the same for
 * every call).
 */
export async function announceCall(options: {
  baseUrl: string;
  publicUrl: string;
  authToken: string;
  callSid: string;
  from: string;
  to?: string;
}): Promise<void> {
  const params = {
    CallSid: options.callSid,
    AccountSid: "AC00000000000000000000000000000000",
    From: options.from,
    To: options.to ?? "+18885550100",
    CallStatus: "ringing",
    Direction: "inbound",
  };
  const signature = signTwilioRequest(options.authToken, `${options.publicUrl}/twilio/voice`, params);
  const response = await postForm(`${options.baseUrl}/twilio/voice`, params, {
    "x-twilio-signature": signature,
  });
  if (response.status !== 200)
    throw new Error(`POST /twilio/voice answered ${response.status}: ${response.body}`);
}
