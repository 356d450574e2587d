/**
 * The only module that reads `process.env`. Configuration is validated once with Zod, frozen, and
 * passed down. An invalid value stops start-up with a message naming the variable.
 */
import { existsSync, readFileSync } from "node:fs";
import { isIP } from "node:net";
import path from "node:path";
import { parse as parseDotenv } from "dotenv";
import { z } from "zod";
import { ConfigError } from "../errors/config-error.js";
import { type HttpToolDefinition, loadHttpToolsFile } from "./http-tools-file.js";

const booleanFromString = z
  .enum(["true", "false", "1", "0", "yes", "no", "on", "off"])
  .transform((value) => value === "true" || value === "1" || value === "yes" || value === "on");

const optionalString = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === "" ? undefined : value.trim()));

/**
 * A shared secret: a bearer token Switchboard checks (`ADMIN_TOKEN`, `METRICS_TOKEN`) or a signing
 * key (`TOOLS_SIGNING_SECRET`, `EVENTS_WEBHOOK_SECRET`). At least 16 characters, so a guessable word
 * cannot guard anything. The error never shows the value (see `isSecretVariable`).
 */
const bearerToken = optionalString.refine((value) => value === undefined || value.length >= 16, {
  message: "must be at least 16 characters (e.g. openssl rand -base64 24)",
});

const interruptibleValues = ["none", "dtmf", "speech", "any"] as const;

const extraLanguageSchema = z.object({
  code: z.string().min(2),
  ttsProvider: z.string().optional(),
  voice: z.string().optional(),
  transcriptionProvider: z.string().optional(),
  speechModel: z.string().optional(),
});
export type VoiceExtraLanguage = z.infer<typeof extraLanguageSchema>;

/** `VOICE_EXTRA_LANGUAGES`: JSON array, or `code:ttsProvider:voice` items separated by commas. */
const extraLanguagesFromString = z
  .string()
  .optional()
  .transform((value, context) => {
    if (value === undefined || value.trim() === "") return [] as VoiceExtraLanguage[];
    const text = value.trim();
    if (text.startsWith("[")) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        context.addIssue({ code: "custom", message: "must be a JSON array or code:ttsProvider:voice list" });
        return z.NEVER;
      }
      const result = z.array(extraLanguageSchema).safeParse(parsed);
      if (!result.success) {
        context.addIssue({ code: "custom", message: result.error.issues[0]?.message ?? "invalid" });
        return z.NEVER;
      }
      return result.data;
    }
    return text.split(",").map((item) => {
      const [code = "", ttsProvider, voice] = item.split(":").map((part) => part.trim());
      return { code, ttsProvider: ttsProvider || undefined, voice: voice || undefined };
    });
  });

/** `WEB_CHAT_ORIGINS`: `*`, or a comma-separated list of origins (`https://www.example.com`). */
const webChatOriginsSchema = z
  .string()
  .optional()
  .transform((value, context): "any" | string[] => {
    const text = value?.trim() ?? "";
    if (text === "*") return "any";
    const origins: string[] = [];
    for (const item of text
      .split(",")
      .map((part) => part.trim())
      .filter(Boolean)) {
      let origin: string | undefined;
      try {
        origin = new URL(item).origin;
      } catch {
        origin = undefined;
      }
      if (!origin || origin === "null" || origin !== item.replace(/\/$/, "")) {
        context.addIssue({
          code: "custom",
          message: `"${item}" is not an origin like https://www.example.com`,
        });
        return z.NEVER;
      }
      origins.push(origin);
    }
    return origins;
  });

/** proxy-addr's names for private ranges (`loopback` 127.0.0.1/8 and ::1, and so on). */
const proxyRangeNames = new Set(["loopback", "linklocal", "uniquelocal"]);

/**
 * `TRUST_PROXY`: which peers' `X-Forwarded-For` (and `-Proto`, `-Host`) to believe. Default: peers
 * on loopback and private networks (a load balancer in a VPC, a local tunnel), so a client on the
 * internet cannot name its own address; `true` for any peer, `false` for none, or comma-separated
 * proxy addresses, CIDR ranges and the names `loopback`, `linklocal`, `uniquelocal`.
 */
const trustProxySchema = z
  .string()
  .optional()
  .transform((value, context): boolean | string[] => {
    const text = value?.trim() ?? "";
    if (text === "") return ["loopback", "linklocal", "uniquelocal"];
    if (/^(true|yes|on)$/i.test(text)) return true;
    if (/^(false|no|off)$/i.test(text)) return false;
    const entries = text
      .split(",")
      .map((part) => part.trim())
      .filter(Boolean);
    const bad = entries.find((entry) => {
      if (proxyRangeNames.has(entry)) return false;
      const [address = "", bits, ...rest] = entry.split("/");
      return rest.length > 0 || isIP(address) === 0 || (bits !== undefined && !/^\d{1,3}$/.test(bits));
    });
    if (bad !== undefined || entries.length === 0) {
      context.addIssue({
        code: "custom",
        message: `"${bad ?? text}" is not true, false, a proxy address, a CIDR range or loopback/linklocal/uniquelocal`,
      });
      return z.NEVER;
    }
    return entries;
  });

export const llmProviderNames = [
  "offline",
  "bedrock",
  "openai",
  "anthropic",
  "google",
  "openai-compatible",
] as const;
export type LlmProviderName = (typeof llmProviderNames)[number];

/**
 * Client for `openai`, `openai-compatible` (lean Chat Completions) and `bedrock` (lean
 * ConverseStream): the built-in lean clients, or the AI SDK provider packages.
 */
export const llmClientNames = ["lean", "ai-sdk"] as const;
export type LlmClientName = (typeof llmClientNames)[number];

const environmentSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default("127.0.0.1"),
  KEEP_ALIVE_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(86_400).default(72),
  PUBLIC_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  DATA_DIR: z.string().default("./data"),
  STORE: z.enum(["sqlite", "memory", "dynamodb"]).default("sqlite"),
  DYNAMODB_TABLE_PREFIX: z.string().default("switchboard"),
  DYNAMODB_ENDPOINT: optionalString,
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  LOG_CUSTOMER_CONTENT: booleanFromString.default(false),

  LLM_PROVIDER: z.enum(llmProviderNames).default("offline"),
  LLM_MODEL: optionalString,
  LLM_BASE_URL: optionalString,
  LLM_API_KEY: optionalString,
  LLM_CLIENT: z.enum(llmClientNames).default("lean"),
  OPENAI_API_KEY: optionalString,
  ANTHROPIC_API_KEY: optionalString,
  GOOGLE_GENERATIVE_AI_API_KEY: optionalString,
  LLM_FALLBACK_PROVIDER: z.enum(llmProviderNames).optional(),
  LLM_FALLBACK_MODEL: optionalString,
  LLM_MAX_OUTPUT_TOKENS: z.coerce.number().int().positive().default(400),
  LLM_TEMPERATURE: z.coerce.number().min(0).max(2).optional(),
  LLM_MAX_TOOL_STEPS: z.coerce.number().int().min(1).max(20).default(5),
  AWS_REGION: optionalString,

  SYSTEM_PROMPT_FILE: optionalString,
  PROMPTS_DIR: optionalString,
  KNOWLEDGE_PROVIDER: z.enum(["local", "bedrock", "none"]).default("local"),
  KNOWLEDGE_DIR: optionalString,
  KNOWLEDGE_WATCH: booleanFromString.default(true),
  BEDROCK_KNOWLEDGE_BASE_ID: optionalString,
  BEDROCK_AGENT_RUNTIME_ENDPOINT: optionalString,
  HISTORY_BUDGET_CHARS: z.coerce.number().int().min(500).max(1_000_000).default(16_000),
  HISTORY_KEEP_RECENT: z.coerce.number().int().min(2).max(200).default(12),
  AGENT_NAME: z.string().default("Switchboard"),
  DEFAULT_PHONE_REGION: z
    .string()
    .regex(/^[A-Z]{2}$/, "must be a two-letter country code like US")
    .default("US"),

  TWILIO_ACCOUNT_SID: optionalString,
  TWILIO_AUTH_TOKEN: optionalString,
  TWILIO_PHONE_NUMBER: optionalString,
  TWILIO_API_BASE_URL: optionalString,
  TWILIO_MESSAGING_SERVICE_SID: optionalString.refine(
    (value) => value === undefined || /^MG[0-9a-fA-F]{32}$/.test(value),
    {
      message: "must be a Messaging Service SID: MG followed by 32 hexadecimal digits",
    },
  ),

  SENDGRID_API_KEY: optionalString,
  EMAIL_FROM: optionalString,
  SENDGRID_INBOUND_TOKEN: optionalString,
  SENDGRID_EVENT_PUBLIC_KEY: optionalString,
  SENDGRID_API_BASE_URL: optionalString,

  OUTBOX_RETRY_BASE_MS: z.coerce.number().int().min(1).max(600_000).default(1000),
  OUTBOX_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  OUTBOX_LEASE_MS: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
  OUTBOX_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(30),
  RETENTION_DAYS: optionalString.pipe(
    z.coerce.number<string | undefined>().int().min(1).max(36_500).optional(),
  ),
  SEGMENT_WRITE_KEY: optionalString,
  SEGMENT_HOST: optionalString,
  ADMIN_TOKEN: bearerToken,
  METRICS_TOKEN: bearerToken,
  HUMAN_AGENT_NUMBER: optionalString,
  TOOLS_FILE: optionalString,
  TOOLS_SIGNING_SECRET: bearerToken,
  EVENTS_WEBHOOK_URL: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  EVENTS_WEBHOOK_SECRET: bearerToken,
  WEB_CHAT_ORIGINS: webChatOriginsSchema,
  TRUST_PROXY: trustProxySchema,
  WEB_CHAT_SOCKETS_PER_ADDRESS: z.coerce.number().int().min(0).max(100_000).default(20),
  WEB_CHAT_MESSAGES_PER_MINUTE: z.coerce.number().int().min(0).max(100_000).default(30),

  VOICE_WELCOME_GREETING: z.string().default("Hello, this is Switchboard. How can I help you today?"),
  VOICE_WELCOME_GREETING_INTERRUPTIBLE: z.enum(interruptibleValues).default("any"),
  VOICE_LANGUAGE: z.string().default("en-US"),
  VOICE_TTS_PROVIDER: z.string().default("ElevenLabs"),
  VOICE_TTS_VOICE: optionalString,
  VOICE_TRANSCRIPTION_PROVIDER: z.string().default("Deepgram"),
  VOICE_SPEECH_MODEL: optionalString,
  VOICE_INTERRUPTIBLE: z.enum(interruptibleValues).default("any"),
  VOICE_DTMF_DETECTION: booleanFromString.default(true),
  VOICE_HINTS: optionalString,
  VOICE_EXTRA_LANGUAGES: extraLanguagesFromString,
  VOICE_DTMF_IDLE_TIMEOUT_MS: z.coerce.number().int().min(0).max(30_000).default(1500),
  VOICE_DTMF_MAX_DIGITS: z.coerce.number().int().min(1).max(64).default(16),
});

/** Every variable the configuration reads (the provider SDKs' own, such as `OPENAI_API_KEY`, aside). */
export const configVariableNames: readonly string[] = Object.keys(environmentSchema.shape);

export interface VoiceConfig {
  welcomeGreeting: string;
  welcomeGreetingInterruptible: (typeof interruptibleValues)[number];
  language: string;
  ttsProvider: string;
  ttsVoice: string | undefined;
  transcriptionProvider: string;
  speechModel: string | undefined;
  interruptible: (typeof interruptibleValues)[number];
  dtmfDetection: boolean;
  hints: string | undefined;
  extraLanguages: readonly VoiceExtraLanguage[];
  dtmfIdleTimeoutMs: number;
  dtmfMaxDigits: number;
}

export interface LlmConfig {
  provider: LlmProviderName;
  model: string | undefined;
  baseUrl: string | undefined;
  apiKey: string | undefined;
  /** `OPENAI_API_KEY`: the `openai` provider's key when `LLM_API_KEY` does not apply. */
  openaiApiKey: string | undefined;
  /** `ANTHROPIC_API_KEY`: the `anthropic` provider's key when `LLM_API_KEY` does not apply. */
  anthropicApiKey: string | undefined;
  /** `GOOGLE_GENERATIVE_AI_API_KEY`: the `google` provider's key when `LLM_API_KEY` does not apply. */
  googleApiKey: string | undefined;
  /** `LLM_CLIENT`: how `openai` and `openai-compatible` are called (`lean` by default). */
  client: LlmClientName;
  fallbackProvider: LlmProviderName | undefined;
  fallbackModel: string | undefined;
  maxOutputTokens: number;
  temperature: number | undefined;
  maxToolSteps: number;
  awsRegion: string | undefined;
}

export interface Config {
  nodeEnvironment: "development" | "production" | "test";
  port: number;
  host: string;
  /** Public base URL without a trailing slash, e.g. `https://agent.example.com`. */
  publicUrl: string;
  /** True when PUBLIC_URL was not set and was derived from the port. */
  publicUrlIsDefault: boolean;
  /**
   * Which peers' forwarded headers to believe (Fastify's `trustProxy`): all, none, or addresses and
   * ranges. The client address it yields keys the web chat's limits.
   */
  trustProxy: boolean | string[];
  /**
   * How long an idle HTTP keep-alive connection stays open. Behind a load balancer it must be longer
   * than the balancer's idle timeout, or the balancer may send a request on a connection the server
   * is closing (a 502).
   */
  keepAliveTimeoutMs: number;
  dataDirectory: string;
  store: {
    kind: "sqlite" | "memory" | "dynamodb";
    dynamoTablePrefix: string;
    dynamoEndpoint: string | undefined;
  };
  logLevel: string;
  logCustomerContent: boolean;
  llm: LlmConfig;
  agent: {
    name: string;
    systemPromptFile: string | undefined;
    /** Folder with `<channel>.md` style files (the bundled `prompts/` when unset). */
    promptsDirectory: string | undefined;
    /** Unsummarised history above this many characters is compacted into a stored summary. */
    historyBudgetChars: number;
    keepRecentMessages: number;
  };
  twilio: {
    accountSid: string | undefined;
    authToken: string | undefined;
    phoneNumber: string | undefined;
    /**
     * Texts are sent through this Messaging Service (`MG…`) instead of from `phoneNumber`: Twilio
     * picks the sender from its pool (US A2P 10DLC campaigns are registered on a service).
     */
    messagingServiceSid: string | undefined;
    apiBaseUrl: string | undefined;
  };
  sendgrid: {
    apiKey: string | undefined;
    emailFrom: string | undefined;
    inboundToken: string | undefined;
    eventPublicKey: string | undefined;
    apiBaseUrl: string | undefined;
  };
  outbox: { retryBaseDelayMs: number; maxAttempts: number; leaseMs: number };
  retention: {
    /** Finished outbound messages are deleted this many days after their last status change. */
    outboxDays: number;
    /** Conversations nobody wrote to for this many days are erased; unset keeps them. */
    conversationDays: number | undefined;
  };
  segment: { writeKey: string | undefined; host: string | undefined };
  knowledge: {
    provider: "local" | "bedrock" | "none";
    /** Folder of the local index (the bundled sample when unset). */
    directory: string | undefined;
    watch: boolean;
    bedrockKnowledgeBaseId: string | undefined;
    bedrockEndpoint: string | undefined;
  };
  /** Country for phone numbers written without a country code. */
  defaultPhoneRegion: string;
  adminToken: string | undefined;
  /** When set, `GET /metrics` requires `Authorization: Bearer <token>`. */
  metricsToken: string | undefined;
  humanAgentNumber: string | undefined;
  /** The company's own tools, called over HTTP (`TOOLS_FILE`, docs/tools.md). */
  httpTools: {
    file: string | undefined;
    definitions: readonly HttpToolDefinition[];
    /** Signs each tool request (`switchboard-signature`) when set. */
    signingSecret: string | undefined;
  };
  /** Where events (`call.ended`) are POSTed through the outbox, and the secret that signs them. */
  eventsWebhook: { url: string | undefined; secret: string | undefined };
  /**
   * Browser origins allowed to open `WS /web/chat` besides this server's own (and PUBLIC_URL's);
   * `any` for every origin. Clients that send no Origin (not browsers) are always allowed.
   */
  webChatOrigins: "any" | string[];
  /** Per client address: chats open at once and messages a minute on `WS /web/chat` (0: no limit). */
  webChatLimits: { socketsPerAddress: number; messagesPerMinute: number };
  voice: VoiceConfig;
}

/** Reads `.env` from `directory` if present; values already in `environment` win. */
export function readDotenv(directory: string): Record<string, string> {
  const file = path.join(directory, ".env");
  if (!existsSync(file)) return {};
  return parseDotenv(readFileSync(file));
}

/**
 * Validates and freezes the configuration. Pass an explicit environment in tests; with no argument
 * the process environment (plus `.env` in the working directory) is used.
 */
export function loadConfig(environment?: Record<string, string | undefined>): Readonly<Config> {
  const source = environment ?? { ...readDotenv(process.cwd()), ...process.env };
  const result = environmentSchema.safeParse(source);
  if (!result.success) {
    const issue = result.error.issues[0];
    const variable = issue?.path.join(".") ?? "unknown";
    const value = source[variable];
    const shown = value === undefined ? "" : ` (got "${isSecretVariable(variable) ? "***" : value}")`;
    throw new ConfigError(
      `Invalid environment variable ${variable}: ${issue?.message ?? "invalid"}${shown}`,
      variable,
    );
  }
  const env = result.data;
  if (env.LLM_FALLBACK_MODEL && !env.LLM_FALLBACK_PROVIDER) {
    throw new ConfigError(
      "Invalid environment variable LLM_FALLBACK_MODEL: set LLM_FALLBACK_PROVIDER too",
      "LLM_FALLBACK_MODEL",
    );
  }
  if (env.KNOWLEDGE_PROVIDER === "bedrock" && !env.BEDROCK_KNOWLEDGE_BASE_ID) {
    throw new ConfigError(
      "Invalid environment variable BEDROCK_KNOWLEDGE_BASE_ID: required when KNOWLEDGE_PROVIDER=bedrock",
      "BEDROCK_KNOWLEDGE_BASE_ID",
    );
  }
  if (env.TWILIO_AUTH_TOKEN && !env.PUBLIC_URL && env.NODE_ENV === "production") {
    throw new ConfigError(
      "Invalid environment variable PUBLIC_URL: required in production when TWILIO_AUTH_TOKEN is set (signatures are computed over it)",
      "PUBLIC_URL",
    );
  }
  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, "");
  const config: Config = {
    nodeEnvironment: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    publicUrl,
    publicUrlIsDefault: env.PUBLIC_URL === undefined,
    trustProxy: env.TRUST_PROXY,
    keepAliveTimeoutMs: env.KEEP_ALIVE_TIMEOUT_SECONDS * 1000,
    dataDirectory: path.resolve(env.DATA_DIR),
    store: {
      kind: env.STORE,
      dynamoTablePrefix: env.DYNAMODB_TABLE_PREFIX,
      dynamoEndpoint: env.DYNAMODB_ENDPOINT,
    },
    logLevel: env.LOG_LEVEL,
    logCustomerContent: env.LOG_CUSTOMER_CONTENT,
    llm: {
      provider: env.LLM_PROVIDER,
      model: env.LLM_MODEL,
      baseUrl: env.LLM_BASE_URL,
      apiKey: env.LLM_API_KEY,
      openaiApiKey: env.OPENAI_API_KEY,
      anthropicApiKey: env.ANTHROPIC_API_KEY,
      googleApiKey: env.GOOGLE_GENERATIVE_AI_API_KEY,
      client: env.LLM_CLIENT,
      fallbackProvider: env.LLM_FALLBACK_PROVIDER,
      fallbackModel: env.LLM_FALLBACK_MODEL,
      maxOutputTokens: env.LLM_MAX_OUTPUT_TOKENS,
      temperature: env.LLM_TEMPERATURE,
      maxToolSteps: env.LLM_MAX_TOOL_STEPS,
      awsRegion: env.AWS_REGION,
    },
    agent: {
      name: env.AGENT_NAME,
      systemPromptFile: env.SYSTEM_PROMPT_FILE,
      promptsDirectory: env.PROMPTS_DIR,
      historyBudgetChars: env.HISTORY_BUDGET_CHARS,
      keepRecentMessages: env.HISTORY_KEEP_RECENT,
    },
    twilio: {
      accountSid: env.TWILIO_ACCOUNT_SID,
      authToken: env.TWILIO_AUTH_TOKEN,
      phoneNumber: env.TWILIO_PHONE_NUMBER,
      messagingServiceSid: env.TWILIO_MESSAGING_SERVICE_SID,
      apiBaseUrl: env.TWILIO_API_BASE_URL,
    },
    sendgrid: {
      apiKey: env.SENDGRID_API_KEY,
      emailFrom: env.EMAIL_FROM,
      inboundToken: env.SENDGRID_INBOUND_TOKEN,
      eventPublicKey: env.SENDGRID_EVENT_PUBLIC_KEY,
      apiBaseUrl: env.SENDGRID_API_BASE_URL,
    },
    outbox: {
      retryBaseDelayMs: env.OUTBOX_RETRY_BASE_MS,
      maxAttempts: env.OUTBOX_MAX_ATTEMPTS,
      leaseMs: env.OUTBOX_LEASE_MS,
    },
    retention: { outboxDays: env.OUTBOX_RETENTION_DAYS, conversationDays: env.RETENTION_DAYS },
    segment: { writeKey: env.SEGMENT_WRITE_KEY, host: env.SEGMENT_HOST },
    knowledge: {
      provider: env.KNOWLEDGE_PROVIDER,
      directory: env.KNOWLEDGE_DIR ? path.resolve(env.KNOWLEDGE_DIR) : undefined,
      watch: env.KNOWLEDGE_WATCH,
      bedrockKnowledgeBaseId: env.BEDROCK_KNOWLEDGE_BASE_ID,
      bedrockEndpoint: env.BEDROCK_AGENT_RUNTIME_ENDPOINT,
    },
    defaultPhoneRegion: env.DEFAULT_PHONE_REGION,
    adminToken: env.ADMIN_TOKEN,
    metricsToken: env.METRICS_TOKEN,
    humanAgentNumber: env.HUMAN_AGENT_NUMBER,
    httpTools: {
      file: env.TOOLS_FILE ? path.resolve(env.TOOLS_FILE) : undefined,
      definitions: env.TOOLS_FILE ? loadHttpToolsFile(env.TOOLS_FILE, source) : [],
      signingSecret: env.TOOLS_SIGNING_SECRET,
    },
    eventsWebhook: { url: env.EVENTS_WEBHOOK_URL, secret: env.EVENTS_WEBHOOK_SECRET },
    webChatOrigins: env.WEB_CHAT_ORIGINS,
    webChatLimits: {
      socketsPerAddress: env.WEB_CHAT_SOCKETS_PER_ADDRESS,
      messagesPerMinute: env.WEB_CHAT_MESSAGES_PER_MINUTE,
    },
    voice: {
      welcomeGreeting: env.VOICE_WELCOME_GREETING,
      welcomeGreetingInterruptible: env.VOICE_WELCOME_GREETING_INTERRUPTIBLE,
      language: env.VOICE_LANGUAGE,
      ttsProvider: env.VOICE_TTS_PROVIDER,
      ttsVoice: env.VOICE_TTS_VOICE,
      transcriptionProvider: env.VOICE_TRANSCRIPTION_PROVIDER,
      speechModel: env.VOICE_SPEECH_MODEL,
      interruptible: env.VOICE_INTERRUPTIBLE,
      dtmfDetection: env.VOICE_DTMF_DETECTION,
      hints: env.VOICE_HINTS,
      extraLanguages: Object.freeze(env.VOICE_EXTRA_LANGUAGES),
      dtmfIdleTimeoutMs: env.VOICE_DTMF_IDLE_TIMEOUT_MS,
      dtmfMaxDigits: env.VOICE_DTMF_MAX_DIGITS,
    },
  };
  return deepFreeze(config);
}

function isSecretVariable(name: string): boolean {
  return /(TOKEN|KEY|SECRET|PASSWORD)$/i.test(name);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
