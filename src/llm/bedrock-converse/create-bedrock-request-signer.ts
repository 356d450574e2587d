import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentityProvider } from "@smithy/types";
import { NodeSha256 } from "./node-sha256.js";

export interface BedrockRequestSigner {
  /** The headers of a signed `POST url` with this JSON body (SigV4, service `bedrock`). */
  signPost(url: URL, body: string, headers: Record<string, string>): Promise<Record<string, string>>;
}

/**
 * SigV4 for Bedrock Runtime with `@smithy/signature-v4` (what the AWS SDK uses): signs `host`,
 * `x-amz-date`, the content headers and `x-amz-content-sha256`, adds `x-amz-security-token` for
 * temporary credentials. The credential provider is asked on every call (it caches and refreshes).
 */
export function createBedrockRequestSigner(options: {
  region: string;
  credentials: AwsCredentialIdentityProvider;
}): BedrockRequestSigner {
  const signer = new SignatureV4({
    service: "bedrock",
    region: options.region,
    credentials: options.credentials,
    sha256: NodeSha256,
  });
  return {
    async signPost(url, body, headers) {
      const signed = await signer.sign({
        method: "POST",
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        path: url.pathname,
        query: {},
        headers: { ...headers, host: url.host },
        body,
      });
      return signed.headers;
    },
  };
}
