import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/observability/logger.js";

function capture(logCustomerContent: boolean) {
  const destination = new PassThrough();
  const lines: string[] = [];
  destination.on("data", (chunk: Buffer) => lines.push(...chunk.toString().split("\n").filter(Boolean)));
  return { logger: createLogger({ level: "info", logCustomerContent, destination }), lines };
}

describe("createLogger", () => {
  it("redacts secrets and customer content", async () => {
    const { logger, lines } = capture(false);
    logger.info(
      {
        text: "my card number is 4111",
        from: "+14155550123",
        authToken: "tok_secret",
        req: { headers: { authorization: "Bearer abc", "x-twilio-signature": "sig" } },
        nested: { email: "pat@example.org" },
        callSid: "CA123",
      },
      "hello",
    );
    await new Promise((resolve) => setImmediate(resolve));
    const line = lines.join("\n");
    for (const secret of ["4111", "+14155550123", "tok_secret", "Bearer abc", 'sig"', "pat@example.org"]) {
      expect(line).not.toContain(secret);
    }
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({
      callSid: "CA123",
      text: "[redacted]",
      msg: "hello",
    });
  });

  it("keeps customer content when LOG_CUSTOMER_CONTENT is on, but never secrets", async () => {
    const { logger, lines } = capture(true);
    logger.info({ text: "visible", apiKey: "sk-123" }, "debugging");
    await new Promise((resolve) => setImmediate(resolve));
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({ text: "visible", apiKey: "[redacted]" });
  });
});
