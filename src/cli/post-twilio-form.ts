import { signTwilioRequest } from "../testing/sign-twilio-request.js";

export interface TwilioFormPost {
  /** Where to send it (the local server). */
  url: string;
  /** The public URL Twilio would have requested; the signature covers it. */
  signedUrl: string;
  params: Record<string, string>;
  /** Adds `X-Twilio-Signature` when set. */
  authToken: string | undefined;
}

/** POSTs a form the way Twilio posts webhooks and returns the status and body (TwiML). */
export async function postTwilioForm(post: TwilioFormPost): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (post.authToken !== undefined) {
    headers["x-twilio-signature"] = signTwilioRequest(post.authToken, post.signedUrl, post.params);
  }
  const response = await fetch(post.url, {
    method: "POST",
    headers,
    body: new URLSearchParams(post.params).toString(),
  });
  return { status: response.status, body: await response.text() };
}
