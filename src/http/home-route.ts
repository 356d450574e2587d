import type { FastifyInstance } from "fastify";
import type { Config } from "../config/config.js";

/** `GET /`: a plain page saying what this server is and how to talk to it. */
export function registerHomeRoute(app: FastifyInstance, dependencies: { config: Readonly<Config> }): void {
  const { config } = dependencies;
  const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Switchboard</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem}code{background:#f3f3f3;padding:0 .3em}</style>
</head><body>
<h1>Switchboard</h1>
<p>Multichannel AI agent server: voice (Twilio ConversationRelay), SMS, email and web chat with one agent and one memory.</p>
<ul>
<li>Voice webhook: <code>${config.publicUrl}/twilio/voice</code></li>
<li>Health: <a href="/healthz">/healthz</a></li>
<li>Call it from a terminal: <code>npm run call</code></li>
<li>Conversations API: <code>GET /api/conversations</code> with <code>Authorization: Bearer $ADMIN_TOKEN</code></li>
</ul>
</body></html>`;
  app.get("/", async (_request, reply) => reply.type("text/html; charset=utf-8").send(page));
}
