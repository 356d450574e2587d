import { rmSync } from "node:fs";
import path from "node:path";
import { DatabaseSync } from "@photostructure/sqlite";
import { describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { twentyTokens } from "../../bench/bench-util.js";
import { type RunningServer, startVoiceServer } from "../../bench/voice-scenario.js";

/** Sends one prompt and returns the frames of the answer, up to the one with `last: true`. */
async function promptOnce(server: RunningServer, voicePrompt: string): Promise<unknown[]> {
  const socket = new WebSocket(`ws://127.0.0.1:${server.port}/`);
  await new Promise((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  const frames: unknown[] = [];
  const answered = new Promise<void>((resolve) => {
    socket.on("message", (data) => {
      const frame = JSON.parse(String(data)) as { last?: boolean };
      frames.push(frame);
      if (frame.last) resolve();
    });
  });
  socket.send(JSON.stringify({ type: "prompt", voicePrompt, last: true }));
  await answered;
  socket.close();
  return frames;
}

describe("the voice floor's ladder rungs (bench/voice-cost-ladder.ts)", () => {
  it("two-frames answers with a Switchboard reply's two frames and writes nothing", async () => {
    const server = await startVoiceServer({ kind: "floor", model: "two-frames" });
    try {
      expect(server.dataDirectory).toBeUndefined();
      expect(await promptOnce(server, "Where is my order?")).toEqual([
        { type: "text", token: twentyTokens[0], last: false },
        { type: "text", token: twentyTokens.slice(1).join(""), last: true },
      ]);
    } finally {
      await server.stop();
    }
  }, 30_000);

  it("transcript also stores the caller's message and the reply in the app's SQLite store", async () => {
    const server = await startVoiceServer({ kind: "floor", model: "transcript", keepDataDirectory: true });
    const directory = server.dataDirectory;
    try {
      expect(directory).toBeDefined();
      const frames = await promptOnce(server, "Where is my order?");
      expect(frames).toHaveLength(2);
      // Stopping the floor closes the store, which commits the appends held for a batch.
      await server.stop();
      const database = new DatabaseSync(path.join(directory as string, "switchboard.db"), { readOnly: true });
      const rows = database
        .prepare("SELECT role, channel, text, sequence FROM messages ORDER BY sequence")
        .all() as unknown[];
      database.close();
      expect(rows).toEqual([
        { role: "user", channel: "voice", text: "Where is my order?", sequence: 1 },
        { role: "assistant", channel: "voice", text: twentyTokens.join(""), sequence: 2 },
      ]);
    } finally {
      await server.stop();
      if (directory) rmSync(directory, { recursive: true, force: true });
    }
  }, 30_000);
});
