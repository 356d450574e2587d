/**
 * The voice floor: a bare `ws` server in its own process. Each `prompt` frame is answered with one
 * `text` frame (`last: true`) at once. With FLOOR_MODE=stream200 it instead streams 200 tokens,
 * one every FLOOR_DELTA_MS (default 2), and stops at an `interrupt` frame (interruption floor);
 * with FLOOR_MODE=stamped it streams the stamped tokens of bench/stamped-tokens.ts.
 *
 * Two more modes are rungs between the floor and Switchboard (bench/voice-cost-ladder.ts):
 * - `two-frames`: a Switchboard reply's frames with none of its work: the first token at once,
 *   the other 19 with `last: true` once this event-loop turn ends (`setImmediate`);
 * - `transcript`: `two-frames`, and the turn's transcript written as Switchboard writes it: the
 *   app's SQLite conversation store in FLOOR_DATA_DIR, a conversation per call, the caller's
 *   message and the reply appended in the store's batch, the reply after the caller's message.
 * `GET /__bench/stats` reports CPU and RSS like bench-server.
 */
import { createServer } from "node:http";
import path from "node:path";
import { WebSocketServer } from "ws";
import type { ConversationStore } from "../src/ports/conversation-store.js";
import { currentStats, exitWhenParentGoes, report, twentyTokens } from "./bench-util.js";
import { stampedDeltaMs, stampedToken, stampedTokenCount } from "./stamped-tokens.js";

const mode = process.env.FLOOR_MODE ?? "single";
const deltaMs = Number(process.env.FLOOR_DELTA_MS ?? "2");
const answer = JSON.stringify({ type: "text", token: "Sure, I can help with that.", last: true });
const firstToken = twentyTokens[0] ?? "";
const firstFrame = JSON.stringify({ type: "text", token: firstToken, last: false });
const restFrame = JSON.stringify({ type: "text", token: twentyTokens.slice(1).join(""), last: true });
const replyText = twentyTokens.join("");
const store = mode === "transcript" ? await openTranscriptStore() : undefined;

/** The app's SQLite conversation store in FLOOR_DATA_DIR, loaded only by this mode (the bare floor stays bare). */
async function openTranscriptStore(): Promise<ConversationStore> {
  const directory = process.env.FLOOR_DATA_DIR;
  if (!directory) throw new Error("FLOOR_MODE=transcript needs FLOOR_DATA_DIR");
  const { createSqliteConversationStore } = await import(
    "../src/stores/sqlite/create-sqlite-conversation-store.js"
  );
  return createSqliteConversationStore({ filename: path.join(directory, "switchboard.db") });
}

/** `two-frames` and `transcript`: the first token now, the rest when this event-loop turn ends. */
function answerInTwoFrames(
  socket: import("ws").WebSocket,
  prompt: string,
  conversationId: Promise<string> | undefined,
): void {
  socket.send(firstFrame);
  setImmediate(() => {
    if (socket.readyState !== 1) return;
    socket.send(restFrame);
    if (!store || !conversationId) return;
    void conversationId.then((id) => {
      const user = store.appendMessage(
        { conversationId: id, role: "user", channel: "voice", text: prompt, metadata: {} },
        { batch: true },
      );
      store
        .appendMessage(
          { conversationId: id, role: "assistant", channel: "voice", text: replyText, metadata: {} },
          { batch: true, after: user },
        )
        .catch(() => undefined);
    });
  });
}

const server = createServer((request, response) => {
  if (request.url?.startsWith("/__bench/stats")) {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify(currentStats(request.url.includes("gc=1"))));
    return;
  }
  response.writeHead(404).end();
});
const webSockets = new WebSocketServer({ server });

webSockets.on("connection", (socket) => {
  let timer: NodeJS.Timeout | undefined;
  const conversationId = store
    ?.createConversation({ channel: "voice" })
    .then((conversation) => conversation.id);
  socket.on("message", (data) => {
    let message: { type?: string; voicePrompt?: string };
    try {
      message = JSON.parse(data.toString()) as { type?: string; voicePrompt?: string };
    } catch {
      return;
    }
    if (message.type === "prompt") {
      if (mode === "two-frames" || mode === "transcript") {
        answerInTwoFrames(socket, message.voicePrompt ?? "", conversationId);
        return;
      }
      if (mode === "stamped") {
        clearTimeout(timer);
        let sent = 0;
        const step = () => {
          if (socket.readyState !== 1) return;
          sent++;
          socket.send(
            JSON.stringify({ type: "text", token: stampedToken(sent), last: sent === stampedTokenCount }),
          );
          if (sent < stampedTokenCount) timer = setTimeout(step, stampedDeltaMs);
        };
        step();
        return;
      }
      if (mode !== "stream200") {
        socket.send(answer);
        return;
      }
      clearTimeout(timer);
      let sent = 0;
      const step = () => {
        if (socket.readyState !== 1) return;
        sent++;
        socket.send(`{"type":"text","token":" word${sent}","last":${sent === 200}}`);
        if (sent < 200) timer = setTimeout(step, deltaMs);
      };
      step();
    } else if (message.type === "interrupt") {
      clearTimeout(timer);
    }
  });
  socket.on("close", () => clearTimeout(timer));
  socket.on("error", () => undefined);
});

server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  exitWhenParentGoes(async () => {
    for (const client of webSockets.clients) client.terminate();
    server.close();
    // Commits the appends still held for a batch.
    await store?.close();
  });
  report("BENCH_READY ", { port, pid: process.pid });
});
