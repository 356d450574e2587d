/**
 * The parts of the Bedrock Runtime Converse / ConverseStream JSON wire format this client sends
 * and reads (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html).
 */

export interface ConverseImageBlock {
  image: { format: string; source: { bytes: string } };
}

export interface ConverseDocumentBlock {
  document: { format: string; name: string; source: { bytes: string } };
}

export interface ConverseToolUseBlock {
  toolUse: { toolUseId: string; name: string; input: unknown };
}

export interface ConverseToolResultBlock {
  toolResult: {
    toolUseId: string;
    content: Array<{ json: unknown } | { text: string }>;
    status?: "success" | "error";
  };
}

export type ConverseContentBlock =
  | { text: string }
  | ConverseImageBlock
  | ConverseDocumentBlock
  | ConverseToolUseBlock
  | ConverseToolResultBlock;

export interface ConverseMessage {
  role: "user" | "assistant";
  content: ConverseContentBlock[];
}

export interface ConverseToolSpecification {
  toolSpec: { name: string; description?: string; inputSchema: { json: unknown } };
}

export type ConverseToolChoice =
  | { auto: Record<string, never> }
  | { any: Record<string, never> }
  | { tool: { name: string } };

/** The request body of `POST /model/{modelId}/converse` and `/converse-stream`. */
export interface ConverseRequestBody {
  messages: ConverseMessage[];
  system?: Array<{ text: string }>;
  inferenceConfig?: { maxTokens?: number; temperature?: number; topP?: number; stopSequences?: string[] };
  toolConfig?: { tools: ConverseToolSpecification[]; toolChoice?: ConverseToolChoice };
  additionalModelRequestFields?: Record<string, unknown>;
}

export interface ConverseUsage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

/** One block of `output.message.content` in a Converse response. */
export interface ConverseResponseContentBlock {
  text?: string;
  toolUse?: { toolUseId: string; name: string; input?: unknown };
  reasoningContent?: { reasoningText?: { text?: string; signature?: string } };
}

/** The JSON body a `POST …/converse` answers with. */
export interface ConverseResponseBody {
  output?: { message?: { role?: string; content?: ConverseResponseContentBlock[] } };
  stopReason?: string;
  usage?: ConverseUsage;
}

/** The payloads of the ConverseStream events, keyed by `:event-type`. */
export interface ConverseStreamEventPayloads {
  messageStart: { role?: string };
  contentBlockStart: {
    contentBlockIndex?: number;
    start?: { toolUse?: { toolUseId?: string; name?: string } };
  };
  contentBlockDelta: {
    contentBlockIndex?: number;
    delta?: {
      text?: string;
      toolUse?: { input?: string };
      reasoningContent?: { text?: string; signature?: string };
    };
  };
  contentBlockStop: { contentBlockIndex?: number };
  messageStop: { stopReason?: string };
  metadata: { usage?: ConverseUsage };
}
