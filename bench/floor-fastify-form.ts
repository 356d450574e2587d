/**
 * The SMS webhook floor: a plain Fastify server in its own process whose `POST /twilio/sms` only
 * parses the form (@fastify/formbody) and answers an empty TwiML `<Response/>`.
 */
import formbody from "@fastify/formbody";
import Fastify from "fastify";
import { currentStats, exitWhenParentGoes, report } from "./bench-util.js";

const emptyTwiml = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

async function main(): Promise<void> {
  const server = Fastify({ logger: false });
  await server.register(formbody);
  server.post("/twilio/sms", async (request, reply) => {
    const form = request.body as Record<string, string> | undefined;
    if (!form?.MessageSid) return reply.code(400).send("MessageSid is required");
    reply.type("text/xml");
    return emptyTwiml;
  });
  server.get("/__bench/stats", async () => currentStats(false));
  await server.listen({ port: 0, host: "127.0.0.1" });
  const address = server.server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  exitWhenParentGoes(() => server.close());
  report("BENCH_READY ", { port, pid: process.pid });
}

main().catch((error: unknown) => {
  process.stderr.write(`floor-fastify-form failed: ${String(error)}\n`);
  process.exit(1);
});
