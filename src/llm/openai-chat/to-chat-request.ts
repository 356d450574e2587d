import type { LanguageModelV3CallOptions, SharedV3Warning } from "@ai-sdk/provider";
import { type ChatMessage, toChatMessages } from "./to-chat-messages.js";

export interface ChatFunctionTool {
  type: "function";
  function: { name: string; description?: string; parameters: unknown; strict?: boolean };
}

type ChatToolChoice = "auto" | "none" | "required" | { type: "function"; function: { name: string } };

/** The JSON body of `POST /chat/completions` (only the fields this client sends). */
export interface ChatRequestBody {
  model: string;
  messages: ChatMessage[];
  stream?: true;
  stream_options?: { include_usage: true };
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
  seed?: number;
  stop?: string[];
  response_format?: { type: "json_object" } | { type: "json_schema"; json_schema: Record<string, unknown> };
  tools?: ChatFunctionTool[];
  tool_choice?: ChatToolChoice;
}

export interface ChatRequest {
  body: ChatRequestBody;
  /** Call options this client cannot honour (reported in `stream-start` / the result). */
  warnings: SharedV3Warning[];
}

/**
 * Maps V3 call options to a Chat Completions request: `maxOutputTokens`→`max_tokens`,
 * `topP`→`top_p`, `stopSequences`→`stop`, function tools and `toolChoice`, JSON response format.
 * `topK` and provider-defined tools are not part of the wire format and become warnings.
 */
export function toChatRequest(
  modelId: string,
  options: LanguageModelV3CallOptions,
  stream: boolean,
): ChatRequest {
  const warnings: SharedV3Warning[] = [];
  const body: ChatRequestBody = { model: modelId, messages: toChatMessages(options.prompt) };
  if (stream) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  if (options.maxOutputTokens !== undefined) body.max_tokens = options.maxOutputTokens;
  if (options.temperature !== undefined) body.temperature = options.temperature;
  if (options.topP !== undefined) body.top_p = options.topP;
  if (options.presencePenalty !== undefined) body.presence_penalty = options.presencePenalty;
  if (options.frequencyPenalty !== undefined) body.frequency_penalty = options.frequencyPenalty;
  if (options.seed !== undefined) body.seed = options.seed;
  if (options.stopSequences && options.stopSequences.length > 0) body.stop = options.stopSequences;
  if (options.topK !== undefined) warnings.push({ type: "unsupported", feature: "topK" });
  if (options.responseFormat?.type === "json") {
    const format = options.responseFormat;
    body.response_format = format.schema
      ? {
          type: "json_schema",
          json_schema: {
            name: format.name ?? "response",
            ...(format.description ? { description: format.description } : {}),
            schema: format.schema,
          },
        }
      : { type: "json_object" };
  }

  const { tools, unsupported } = options.tools ? toChatTools(options.tools) : noTools;
  warnings.push(...unsupported);
  if (tools.length > 0) {
    body.tools = tools;
    const choice = options.toolChoice;
    if (choice) {
      body.tool_choice =
        choice.type === "tool" ? { type: "function", function: { name: choice.toolName } } : choice.type;
    }
  }
  return { body, warnings };
}

type CallTools = NonNullable<LanguageModelV3CallOptions["tools"]>;

interface ChatTools {
  tools: ChatFunctionTool[];
  unsupported: SharedV3Warning[];
}

const noTools: ChatTools = { tools: [], unsupported: [] };

/**
 * Mapped once per frozen tools array: the agent passes the same frozen declarations every turn, so
 * the body carries the same (frozen) `tools` array too, and its JSON is encoded once
 * (encodeChatRequestBody). An array that could still change is mapped on every call.
 */
const chatTools = new WeakMap<CallTools, ChatTools>();

function toChatTools(callTools: CallTools): ChatTools {
  const cached = chatTools.get(callTools);
  if (cached) return cached;
  const mapped: ChatTools = { tools: [], unsupported: [] };
  for (const tool of callTools) {
    if (tool.type === "provider") {
      mapped.unsupported.push({ type: "unsupported", feature: `provider-defined tool ${tool.id}` });
      continue;
    }
    mapped.tools.push({
      type: "function",
      function: {
        name: tool.name,
        ...(tool.description ? { description: tool.description } : {}),
        parameters: tool.inputSchema,
        ...(tool.strict !== undefined ? { strict: tool.strict } : {}),
      },
    });
  }
  if (Object.isFrozen(callTools)) {
    Object.freeze(mapped.tools);
    chatTools.set(callTools, mapped);
  }
  return mapped;
}
