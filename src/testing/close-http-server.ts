import type { Server } from "node:http";

/** Stops a fake server at once: open keep-alive connections are closed, not waited for. Idempotent. */
export function closeHttpServer(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
