/**
 * The voice floor: a bare `ws` server in its own process. Each `prompt` frame is answered with one
 * `text` frame (`last: true`) at once. With FLOOR_MODE=stream200 it instead streams 200 tokens,
 * one every FLOOR_DELTA_MS (default 2), and stops at an `interrupt` frame (interruption floor);
 * with FLOOR_MODE=stamped it streams the stamped tokens of bench/stamped-tokens.ts.
 * `GET /__bench/stats` reports CPU and RSS like bench-server.
 */
import { createServer } from "node:http";
import { WebSocketServer } from "ws";
import { currentStats, exitWhenParentGoes, report } from "./bench-util.js";
import { stampedDeltaMs, stampedToken, stampedTokenCount } from "./stamped-tokens.js";

const mode = process.env.FLOOR_MODE ?? "single";
const deltaMs = Number(process.env.FLOOR_DELTA_MS ?? "2");
const answer = JSON.stringify({ type: "text", token: "Sure, I can help with that.", last: true });

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
  socket.on("message", (data) => {
    let message: { type?: string };
    try {
      message = JSON.parse(data.toString()) as { type?: string };
    } catch {
      return;
    }
    if (message.type === "prompt") {
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
  exitWhenParentGoes(() => {
    for (const client of webSockets.clients) client.terminate();
    server.close();
  });
  report("BENCH_READY ", { port, pid: process.pid });
});
