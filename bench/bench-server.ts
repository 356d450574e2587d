import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
/**
 * The real Switchboard app (createApp + loadConfig from src/) with a benchmark model, started by
 * the runner as its own process. Adds `GET /__bench/stats` (process CPU and RSS) and prints
 * `BENCH_READY {"port":…,"pid":…}` once listening.
 *
 * BENCH_MODEL:
 * - `tokens20` (default): scripted zero-latency model streaming 20 short tokens;
 * - `stream200`: 200 tokens with BENCH_DELTA_MS (default 2) between deltas, for interruption;
 * - `stamped`: 20 tokens 20 ms apart, each carrying the time it was produced (per-token forwarding);
 * - `configured`: the model from LLM_PROVIDER/LLM_BASE_URL (e.g. `openai` against a fake server).
 *
 * The app is the compiled one in dist/ (run `npm run build` first; the runners do), as deployed;
 * BENCH_DIST=/abs/path/dist runs another checkout's build instead (with its own node_modules).
 */
import { pathToFileURL } from "node:url";
import type { LanguageModelV3 } from "@ai-sdk/provider";
import { createScriptedModel } from "../src/testing/create-scripted-model.js";
import { currentStats, exitWhenParentGoes, report, twentyTokens } from "./bench-util.js";
import { createStampedModel } from "./stamped-tokens.js";

/** Only these variables reach the app: a developer's `.env` (real Twilio keys…) is never read. */
const passedVariables = [
  "PORT",
  "HOST",
  "STORE",
  "DATA_DIR",
  "LOG_LEVEL",
  "TWILIO_AUTH_TOKEN",
  "PUBLIC_URL",
  "ADMIN_TOKEN",
  "LLM_PROVIDER",
  "LLM_MODEL",
  "LLM_BASE_URL",
  "LLM_API_KEY",
];

function benchModel(mode: string): LanguageModelV3 | undefined {
  if (mode === "configured") return undefined;
  if (mode === "stamped") return createStampedModel();
  if (mode === "stream200") {
    const delayMs = Number(process.env.BENCH_DELTA_MS ?? "2");
    const tokens = Array.from({ length: 200 }, (_, index) => ` word${index}`);
    return createScriptedModel(() => ({ text: tokens, delayMs }), { keepCalls: false });
  }
  return createScriptedModel(() => ({ text: twentyTokens }), { keepCalls: false });
}

async function main(): Promise<void> {
  const environment: Record<string, string> = { NODE_ENV: "production" };
  for (const name of passedVariables) {
    const value = process.env[name];
    if (value !== undefined) environment[name] = value;
  }
  // The compiled app (dist/, built by the runner first), as deployed; BENCH_CODE=src runs the sources
  // through tsx instead, BENCH_DIST=<absolute path> another checkout's build (an A/B of two commits).
  const otherBuild = process.env.BENCH_DIST;
  const code =
    process.env.BENCH_CODE === "src" ? "../src" : otherBuild ? pathToFileURL(otherBuild).href : "../dist";
  const { createApp }: typeof import("../src/app/create-app.js") = await import(`${code}/app/create-app.js`);
  const { loadConfig }: typeof import("../src/config/config.js") = await import(`${code}/config/config.js`);
  const config = loadConfig(environment);
  const model = benchModel(process.env.BENCH_MODEL ?? "tokens20");
  const app = await createApp(config, model ? { model } : {});
  app.server.get("/__bench/stats", async (request) => {
    const query = request.query as { gc?: string };
    return currentStats(query.gc === "1");
  });
  // The SMS floor on this same server (its plugins, hooks and logger): a route that only parses
  // the form and answers empty TwiML, as /twilio/sms does, with no signature check and no storage.
  app.server.post("/__bench/sms-parse-only", async (request, reply) => {
    const form = request.body as Record<string, string> | undefined;
    if (!form?.MessageSid) return reply.code(400).send("MessageSid is required");
    reply.type("text/xml");
    return '<?xml version="1.0" encoding="UTF-8"?><Response/>';
  });
  // The SMS floor as the issue measured its reference ("parse + signature only"): the same route
  // plus the Twilio signature check that any webhook server must make (the app's own verifier).
  const {
    createTwilioSignatureVerifier,
  }: typeof import("../src/channels/twilio/twilio-signature-verifier.js") = await import(
    `${code}/channels/twilio/twilio-signature-verifier.js`
  );
  const verifier = createTwilioSignatureVerifier({
    authToken: config.twilio.authToken ?? "",
    publicUrl: config.publicUrl,
  });
  app.server.post("/__bench/sms-parse-and-verify", async (request, reply) => {
    const form = request.body as Record<string, string> | undefined;
    if (!form?.MessageSid) return reply.code(400).send("MessageSid is required");
    const signature = request.headers["x-twilio-signature"];
    if (!verifier.verifyWebhook("/twilio/sms", typeof signature === "string" ? signature : undefined, form)) {
      return reply.code(403).send("Invalid signature");
    }
    reply.type("text/xml");
    return '<?xml version="1.0" encoding="UTF-8"?><Response/>';
  });
  // Profiles a window of the load (no start-up, no drain): ?ms=5000&file=/abs/path.cpuprofile.
  app.server.get("/__bench/profile", async (request) => {
    const query = request.query as { ms?: string; file?: string };
    if (!query.file) throw new Error("file is required");
    return { file: await profileWindow(Number(query.ms ?? "5000"), query.file) };
  });
  await app.server.listen({ port: config.port, host: config.host });
  const address = app.server.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  exitWhenParentGoes(() => app.close());
  report("BENCH_READY ", { port, pid: process.pid, model: app.modelDescription });
}

/** A CPU profile of this process over the next `ms`, written to `file`. */
async function profileWindow(ms: number, file: string): Promise<string> {
  const session = new Session();
  session.connect();
  const post = (method: string) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, (error, result) => (error ? reject(error) : resolve(result))),
    );
  await post("Profiler.enable");
  await post("Profiler.start");
  await new Promise((resolve) => setTimeout(resolve, ms));
  const { profile } = (await post("Profiler.stop")) as { profile: unknown };
  session.disconnect();
  writeFileSync(file, JSON.stringify(profile));
  return file;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench-server failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
