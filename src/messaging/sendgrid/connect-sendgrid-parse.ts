import type sendgridClient from "@sendgrid/client";

/** An Inbound Parse setting as SendGrid's API writes it. */
interface ParseSetting {
  hostname: string;
  url: string;
  spam_check?: boolean;
  send_raw?: boolean;
}

export interface ConnectedParse {
  hostname: string;
  /** The URL mail to `hostname` was posted to before (undefined: no setting). */
  before: string | undefined;
  after: string;
  changed: boolean;
}

/** Where SendGrid should post mail: this server's inbound route with its secret token. */
export function inboundParseUrl(publicUrl: string, inboundToken: string): string {
  return `${publicUrl.replace(/\/+$/, "")}/sendgrid/inbound?token=${encodeURIComponent(inboundToken)}`;
}

/**
 * Makes SendGrid post the mail it receives for `hostname` to this server (Inbound Parse, parsed
 * fields, no spam check) through SendGrid's own client: creates the setting, or updates its URL.
 * With `dryRun`, only reads and reports. SendGrid's errors are thrown as they come (they name the
 * cause, e.g. a hostname that is not an authenticated domain).
 */
export async function connectSendGridParse(options: {
  client: typeof sendgridClient;
  hostname: string;
  url: string;
  dryRun?: boolean;
}): Promise<ConnectedParse> {
  const [, body] = await options.client.request({ method: "GET", url: "/v3/user/webhooks/parse/settings" });
  const settings = ((body as { result?: ParseSetting[] }).result ?? []) as ParseSetting[];
  const existing = settings.find(
    (setting) => setting.hostname.toLowerCase() === options.hostname.toLowerCase(),
  );
  const changed = existing?.url !== options.url;
  if (changed && !options.dryRun) {
    if (existing)
      await options.client.request({
        method: "PATCH",
        url: `/v3/user/webhooks/parse/settings/${encodeURIComponent(existing.hostname)}`,
        body: { url: options.url },
      });
    else
      await options.client.request({
        method: "POST",
        url: "/v3/user/webhooks/parse/settings",
        body: { hostname: options.hostname, url: options.url, spam_check: false, send_raw: false },
      });
  }
  return {
    hostname: existing?.hostname ?? options.hostname,
    before: existing?.url,
    after: options.url,
    changed,
  };
}
