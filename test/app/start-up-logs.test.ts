import { afterEach, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/start-test-server.js";

describe("start-up logs", () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("logs the knowledge index as structured fields, not a stringified object", async () => {
    server = await startTestServer({ KNOWLEDGE_PROVIDER: "local" });
    const built = server.logs.find((line) => line.msg === "knowledge: index built");
    expect(built).toBeDefined();
    expect(built?.records).toBeGreaterThan(100);
    expect(String(built?.directory)).toMatch(/knowledge/);
    expect(server.logs.some((line) => String(line.msg).includes("[object Object]"))).toBe(false);
  });
});
