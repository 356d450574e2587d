import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, FastifyReply } from "fastify";
import type { Config } from "../config/config.js";
import { NotFoundError } from "../errors/not-found-error.js";

/** The page's files (`public/` at the repository root, beside `prompts/`). */
const publicDirectory = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../public");

const securityHeaders = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (character) =>
      ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[character] ?? character,
  );
}

/**
 * `GET /`: the dashboard and playground (chat with the agent over `WS /web/chat`; conversations,
 * timelines and the outbox through `/api/...` with the admin token), and `GET /widget.js`, the chat
 * for other sites. Plain files, read once.
 */
export function registerHomeRoute(app: FastifyInstance, dependencies: { config: Readonly<Config> }): void {
  const read = (name: string) => readFileSync(path.join(publicDirectory, name), "utf8");
  const page = read("index.html").replaceAll("{{publicUrl}}", escapeHtml(dependencies.config.publicUrl));
  const assets = new Map([
    ["app.js", { body: read("app.js"), type: "text/javascript; charset=utf-8" }],
    ["style.css", { body: read("style.css"), type: "text/css; charset=utf-8" }],
  ]);
  const send = (reply: FastifyReply, body: string, type: string) =>
    reply.headers(securityHeaders).header("cache-control", "no-cache").type(type).send(body);

  app.get("/", async (_request, reply) => send(reply, page, "text/html; charset=utf-8"));
  // No icon; answered so browsers do not log a 404 for every page load.
  app.get("/favicon.ico", async (_request, reply) => reply.code(204).send());
  // The embeddable chat (public/widget.js), loaded by other sites' pages: a script any origin may
  // load; which origins may then open a chat is WEB_CHAT_ORIGINS's business (the upgrade's Origin).
  const widget = read("widget.js");
  app.get("/widget.js", async (_request, reply) =>
    reply
      .headers({
        "x-content-type-options": "nosniff",
        "cross-origin-resource-policy": "cross-origin",
        "cache-control": "public, max-age=300",
      })
      .type("text/javascript; charset=utf-8")
      .send(widget),
  );
  app.get<{ Params: { name: string } }>("/assets/:name", async (request, reply) => {
    const asset = assets.get(request.params.name);
    if (!asset) throw new NotFoundError(`Asset ${request.params.name}`);
    return send(reply, asset.body, asset.type);
  });
}
