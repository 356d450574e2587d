import type sendgridClient from "@sendgrid/client";

/** The Event Webhook's events Switchboard reads (`POST /sendgrid/events`): delivery and suppression. */
export const switchboardEventFlags = [
  "processed",
  "delivered",
  "deferred",
  "bounce",
  "dropped",
  "spam_report",
  "unsubscribe",
  "group_unsubscribe",
] as const;

/** An Event Webhook as SendGrid's multi-webhook API writes it (`/v3/user/webhooks/event/settings`). */
interface EventWebhook {
  id?: string;
  url?: string;
  enabled?: boolean;
  public_key?: string;
  [flag: string]: unknown;
}

export interface ConnectedEvents {
  /** The webhook's id (undefined only in a dry run that would create one). */
  id: string | undefined;
  url: string;
  /** What was there before: none, or the webhook posting to `url`. */
  before: { exists: boolean; enabled: boolean; missingEvents: string[]; signed: boolean };
  /** The key SendGrid signs the events with (undefined in a dry run that would turn signing on). */
  publicKey: string | undefined;
  changed: boolean;
}

/** Where SendGrid should post delivery events: this server's signed event route. */
export function eventWebhookUrl(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, "")}/sendgrid/events`;
}

/**
 * Makes SendGrid's Event Webhook post delivery events to `url`, signed, through SendGrid's own
 * client: finds the account's webhook for that URL (SendGrid allows one per URL) or creates one,
 * enables it with the events Switchboard reads (other events are left as they are), turns
 * signature verification on, and returns its public key. Other webhooks of the account are left
 * alone. With `dryRun`, only reads and reports. SendGrid's errors are thrown as they come (a plan's
 * limit on enabled webhooks, for one).
 */
export async function connectSendGridEvents(options: {
  client: typeof sendgridClient;
  url: string;
  dryRun?: boolean;
}): Promise<ConnectedEvents> {
  const { client, url } = options;
  const [, body] = await client.request({ method: "GET", url: "/v3/user/webhooks/event/settings/all" });
  // An account without webhooks gets `[{}]`: entries without an id are not webhooks.
  const webhooks = ((body as { webhooks?: EventWebhook[] }).webhooks ?? []).filter((webhook) => webhook.id);
  const existing = webhooks.find((webhook) => webhook.url === url);
  const before = {
    exists: existing !== undefined,
    enabled: existing?.enabled === true,
    missingEvents: switchboardEventFlags.filter((flag) => existing?.[flag] !== true),
    signed: Boolean(existing?.public_key),
  };
  const settingsChanged = !before.enabled || before.missingEvents.length > 0;
  const changed = settingsChanged || !before.signed;
  if (options.dryRun || !changed)
    return { id: existing?.id, url, before, publicKey: existing?.public_key || undefined, changed };

  const settings = {
    url,
    enabled: true,
    ...Object.fromEntries(switchboardEventFlags.map((flag) => [flag, true])),
  };
  let id = existing?.id;
  if (!id) {
    const [, created] = await client.request({
      method: "POST",
      url: "/v3/user/webhooks/event/settings",
      body: { ...settings, friendly_name: "Switchboard" },
    });
    id = (created as EventWebhook).id;
    if (!id) throw new Error("SendGrid created the Event Webhook without giving its id");
  } else if (settingsChanged) {
    await client.request({
      method: "PATCH",
      url: `/v3/user/webhooks/event/settings/${encodeURIComponent(id)}`,
      body: settings,
    });
  }
  let publicKey = existing?.public_key || undefined;
  if (!publicKey) {
    const [, signed] = await client.request({
      method: "PATCH",
      url: `/v3/user/webhooks/event/settings/signed/${encodeURIComponent(id)}`,
      body: { enabled: true },
    });
    publicKey = (signed as { public_key?: string }).public_key || undefined;
    if (!publicKey)
      throw new Error("SendGrid turned signature verification on without giving its public key");
  }
  return { id, url, before, publicKey, changed };
}
