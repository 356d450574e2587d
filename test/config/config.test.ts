import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { configVariableNames, loadConfig, readDotenv } from "../../src/config/config.js";
import { ConfigError } from "../../src/errors/config-error.js";
import { startTestServer } from "../helpers/start-test-server.js";

describe("loadConfig", () => {
  it("uses the embedded defaults with an empty environment", () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.host).toBe("127.0.0.1");
    expect(config.publicUrl).toBe("http://localhost:3000");
    expect(config.store.kind).toBe("sqlite");
    expect(config.llm.provider).toBe("offline");
    expect(config.twilio.authToken).toBeUndefined();
    expect(config.voice.dtmfDetection).toBe(true);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.voice)).toBe(true);
  });

  it("stops with a message naming the invalid variable", () => {
    expect(() => loadConfig({ PORT: "not-a-port" })).toThrowError(ConfigError);
    expect(() => loadConfig({ PORT: "not-a-port" })).toThrowError(/PORT/);
    expect(() => loadConfig({ LLM_PROVIDER: "skynet" })).toThrowError(/LLM_PROVIDER/);
    expect(() => loadConfig({ PUBLIC_URL: "ftp://x" })).toThrowError(/PUBLIC_URL/);
    expect(() =>
      loadConfig({ TWILIO_MESSAGING_SERVICE_SID: "PN0123456789abcdef0123456789abcdef" }),
    ).toThrowError(/TWILIO_MESSAGING_SERVICE_SID.*MG followed by 32 hexadecimal digits/);
    expect(
      loadConfig({ TWILIO_MESSAGING_SERVICE_SID: " MG0123456789abcdef0123456789abcdef " }).twilio
        .messagingServiceSid,
    ).toBe("MG0123456789abcdef0123456789abcdef");
    expect(() => loadConfig({ VOICE_INTERRUPTIBLE: "sometimes" })).toThrowError(/VOICE_INTERRUPTIBLE/);
    expect(() => loadConfig({ VOICE_EXTRA_LANGUAGES: "[not json" })).toThrowError(/VOICE_EXTRA_LANGUAGES/);
    try {
      loadConfig({ STORE: "postgres" });
    } catch (error) {
      expect((error as ConfigError).variable).toBe("STORE");
    }
  });

  it("reads WEB_CHAT_ORIGINS as origins, or * for any, and refuses anything else", () => {
    expect(loadConfig({}).webChatOrigins).toEqual([]);
    expect(loadConfig({ WEB_CHAT_ORIGINS: "*" }).webChatOrigins).toBe("any");
    expect(
      loadConfig({ WEB_CHAT_ORIGINS: "https://www.example.com, http://localhost:5173/" }).webChatOrigins,
    ).toEqual(["https://www.example.com", "http://localhost:5173"]);
    expect(() => loadConfig({ WEB_CHAT_ORIGINS: "www.example.com" })).toThrowError(/WEB_CHAT_ORIGINS/);
    expect(() => loadConfig({ WEB_CHAT_ORIGINS: "https://www.example.com/chat" })).toThrowError(
      /WEB_CHAT_ORIGINS/,
    );
  });

  it("reads the web chat limits per address, 0 for none", () => {
    expect(loadConfig({}).webChatLimits).toEqual({ socketsPerAddress: 20, messagesPerMinute: 30 });
    expect(
      loadConfig({ WEB_CHAT_SOCKETS_PER_ADDRESS: "0", WEB_CHAT_MESSAGES_PER_MINUTE: "120" }).webChatLimits,
    ).toEqual({ socketsPerAddress: 0, messagesPerMinute: 120 });
    expect(() => loadConfig({ WEB_CHAT_MESSAGES_PER_MINUTE: "-1" })).toThrowError(
      /WEB_CHAT_MESSAGES_PER_MINUTE/,
    );
    expect(() => loadConfig({ WEB_CHAT_SOCKETS_PER_ADDRESS: "many" })).toThrowError(
      /WEB_CHAT_SOCKETS_PER_ADDRESS/,
    );
  });

  it("reads TRUST_PROXY as private-network peers by default, true, false, or proxy addresses", () => {
    expect(loadConfig({}).trustProxy).toEqual(["loopback", "linklocal", "uniquelocal"]);
    expect(loadConfig({ TRUST_PROXY: "true" }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: "false" }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: "10.0.0.0/8, ::1, loopback" }).trustProxy).toEqual([
      "10.0.0.0/8",
      "::1",
      "loopback",
    ]);
    expect(() => loadConfig({ TRUST_PROXY: "2" })).toThrowError(/TRUST_PROXY/);
    expect(() => loadConfig({ TRUST_PROXY: "my-proxy" })).toThrowError(/TRUST_PROXY/);
    expect(() => loadConfig({ TRUST_PROXY: "10.0.0.0/8/1" })).toThrowError(/TRUST_PROXY/);
  });

  it("refuses an ADMIN_TOKEN or METRICS_TOKEN shorter than 16 characters, without showing it", () => {
    expect(loadConfig({ ADMIN_TOKEN: "0123456789abcdef" }).adminToken).toBe("0123456789abcdef");
    for (const variable of [
      "ADMIN_TOKEN",
      "METRICS_TOKEN",
      "TOOLS_SIGNING_SECRET",
      "EVENTS_WEBHOOK_SECRET",
    ]) {
      let message = "";
      try {
        loadConfig({ [variable]: "hunter2" });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toContain(variable);
      expect(message).toContain("at least 16 characters");
      expect(message).not.toContain("hunter2");
    }
  });

  it("reads the retention periods: finished outbound messages 30 days, conversations kept unless set", () => {
    expect(loadConfig({}).retention).toEqual({ outboxDays: 30, conversationDays: undefined });
    expect(loadConfig({ RETENTION_DAYS: "", OUTBOX_RETENTION_DAYS: "7" }).retention).toEqual({
      outboxDays: 7,
      conversationDays: undefined,
    });
    expect(loadConfig({ RETENTION_DAYS: "365" }).retention.conversationDays).toBe(365);
    expect(() => loadConfig({ RETENTION_DAYS: "0" })).toThrowError(/RETENTION_DAYS/);
    expect(() => loadConfig({ RETENTION_DAYS: "a year" })).toThrowError(/RETENTION_DAYS/);
    expect(() => loadConfig({ OUTBOX_RETENTION_DAYS: "1.5" })).toThrowError(/OUTBOX_RETENTION_DAYS/);
  });

  it("reads the events webhook's URL (http or https) and secret", () => {
    expect(loadConfig({}).eventsWebhook).toEqual({ url: undefined, secret: undefined });
    expect(
      loadConfig({
        EVENTS_WEBHOOK_URL: "https://crm.example.com/hooks",
        EVENTS_WEBHOOK_SECRET: "x".repeat(16),
      }).eventsWebhook,
    ).toEqual({ url: "https://crm.example.com/hooks", secret: "x".repeat(16) });
    for (const url of ["crm.example.com/hooks", "ftp://crm.example.com/hooks"]) {
      expect(() => loadConfig({ EVENTS_WEBHOOK_URL: url })).toThrowError(/EVENTS_WEBHOOK_URL/);
    }
  });

  it("never echoes a secret value in the error", () => {
    expect(() => loadConfig({ LLM_MAX_OUTPUT_TOKENS: "-1" })).toThrowError(/"-1"/);
    let message = "";
    try {
      loadConfig({ LLM_FALLBACK_PROVIDER: "nope", TWILIO_AUTH_TOKEN: "supersecret" });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("LLM_FALLBACK_PROVIDER");
    expect(message).not.toContain("supersecret");
  });

  it("parses voice settings and strips a trailing slash from PUBLIC_URL", () => {
    const config = loadConfig({
      PUBLIC_URL: "https://agent.example.com/",
      VOICE_EXTRA_LANGUAGES: '[{"code":"es-US","ttsProvider":"Google","voice":"es-US-Neural2-A"}]',
      VOICE_DTMF_DETECTION: "false",
    });
    expect(config.publicUrl).toBe("https://agent.example.com");
    expect(config.publicUrlIsDefault).toBe(false);
    expect(config.voice.extraLanguages).toEqual([
      { code: "es-US", ttsProvider: "Google", voice: "es-US-Neural2-A" },
    ]);
    expect(config.voice.dtmfDetection).toBe(false);
  });

  it("names in .env.example only variables it reads, and accepts its values", () => {
    const example = readFileSync(new URL("../../.env.example", import.meta.url), "utf8");
    const assignments = [...example.matchAll(/^# ([A-Z][A-Z0-9_]*)=(.*)$/gm)].map(
      ([, name, value]): [string, string] => [name ?? "", value ?? ""],
    );
    expect(assignments.length).toBeGreaterThan(15);
    expect(assignments.map(([name]) => name).filter((name) => !configVariableNames.includes(name))).toEqual(
      [],
    );
    const values = Object.fromEntries(assignments.filter(([name]) => name !== "TOOLS_FILE"));
    expect(() => loadConfig(values)).not.toThrow();
  });

  it("is documented: the README names every variable it reads", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const named = (name: string) => new RegExp(`(?<![A-Z0-9_])${name}(?![A-Z0-9_])`).test(readme);
    expect(configVariableNames.filter((name) => !named(name))).toEqual([]);
  });

  it("keeps idle HTTP connections for KEEP_ALIVE_TIMEOUT_SECONDS (default 72 s), and the server uses it", async () => {
    expect(loadConfig({}).keepAliveTimeoutMs).toBe(72_000);
    expect(() => loadConfig({ KEEP_ALIVE_TIMEOUT_SECONDS: "0" })).toThrow(ConfigError);
    const server = await startTestServer({ KEEP_ALIVE_TIMEOUT_SECONDS: "910" });
    try {
      expect(server.app.server.server.keepAliveTimeout).toBe(910_000);
    } finally {
      await server.close();
    }
  });

  it("reads .env files", () => {
    const directory = mkdtempSync(path.join(os.tmpdir(), "switchboard-env-"));
    writeFileSync(path.join(directory, ".env"), "PORT=4100\nLLM_PROVIDER=openai\n");
    const values = readDotenv(directory);
    expect(values).toEqual({ PORT: "4100", LLM_PROVIDER: "openai" });
    expect(loadConfig(values).port).toBe(4100);
  });
});
