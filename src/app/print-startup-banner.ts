import type { SwitchboardApp } from "./create-app.js";

/**
 * What a newcomer needs to see at start: where it listens, what runs, and any unsafe setting.
 * `showSecrets`: print a generated admin token (a terminal); false where the output is kept as a log
 * (a container, a service manager), since logs must never hold secrets.
 */
export function printStartupBanner(app: SwitchboardApp, options: { showSecrets?: boolean } = {}): void {
  const showSecrets = options.showSecrets ?? true;
  const { config, logger } = app;
  const address = app.server.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const local = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;
  const lines = [
    "",
    "  Switchboard is running",
    `  Local:         ${local}`,
    `  Playground:    ${local}/  (web chat with the agent, and the dashboard)`,
    `  Public URL:    ${config.publicUrl}${config.publicUrlIsDefault ? "  (set PUBLIC_URL to your tunnel or domain for Twilio)" : ""}`,
    `  Voice webhook: ${config.publicUrl}/twilio/voice`,
    `  Store:         ${config.store.kind}${config.store.kind === "sqlite" ? ` (${config.dataDirectory})` : ""}`,
    `  Model:         ${app.modelDescription}`,
  ];
  if (config.llm.provider === "offline") {
    lines.push(
      "                 The offline model is a deterministic stand-in, not a language model: it follows simple",
      "                 rules and tool results. Set LLM_PROVIDER (and a key) for real answers.",
    );
  }
  const tools = config.httpTools.definitions;
  if (tools.length > 0) {
    lines.push(`  Your tools:    ${tools.map((tool) => tool.name).join(", ")}  (${config.httpTools.file})`);
  }
  if (app.adminTokenGenerated && showSecrets)
    lines.push(
      `  Admin token:   ${app.adminToken}  (generated${app.adminTokenFile ? `, kept in ${app.adminTokenFile}` : ""}; set ADMIN_TOKEN to choose it)`,
    );
  else if (app.adminTokenGenerated)
    lines.push(
      `  Admin token:   generated${app.adminTokenFile ? `, kept in ${app.adminTokenFile}` : " for this process"}; not printed, as this output is not a terminal (set ADMIN_TOKEN to choose it)`,
    );
  // The terminal commands reach port 3000 (or PORT) on 127.0.0.1 unless told otherwise.
  const target = port === 3000 ? "" : ` -- --url http://127.0.0.1:${port}`;
  lines.push(`  Try a call:    npm run call${target}`, `  Text it:       npm run text${target}`);
  if (config.sendgrid.inboundToken) lines.push(`  Email it:      npm run email${target}`);
  lines.push("");
  process.stdout.write(`${lines.join("\n")}\n`);
  if (!config.twilio.authToken) {
    logger.warn(
      "TWILIO_AUTH_TOKEN is not set: Twilio request signatures are NOT checked. Anyone who can reach this server can post webhooks. Set TWILIO_AUTH_TOKEN before exposing it.",
    );
  }
  if (config.sendgrid.apiKey && !config.sendgrid.eventPublicKey) {
    logger.warn(
      "SENDGRID_EVENT_PUBLIC_KEY is not set: /sendgrid/events takes unsigned posts, so anyone who can reach it can mark an address as bounced or unsubscribed. `npm run connect:sendgrid` sets up the signed Event Webhook and prints the key.",
    );
  }
  if (app.adminTokenGenerated && !app.adminTokenFile) {
    logger.warn(
      "ADMIN_TOKEN is not set, and this store keeps no generated one: each server process makes its own, so behind a load balancer the dashboard and /api answer only on this process, until it restarts. Set ADMIN_TOKEN.",
    );
  }
  if (tools.length > 0 && !config.httpTools.signingSecret) {
    logger.warn(
      "TOOLS_SIGNING_SECRET is not set: your tools' endpoints cannot tell Switchboard's requests from anyone else's. Set it and check the switchboard-signature header (docs/tools.md).",
    );
  }
  if (config.eventsWebhook.url && !config.eventsWebhook.secret) {
    logger.warn(
      "EVENTS_WEBHOOK_SECRET is not set: your webhook receiver cannot tell Switchboard's events from anyone else's. Set it and check the switchboard-signature header (docs/webhooks.md).",
    );
  }
  for (const tool of tools) {
    if (isPlainHttpToAnotherHost(tool.url)) {
      logger.warn(
        { toolName: tool.name },
        "A tool's URL uses plain http to another host: its requests carry customer data unencrypted. Use https.",
      );
    }
  }
  if (config.eventsWebhook.url && isPlainHttpToAnotherHost(config.eventsWebhook.url)) {
    logger.warn(
      "EVENTS_WEBHOOK_URL uses plain http to another host: events carry transcripts and addresses unencrypted. Use https.",
    );
  }
}

function isPlainHttpToAnotherHost(address: string): boolean {
  const { protocol, hostname } = new URL(address);
  return protocol === "http:" && hostname !== "localhost" && hostname !== "[::1]" && !/^127\./.test(hostname);
}
