import type { LanguageModelV3CallOptions, SharedV3Warning } from "@ai-sdk/provider";
import type {
  ConverseRequestBody,
  ConverseToolChoice,
  ConverseToolSpecification,
} from "./converse-api-types.js";
import { toConverseMessages } from "./to-converse-messages.js";

/**
 * The Converse request body for a call: messages and system, `inferenceConfig`, and `toolConfig`
 * from the function tools (`toolChoice: none` sends no tools, as Converse has no such choice).
 * Settings Converse has no field for are reported as warnings, not sent.
 */
export function toConverseRequest(options: LanguageModelV3CallOptions): {
  body: ConverseRequestBody;
  warnings: SharedV3Warning[];
} {
  const warnings: SharedV3Warning[] = [];
  const tools: ConverseToolSpecification[] = [];
  if (options.toolChoice?.type !== "none") {
    for (const tool of options.tools ?? []) {
      if (tool.type !== "function") {
        warnings.push({ type: "unsupported", feature: `provider tool ${tool.id}` });
        continue;
      }
      tools.push({
        toolSpec: {
          name: tool.name,
          ...(tool.description ? { description: tool.description } : {}),
          inputSchema: { json: tool.inputSchema },
        },
      });
    }
  }
  const { system, messages, droppedToolBlocks } = toConverseMessages(options.prompt, {
    withToolBlocks: tools.length > 0,
  });
  if (droppedToolBlocks) {
    warnings.push({
      type: "unsupported",
      feature: "tool calls and results without tools",
      details: "Bedrock rejects tool content when the request has no tools; it was left out.",
    });
  }

  const inferenceConfig: NonNullable<ConverseRequestBody["inferenceConfig"]> = {};
  if (options.maxOutputTokens !== undefined) inferenceConfig.maxTokens = options.maxOutputTokens;
  if (options.temperature !== undefined) inferenceConfig.temperature = options.temperature;
  if (options.topP !== undefined) inferenceConfig.topP = options.topP;
  if (options.stopSequences?.length) inferenceConfig.stopSequences = options.stopSequences;
  for (const feature of ["topK", "presencePenalty", "frequencyPenalty", "seed"] as const) {
    if (options[feature] !== undefined) warnings.push({ type: "unsupported", feature });
  }
  if (options.responseFormat?.type === "json") {
    warnings.push({
      type: "unsupported",
      feature: "responseFormat",
      details: "JSON mode is not sent to Bedrock",
    });
  }

  const body: ConverseRequestBody = { messages };
  if (system.length > 0) body.system = system;
  if (Object.keys(inferenceConfig).length > 0) body.inferenceConfig = inferenceConfig;
  if (tools.length > 0) {
    const toolChoice = toConverseToolChoice(options.toolChoice);
    body.toolConfig = toolChoice ? { tools, toolChoice } : { tools };
  }
  return { body, warnings };
}

function toConverseToolChoice(
  toolChoice: LanguageModelV3CallOptions["toolChoice"],
): ConverseToolChoice | undefined {
  switch (toolChoice?.type) {
    case "required":
      return { any: {} };
    case "tool":
      return { tool: { name: toolChoice.toolName } };
    case "auto":
      return { auto: {} };
    default:
      return undefined;
  }
}
