/**
 * What the HTTP client costs the lean Chat Completions client: CPU per streamed call (`doStreamTo`)
 * over `node:http`, over the socket transport (the default), and of a minimal HTTP/1.1 reader over
 * `net` (keep-alive, chunked body only, no TLS, no error handling: the measuring prototype the
 * socket transport started from) feeding the same SSE parser and chunk mapper. All against the fake
 * OpenAI server in its own process, one call at a time with 2 ms between calls.
 *
 * Usage: npx tsx bench/http-client-cost.ts
 */
import net from "node:net";
import { createOpenAiChatModel } from "../src/llm/openai-chat/create-openai-chat-model.js";
import { createChatStreamMapper } from "../src/llm/openai-chat/map-chat-stream.js";
import { createChatSseParser } from "../src/llm/openai-chat/parse-chat-sse.js";
import { startChild } from "./bench-util.js";

const fake = startChild("bench/fake-openai-process.ts");
const { url } = await fake.waitForLine<{ url: string }>("BENCH_READY ", 20_000);
const prompt = [{ role: "user" as const, content: [{ type: "text" as const, text: "Where is my order?" }] }];
const settings = { baseUrl: url, apiKey: "bench", modelId: "gpt-4o-mini", providerName: "openai" };
const overNodeHttp = createOpenAiChatModel({ ...settings, httpClient: "node:http" });
const overSocket = createOpenAiChatModel(settings);
const target = new URL(url);
const idle: net.Socket[] = [];
function rawCall(): Promise<string> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "Where is my order?" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const socket = idle.pop() ?? net.connect(Number(target.port), target.hostname);
    socket.setNoDelay(true);
    let text = "";
    let buffer = "";
    let headersDone = false;
    let chunkRemaining = -1;
    const mapper = createChatStreamMapper((part) => {
      if (part.type === "text-delta") text += part.delta;
    });
    const parser = createChatSseParser({
      onData(data) {
        mapper.push(JSON.parse(data));
      },
      onDone() {},
    });
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString("latin1");
      if (!headersDone) {
        const end = buffer.indexOf("\r\n\r\n");
        if (end < 0) return;
        headersDone = true;
        buffer = buffer.slice(end + 4);
      }
      for (;;) {
        if (chunkRemaining < 0) {
          const lineEnd = buffer.indexOf("\r\n");
          if (lineEnd < 0) return;
          chunkRemaining = Number.parseInt(buffer.slice(0, lineEnd), 16);
          buffer = buffer.slice(lineEnd + 2);
          if (chunkRemaining === 0) {
            done();
            return;
          }
        }
        if (buffer.length < chunkRemaining + 2) return;
        parser.push(Buffer.from(buffer.slice(0, chunkRemaining), "latin1").toString("utf8"));
        buffer = buffer.slice(chunkRemaining + 2);
        chunkRemaining = -1;
      }
    };
    const done = () => {
      socket.off("data", onData);
      socket.off("error", reject);
      mapper.end();
      idle.push(socket);
      resolve(text);
    };
    socket.on("data", onData);
    socket.on("error", reject);
    socket.write(
      `POST ${target.pathname}/chat/completions HTTP/1.1\r\nhost: ${target.host}\r\ncontent-type: application/json\r\nauthorization: Bearer bench\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: keep-alive\r\n\r\n${body}`,
    );
  });
}
async function leanCall(model: typeof overSocket): Promise<string> {
  let text = "";
  await model.doStreamTo({ prompt }, (part) => {
    if (part.type === "text-delta") text += part.delta;
  });
  return text;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
for (let round = 0; round < 3; round++) {
  for (const [name, call] of [
    ["node:http", () => leanCall(overNodeHttp)],
    ["socket", () => leanCall(overSocket)],
    ["prototype", rawCall],
  ] as const) {
    for (let i = 0; i < 200; i++) await call();
    const n = 500;
    let busy = 0;
    let text = "";
    for (let i = 0; i < n; i++) {
      await sleep(2); // cold-ish: one call at a time with a gap, like turns under think time
      const t = process.cpuUsage();
      text = await call();
      const u = process.cpuUsage(t);
      busy += u.user + u.system;
    }
    const sample = JSON.stringify(text.slice(0, 30));
    console.log(
      `round ${round + 1}  ${name.padEnd(10)}  CPU per call ${(busy / n).toFixed(0)} µs  (text ${sample}…)`,
    );
  }
}
await fake.stop();
process.exit(0);
