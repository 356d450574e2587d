import type { LanguageModelV3 } from "@ai-sdk/provider";
import formbody from "@fastify/formbody";
import websocket from "@fastify/websocket";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from "fastify";
import { registerEmailInboundRoute } from "../channels/email/email-inbound-routes.js";
import { emailChannelInstructions } from "../channels/email/email-style.js";
import { parseEmailAddress } from "../channels/email/parse-email-address.js";
import { registerSendGridEventRoutes } from "../channels/email/sendgrid-event-routes.js";
import { AsyncReplyRunner } from "../channels/messaging/async-reply-runner.js";
import { InboundQueue } from "../channels/messaging/inbound-queue.js";
import { WebhookPressure } from "../channels/messaging/webhook-pressure.js";
import { smsChannelInstructions } from "../channels/sms/sms-style.js";
import { registerSmsRoutes } from "../channels/sms/sms-webhook-routes.js";
import {
  createTwilioSignatureVerifier,
  webSocketBaseUrl,
} from "../channels/twilio/twilio-signature-verifier.js";
import { buildRelayTwiml } from "../channels/voice-relay/build-relay-twiml.js";
import { registerRelayRoute } from "../channels/voice-relay/relay-route.js";
import { voiceChannelInstructions } from "../channels/voice-relay/voice-style.js";
import { registerVoiceWebhookRoutes } from "../channels/voice-relay/voice-webhook-routes.js";
import { registerWebChatRoute } from "../channels/web-chat/web-chat-route.js";
import type { Config } from "../config/config.js";
import { ConversationAgent } from "../core/agent/conversation-agent.js";
import type { AgentTool } from "../core/tools/agent-tool.js";
import { createToolSet } from "../core/tools/tool-set.js";
import { ConfigError } from "../errors/config-error.js";
import { registerAdminApiRoutes } from "../http/admin-api-routes.js";
import { frameworkErrors, installErrorHandler } from "../http/error-handler.js";
import { registerHealthRoute } from "../http/health-route.js";
import { registerHomeRoute } from "../http/home-route.js";
import { registerMetricsRoute } from "../http/metrics-route.js";
import { IdentityService } from "../identity/identity-service.js";
import { createKnowledgeTools } from "../knowledge/create-knowledge-tools.js";
import { createLanguageModel, describeModel, describeModelForPeople } from "../llm/create-language-model.js";
import { lazyChildLogger } from "../observability/lazy-child-logger.js";
import { logKeys } from "../observability/log-keys.js";
import { createLogger, type Logger } from "../observability/logger.js";
import { createMetrics } from "../observability/metrics.js";
import { OutboxWorker } from "../outbox/outbox-worker.js";
import type { ConversationStore } from "../ports/conversation-store.js";
import type { NewOutboxEntry } from "../ports/outbox-store.js";
import { DataRetention } from "../retention/data-retention.js";
import {
  finishedOutboundSweep,
  handledInboundIdsSweep,
  idleConversationsSweep,
  oldVerificationsSweep,
} from "../retention/retention-sweeps.js";
import { createCustomerTools } from "../tools/customer-tools.js";
import { createHttpTools } from "../tools/http-tools.js";
import { createHumanHandoffTools } from "../tools/human-handoff-tools.js";
import { createOutboundMessageTools } from "../tools/outbound-message-tools.js";
import { createVoiceCallTools } from "../tools/voice-call-tools.js";
import { createEventWebhooks } from "../webhooks/create-event-webhooks.js";
import { resolveAdminToken } from "./admin-token.js";
import { createKnowledgeSearch } from "./create-knowledge-search.js";
import { createOutboundSenders } from "./create-outbound-senders.js";
import { createStores, type Stores } from "./create-stores.js";
import { loadChannelInstructions, loadSystemPrompt } from "./load-system-prompt.js";

export interface AppOverrides {
  /** Use this model instead of the configured provider (tests, benchmarks). */
  model?: LanguageModelV3;
  stores?: Stores;
  logger?: Logger;
  /** Extra tools for the agent. */
  tools?: AgentTool[];
}

export interface SwitchboardApp {
  server: FastifyInstance;
  agent: ConversationAgent;
  store: ConversationStore;
  stores: Stores;
  outboxWorker: OutboxWorker;
  replies: AsyncReplyRunner;
  /** The messaging webhooks' inbox: accepted events handled after the acknowledgement. */
  inbound: InboundQueue;
  /** Resolves once the background work of the messaging channels is done: inbox, then replies. */
  idle(): Promise<void>;
  logger: Logger;
  config: Readonly<Config>;
  /** The admin token in force (generated when ADMIN_TOKEN is unset). */
  adminToken: string;
  adminTokenGenerated: boolean;
  /** Where a generated admin token is kept across restarts (the SQLite store's DATA_DIR). */
  adminTokenFile: string | undefined;
  modelDescription: string;
  close(): Promise<void>;
}

/** SendGrid Inbound Parse posts up to 30 MB; larger parts are refused with 413. */
const maxEmailBytes = 30 * 1024 * 1024;

/** The composition root: reads the frozen config and wires stores, model, agent and channels. */
export async function createApp(
  config: Readonly<Config>,
  overrides: AppOverrides = {},
): Promise<SwitchboardApp> {
  const logger =
    overrides.logger ??
    createLogger({ level: config.logLevel, logCustomerContent: config.logCustomerContent });
  const stores = overrides.stores ?? (await createStores(config, logger));
  const store = stores.conversations;
  const model = overrides.model ?? (await createLanguageModel(config.llm));
  // Gauges read at scrape time only; `server` exists by then.
  const metrics = createMetrics({
    webSocketConnections: () => server.websocketServer?.clients.size ?? 0,
    inboxBacklog: () => inbound.backlog,
    replyBacklog: () => replies.backlog,
  });
  const outboxWorker = new OutboxWorker({
    outbox: stores.outbox,
    messagingState: stores.messagingState,
    senders: await createOutboundSenders(config),
    logger,
    baseDelayMs: config.outbox.retryBaseDelayMs,
    maxAttempts: config.outbox.maxAttempts,
    leaseMs: config.outbox.leaseMs,
    flushWrites: stores.flush,
    onOutcome: (entry, outcome) => metrics.observeOutbox(entry, outcome),
  });
  const enqueueOutbound = async (entry: NewOutboxEntry) => {
    const { entry: stored } = await stores.outbox.enqueueOutbound(entry);
    outboxWorker.wake();
    return stored;
  };
  const segment = config.segment.writeKey
    ? (await import("../analytics/create-segment-analytics.js")).createSegmentAnalytics({
        writeKey: config.segment.writeKey,
        host: config.segment.host,
        logger,
      })
    : undefined;
  const identity = new IdentityService({
    onCustomerResolved: segment ? (customer, channel) => segment.identify(customer, channel) : undefined,
    customers: stores.customers,
    conversations: store,
    enqueueOutbound,
    logger,
    defaultRegion: config.defaultPhoneRegion,
  });
  const relayUrl = `${webSocketBaseUrl(config.publicUrl)}/twilio/relay`;
  const actionUrl = `${config.publicUrl}/twilio/voice/ended`;
  const knowledge = await createKnowledgeSearch(config, logger);
  const eventWebhooks = config.eventsWebhook.url
    ? createEventWebhooks({
        url: config.eventsWebhook.url,
        store,
        customers: stores.customers,
        enqueueOutbound,
      })
    : undefined;
  const builtInTools = [
    ...(knowledge ? createKnowledgeTools(knowledge.search, knowledge.facets) : []),
    ...createVoiceCallTools({
      humanAgentNumber: config.humanAgentNumber,
      languages: [config.voice.language, ...config.voice.extraLanguages.map((language) => language.code)],
    }),
    ...createOutboundMessageTools({
      store,
      messagingState: stores.messagingState,
      enqueueOutbound,
      addressesOf: (conversation) => identity.addressesOf(conversation),
      callbackTwiml: (conversationId) =>
        buildRelayTwiml({ relayUrl, actionUrl, voice: config.voice, parameters: { conversationId } }),
    }),
    ...createCustomerTools({ identity, customers: stores.customers, conversations: store }),
    ...(eventWebhooks ? createHumanHandoffTools(eventWebhooks) : []),
  ];
  for (const definition of config.httpTools.definitions) {
    if (builtInTools.some((tool) => tool.name === definition.name)) {
      throw new ConfigError(
        `Invalid TOOLS_FILE (${config.httpTools.file}): tool "${definition.name}" has the name of a built-in tool; rename it`,
        "TOOLS_FILE",
      );
    }
  }
  const toolSet = createToolSet([
    ...builtInTools,
    ...createHttpTools(config.httpTools.definitions, {
      signingSecret: config.httpTools.signingSecret,
      customers: stores.customers,
      logger,
    }),
    ...(overrides.tools ?? []),
  ]);
  const agent = new ConversationAgent({
    store,
    model,
    toolSet,
    systemPrompt: loadSystemPrompt({ file: config.agent.systemPromptFile, agentName: config.agent.name }),
    channelInstructions: loadChannelInstructions(config.agent.promptsDirectory, {
      voice: voiceChannelInstructions,
      sms: smsChannelInstructions,
      email: emailChannelInstructions,
    }),
    maxSteps: config.llm.maxToolSteps,
    maxOutputTokens: config.llm.maxOutputTokens,
    temperature: config.llm.temperature,
    historyLimit: 40,
    historyBudgetChars: config.agent.historyBudgetChars,
    keepRecentMessages: config.agent.keepRecentMessages,
  });

  agent.subscribe((event) => metrics.observeAgent(event));
  // A failed tool is answered to the customer by the model; the operator sees it here.
  agent.subscribe(({ event, conversationId, channel }) => {
    if (event.type !== "tool-result" || !event.isError) return;
    logger.warn(
      {
        [logKeys.conversationId]: conversationId,
        [logKeys.channel]: channel,
        [logKeys.turnId]: event.turnId,
        [logKeys.toolName]: event.toolName,
        error: String(event.output).slice(0, 300),
      },
      "agent: a tool call failed",
    );
  });
  if (segment) agent.subscribe((event) => segment.observe(event));

  const server = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    // Most requests never log: their child logger (and its redaction pass) is made on first use.
    childLoggerFactory: (parent, bindings, options) =>
      lazyChildLogger(parent as Logger, bindings, options) as unknown as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    trustProxy: config.trustProxy,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    frameworkErrors,
  });
  installErrorHandler(server);
  // No answer leaves before what its request wrote is on disk (one shared fsync per loop turn).
  server.addHook("onSend", async (_request, _reply, payload) => {
    await stores.flush();
    return payload;
  });
  await server.register(formbody);
  await server.register(websocket, { options: { maxPayload: 256 * 1024 } });

  const signatureVerifier = config.twilio.authToken
    ? createTwilioSignatureVerifier({ authToken: config.twilio.authToken, publicUrl: config.publicUrl })
    : undefined;
  const {
    token: adminToken,
    generated: adminTokenGenerated,
    file: adminTokenFile,
  } = resolveAdminToken(config);

  registerHealthRoute(server, store);
  registerHomeRoute(server, { config });
  registerMetricsRoute(server, metrics, { token: config.metricsToken });
  registerVoiceWebhookRoutes(server, {
    config,
    store,
    resolver: identity,
    signatureVerifier,
    onCallEnded: eventWebhooks ? (session) => eventWebhooks.callEnded(session) : undefined,
  });
  registerRelayRoute(server, { agent, resolver: identity, voice: config.voice, signatureVerifier });
  registerWebChatRoute(server, {
    agent,
    resolver: identity,
    modelDescription: describeModelForPeople(model),
    publicUrl: config.publicUrl,
    allowedOrigins: config.webChatOrigins,
    limits: config.webChatLimits,
    onRefused: (reason) => metrics.countWebChatRefusal(reason),
  });
  // Webhooks arriving on a saturated loop slow the start of background work (see WebhookPressure).
  const pressure = new WebhookPressure();
  const inbound = new InboundQueue({
    messagingState: stores.messagingState,
    logger,
    pressure,
    onFailureRound: (provider, waitingForOperator) =>
      metrics.countInboundFailureRound(provider, waitingForOperator),
  });
  const replies = new AsyncReplyRunner({ agent, messagingState: stores.messagingState, logger, pressure });
  registerSmsRoutes(server, {
    store,
    resolver: identity,
    messagingState: stores.messagingState,
    outbox: stores.outbox,
    enqueueOutbound,
    replies,
    inbound,
    logger,
    signatureVerifier,
  });
  registerEmailInboundRoute(server, {
    store,
    resolver: identity,
    messagingState: stores.messagingState,
    enqueueOutbound,
    replies,
    inbound,
    logger,
    inboundToken: config.sendgrid.inboundToken,
    messageIdDomain:
      parseEmailAddress(config.sendgrid.emailFrom ?? "")?.email.split("@")[1] ?? "switchboard.local",
    maxBodyBytes: maxEmailBytes,
  });
  registerSendGridEventRoutes(server, {
    outbox: stores.outbox,
    messagingState: stores.messagingState,
    eventPublicKey: config.sendgrid.eventPublicKey,
  });
  registerAdminApiRoutes(server, {
    store,
    customers: stores.customers,
    outbox: stores.outbox,
    messagingState: stores.messagingState,
    inbox: inbound,
    wakeOutbox: () => outboxWorker.wake(),
    adminToken,
  });

  outboxWorker.start();
  await replies.resumePending();
  await inbound.resumeUnhandled();
  const retention = new DataRetention({
    logger,
    sweeps: [
      handledInboundIdsSweep(stores.messagingState),
      oldVerificationsSweep(stores.customers),
      finishedOutboundSweep(stores.outbox, config.retention.outboxDays),
      ...(config.retention.conversationDays === undefined
        ? []
        : [
            idleConversationsSweep(
              { store, outbox: stores.outbox, messagingState: stores.messagingState },
              config.retention.conversationDays,
            ),
          ]),
    ],
  });
  retention.start();

  let closed = false;
  return {
    server,
    agent,
    store,
    stores,
    outboxWorker,
    replies,
    inbound,
    logger,
    config,
    adminToken,
    adminTokenGenerated,
    adminTokenFile,
    modelDescription: describeModel(model),
    async idle() {
      await inbound.idle();
      await replies.idle();
    },
    async close() {
      if (closed) return;
      closed = true;
      await server.close();
      // Calls and chats just closed: their last turns' transcripts are written before anything stops.
      await agent.settle();
      await retention.close();
      await inbound.close();
      await replies.close();
      await outboxWorker.stop();
      await segment?.close();
      await knowledge?.search.close();
      await stores.close();
    },
  };
}
