import {
  BedrockAgentRuntimeClient,
  type KnowledgeBaseRetrievalResult,
  type RetrievalFilter,
  RetrieveCommand,
} from "@aws-sdk/client-bedrock-agent-runtime";
import { SwitchboardError } from "../errors/switchboard-error.js";
import type {
  KnowledgeFilters,
  KnowledgeHit,
  KnowledgeRecord,
  KnowledgeSearch,
} from "../ports/knowledge-search.js";
import { makeSnippet } from "./make-snippet.js";
import { compileKnowledgeFilters } from "./matches-knowledge-filters.js";
import { primitiveFieldsOf } from "./record-from-object.js";

export interface BedrockKnowledgeBaseOptions {
  knowledgeBaseId: string;
  /** Default `us-east-1`; ignored when `client` is given. */
  region?: string;
  /** Custom endpoint (a local fake in tests); ignored when `client` is given. */
  endpoint?: string;
  client?: BedrockAgentRuntimeClient;
  /** Results asked for when a search gives no `limit`. Default 5. */
  numberOfResults?: number;
}

/** Metadata keys sent as `equals` filters; the data source's metadata files must use these names. */
const filterKeys = ["day", "venue", "track", "level"] as const;

/** `thursday` → `Thursday`: Bedrock's `equals` is case-sensitive and the sample metadata is title case. */
const titleCase = (value: string): string => value.charAt(0).toUpperCase() + value.slice(1).toLowerCase();

/** The Bedrock `RetrievalFilter` for day/venue/track/level, or undefined when none is set. */
export function toBedrockRetrievalFilter(filters: KnowledgeFilters | undefined): RetrievalFilter | undefined {
  const conditions: RetrievalFilter[] = [];
  for (const key of filterKeys) {
    const raw = filters?.[key]?.trim();
    if (!raw) continue;
    const value = key === "day" ? titleCase(raw) : key === "level" && /^\d+$/.test(raw) ? Number(raw) : raw;
    conditions.push({ equals: { key, value } });
  }
  if (conditions.length === 0) return undefined;
  return conditions.length === 1 ? conditions[0] : { andAll: conditions };
}

const locationUri = (result: KnowledgeBaseRetrievalResult): string | undefined => {
  const location = result.location;
  return (
    location?.s3Location?.uri ??
    location?.webLocation?.url ??
    location?.confluenceLocation?.url ??
    location?.sharePointLocation?.url ??
    location?.salesforceLocation?.url ??
    location?.customDocumentLocation?.id
  );
};

const isRetryable = (error: unknown): boolean => {
  const details = error as { $retryable?: unknown; $metadata?: { httpStatusCode?: number }; name?: string };
  const status = details.$metadata?.httpStatusCode ?? 0;
  return (
    Boolean(details.$retryable) || status === 429 || status >= 500 || details.name === "ThrottlingException"
  );
};

/**
 * Knowledge search backed by Amazon Bedrock Knowledge Bases (`Retrieve` API, vector search).
 * Day, venue, track and level become metadata `equals` filters (`andAll` when several); kind and
 * the start-time range are not expressible there, so they are applied to the returned results
 * (fewer than `limit` may come back). An empty query with filters searches for the filter values.
 * `get(id)` is not supported by the Retrieve API and always resolves to undefined.
 */
export function createBedrockKnowledgeBase(options: BedrockKnowledgeBaseOptions): KnowledgeSearch {
  const ownsClient = !options.client;
  const client =
    options.client ??
    new BedrockAgentRuntimeClient({
      region: options.region ?? "us-east-1",
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    });
  const defaultCount = options.numberOfResults ?? 5;

  const toRecord = (result: KnowledgeBaseRetrievalResult, index: number): KnowledgeRecord => {
    const metadata = (result.metadata ?? {}) as Record<string, unknown>;
    const fields = primitiveFieldsOf(
      Object.fromEntries(Object.entries(metadata).filter(([key]) => !key.startsWith("x-amz-bedrock-kb-"))),
    );
    const uri = locationUri(result);
    const id =
      typeof metadata.id === "string" && metadata.id
        ? metadata.id
        : (uri ?? `bedrock:${options.knowledgeBaseId}#${index + 1}`);
    const title =
      typeof metadata.title === "string" && metadata.title
        ? metadata.title
        : (uri?.split("/").filter(Boolean).at(-1) ?? id);
    return {
      id,
      kind: typeof metadata.kind === "string" && metadata.kind ? metadata.kind : "document",
      title,
      text: result.content?.text ?? "",
      fields,
      source: uri ?? `bedrock:${options.knowledgeBaseId}`,
    };
  };

  return {
    name: "bedrock",
    async search(query, searchOptions = {}) {
      const filter = toBedrockRetrievalFilter(searchOptions.filters);
      const text =
        query.trim() ||
        Object.values(searchOptions.filters ?? {})
          .filter(Boolean)
          .join(" ");
      if (!text) return [];
      const numberOfResults = Math.max(1, Math.min(100, Math.floor(searchOptions.limit ?? defaultCount)));
      let results: KnowledgeBaseRetrievalResult[];
      try {
        const response = await client.send(
          new RetrieveCommand({
            knowledgeBaseId: options.knowledgeBaseId,
            retrievalQuery: { text },
            retrievalConfiguration: {
              vectorSearchConfiguration: { numberOfResults, ...(filter ? { filter } : {}) },
            },
          }),
        );
        results = response.retrievalResults ?? [];
      } catch (error) {
        throw new SwitchboardError("KNOWLEDGE_SEARCH_FAILED", "Bedrock knowledge base retrieval failed", {
          cause: error,
          retryable: isRetryable(error),
          statusCode: 502,
        });
      }
      const matches = compileKnowledgeFilters(searchOptions.filters);
      const terms = query.split(/\s+/).filter((word) => word.length > 2);
      const hits: KnowledgeHit[] = [];
      results.forEach((result, index) => {
        const record = toRecord(result, index);
        if (matches && !matches(record)) return;
        hits.push({ record, score: result.score ?? 0, snippet: makeSnippet(record.text, terms) });
      });
      return hits;
    },
    /** Not supported: the Retrieve API cannot fetch a chunk by id. */
    async get() {
      return undefined;
    },
    async close() {
      if (ownsClient) client.destroy();
    },
  };
}
