import {
  APICallError,
  EmptyResponseBodyError,
  type LanguageModelV3,
  type LanguageModelV3CallOptions,
} from "@ai-sdk/provider";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { ConfigError } from "../../errors/config-error.js";
import type { DirectStreamModel } from "../../ports/direct-stream-model.js";
import { abortReason } from "../stream-parts.js";
import type { ConverseRequestBody, ConverseResponseBody } from "./converse-api-types.js";
import { createBedrockRequestSigner } from "./create-bedrock-request-signer.js";
import { mapConverseStopReason } from "./map-converse-stop-reason.js";
import { toBedrockHttpError } from "./to-bedrock-api-call-error.js";
import {
  type ConversePartStreamOptions,
  streamConverseParts,
  toConversePartStream,
} from "./to-converse-part-stream.js";
import { toConverseRequest } from "./to-converse-request.js";
import { toGenerateContent } from "./to-generate-content.js";
import { toLanguageModelUsage } from "./to-language-model-usage.js";

export interface BedrockConverseModelOptions {
  region: string;
  /** e.g. `amazon.nova-lite-v1:0` or an inference profile such as `us.anthropic.claude-…`. */
  modelId: string;
  /** Resolves (and refreshes) the credentials every request is signed with. */
  credentials: AwsCredentialIdentityProvider;
  /** Base URL instead of `https://bedrock-runtime.{region}.amazonaws.com` (fakes, VPC endpoints). */
  endpoint?: string | undefined;
  fetch?: typeof fetch | undefined;
}

/**
 * A `LanguageModelV3` on the Bedrock Runtime Converse API with nothing but `fetch`, SigV4 signing
 * and an event-stream decoder: `doStream` calls `POST /model/{modelId}/converse-stream`,
 * `doGenerate` calls `POST /model/{modelId}/converse`. Failures (HTTP errors, exception frames,
 * unreachable endpoint) are `APICallError`s with `isRetryable` set the Bedrock way.
 */
export function createBedrockConverseModel(options: BedrockConverseModelOptions): DirectStreamModel {
  const endpoint = (options.endpoint ?? `https://bedrock-runtime.${options.region}.amazonaws.com`).replace(
    /\/+$/,
    "",
  );
  const modelUrl = `${endpoint}/model/${encodeURIComponent(options.modelId)}`;
  const streamUrl = new URL(`${modelUrl}/converse-stream`);
  const generateUrl = new URL(`${modelUrl}/converse`);
  const signer = createBedrockRequestSigner({ region: options.region, credentials: options.credentials });

  async function post(
    url: URL,
    body: ConverseRequestBody,
    accept: string,
    call: { abortSignal?: AbortSignal | undefined; headers?: Record<string, string | undefined> | undefined },
  ): Promise<Response> {
    const signal = call.abortSignal;
    if (signal?.aborted) throw abortReason(signal);
    const bodyText = JSON.stringify(body);
    const headers: Record<string, string> = { "content-type": "application/json", accept };
    for (const [name, value] of Object.entries(call.headers ?? {})) {
      if (value !== undefined) headers[name.toLowerCase()] = value;
    }
    const signedHeaders = await signer.signPost(url, bodyText, headers);
    if (signal?.aborted) throw abortReason(signal);
    let response: Response;
    try {
      response = await (options.fetch ?? globalThis.fetch)(url, {
        method: "POST",
        headers: signedHeaders,
        body: bodyText,
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new APICallError({
        message: `Cannot reach Bedrock at ${url.origin}: ${error instanceof Error ? error.message : String(error)}`,
        url: url.href,
        requestBodyValues: body,
        cause: error,
        isRetryable: true,
      });
    }
    if (!response.ok) throw await toBedrockHttpError(response, { url: url.href, requestBody: body });
    return response;
  }

  /** Sends a ConverseStream request; the answer's body is read by the caller. */
  async function postStream(callOptions: LanguageModelV3CallOptions) {
    const { body, warnings } = toConverseRequest(callOptions);
    const response = await post(streamUrl, body, "application/vnd.amazon.eventstream", callOptions);
    if (!response.body) throw new EmptyResponseBodyError({});
    const partOptions: ConversePartStreamOptions = {
      warnings,
      modelId: options.modelId,
      requestId: response.headers.get("x-amzn-requestid") ?? undefined,
      url: streamUrl.href,
      requestBody: body,
      abortSignal: callOptions.abortSignal,
    };
    return { body: response.body, partOptions, request: body };
  }

  return {
    specificationVersion: "v3",
    provider: "amazon-bedrock.converse",
    modelId: options.modelId,
    supportedUrls: {},

    async doStream(callOptions) {
      const answer = await postStream(callOptions);
      return {
        stream: toConversePartStream(answer.body, answer.partOptions),
        request: { body: answer.request },
      };
    },

    async doStreamTo(callOptions, onPart) {
      const answer = await postStream(callOptions);
      await streamConverseParts(answer.body, answer.partOptions, onPart);
    },

    async doGenerate(callOptions) {
      const { body, warnings } = toConverseRequest(callOptions);
      const response = await post(generateUrl, body, "application/json", callOptions);
      const answer = (await response.json()) as ConverseResponseBody;
      const requestId = response.headers.get("x-amzn-requestid") ?? undefined;
      return {
        content: toGenerateContent(answer.output?.message?.content ?? []),
        finishReason: mapConverseStopReason(answer.stopReason),
        usage: toLanguageModelUsage(answer.usage),
        warnings,
        request: { body },
        response: { ...(requestId ? { id: requestId } : {}), modelId: options.modelId, body: answer },
      };
    },
  };
}

/**
 * The lean Bedrock model as the app builds it: credentials from the AWS default chain
 * (environment, SSO, shared files, container and instance roles), whose package is loaded only
 * here so start-up does not pay for it when another provider is configured.
 */
export async function createLeanBedrockModel(
  settings: { region: string | undefined; modelId: string; endpoint?: string | undefined },
  dependencies: { fetch?: typeof fetch | undefined } = {},
): Promise<LanguageModelV3> {
  if (!settings.region) {
    throw new ConfigError("Invalid environment variable AWS_REGION: required for bedrock", "AWS_REGION");
  }
  const { defaultProvider } = await import("@aws-sdk/credential-provider-node");
  return createBedrockConverseModel({
    region: settings.region,
    modelId: settings.modelId,
    credentials: defaultProvider(),
    endpoint: settings.endpoint,
    fetch: dependencies.fetch,
  });
}
