import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Config } from "../config/config.js";
import { createLocalKnowledgeIndex } from "../knowledge/create-local-knowledge-index.js";
import type { Logger } from "../observability/logger.js";
import type { KnowledgeSearch } from "../ports/knowledge-search.js";

/** The bundled sample knowledge set (a conference week; sample data, not an official agenda). */
export const bundledKnowledgeDirectory = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../knowledge",
);

/** The configured knowledge search and the facets (venues, tracks) the tools and prompts name. */
export async function createKnowledgeSearch(
  config: Readonly<Config>,
  logger: Logger,
): Promise<{ search: KnowledgeSearch; facets: { venues: string[]; tracks: string[] } } | undefined> {
  const knowledge = config.knowledge;
  if (knowledge.provider === "none") return undefined;
  if (knowledge.provider === "bedrock") {
    const { createBedrockKnowledgeBase } = await import("../knowledge/create-bedrock-knowledge-base.js");
    const search = createBedrockKnowledgeBase({
      knowledgeBaseId: knowledge.bedrockKnowledgeBaseId ?? "",
      ...(config.llm.awsRegion ? { region: config.llm.awsRegion } : {}),
      ...(knowledge.bedrockEndpoint ? { endpoint: knowledge.bedrockEndpoint } : {}),
    });
    return { search, facets: { venues: [], tracks: [] } };
  }
  const index = await createLocalKnowledgeIndex({
    directory: knowledge.directory ?? bundledKnowledgeDirectory,
    watch: knowledge.watch,
    logger: {
      info: (...values: unknown[]) => logger.info(...asPinoArguments(values)),
      warn: (...values: unknown[]) => logger.warn(...asPinoArguments(values)),
    },
  });
  const { venues, tracks } = index.facets();
  return { search: index, facets: { venues, tracks } };
}

/** `(fields, message)` as pino takes it; a call without a leading object becomes one message. */
function asPinoArguments(values: unknown[]): [object, string] {
  const [first, ...rest] = values;
  if (first !== null && typeof first === "object" && !(first instanceof Error)) {
    return [first, rest.map(String).join(" ")];
  }
  if (first instanceof Error) return [{ err: first }, rest.map(String).join(" ")];
  return [{}, values.map(String).join(" ")];
}
