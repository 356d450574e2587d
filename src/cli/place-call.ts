import { RelayTestClient, randomSid } from "../testing/relay-test-client.js";
import type { CallOptions } from "./call-options.js";
import { unreachableMessage } from "./cli-command.js";
import { postTwilioForm } from "./post-twilio-form.js";
import { localRelayUrl, parseRelayTwiml, type RelayTwiml } from "./relay-twiml.js";

export interface PlacedCall {
  client: RelayTestClient;
  relay: RelayTwiml;
  /** The voice request parameters Twilio repeats on every callback of this call. */
  callParams: Record<string, string>;
  /** POSTs a signed Twilio form to `path` on the server (signed over the public URL). */
  post(path: string, params: Record<string, string>): Promise<{ status: number; body: string }>;
}

/**
 * What Twilio does when a call comes in: POST the signed incoming-call webhook, read the
 * `<ConversationRelay>` TwiML, open its WebSocket (signed over the public `wss://` URL, connected
 * to the local server) and send `setup`. Throws an error with a printable message on failure.
 */
export async function placeCall(options: CallOptions, callSid = randomSid("CA")): Promise<PlacedCall> {
  const callParams = {
    AccountSid: options.accountSid ?? randomSid("AC"),
    CallSid: callSid,
    From: options.from,
    To: options.to,
    Caller: options.from,
    Called: options.to,
    Direction: "inbound",
    ApiVersion: "2010-04-01",
  };
  const post = (path: string, params: Record<string, string>) =>
    postTwilioForm({
      url: `${options.serverUrl}${path}`,
      signedUrl: `${options.publicUrl}${path}`,
      params,
      authToken: options.authToken,
    });

  const webhook = await post("/twilio/voice", { ...callParams, CallStatus: "ringing" }).catch(
    (error: unknown) => {
      throw new Error(unreachableMessage(options.serverUrl, error), { cause: error });
    },
  );
  const relay = webhook.status === 200 ? parseRelayTwiml(webhook.body) : undefined;
  if (!relay) {
    throw new Error(
      `POST /twilio/voice answered ${webhook.status} without a <ConversationRelay>:\n${webhook.body}`,
    );
  }
  const client = await RelayTestClient.connect({
    url: localRelayUrl(relay.url, options.serverUrl),
    signedUrl: relay.url,
    authToken: options.authToken,
  });
  client.sendSetup({
    callSid,
    accountSid: callParams.AccountSid,
    from: options.from,
    to: options.to,
    customParameters: relay.customParameters,
  });
  return { client, relay, callParams, post };
}
