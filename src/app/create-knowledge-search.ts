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
      info: (...args: unknown[]) => logger.info(args.map(String).join(" ")),
      warn: (...args: unknown[]) => logger.warn(args.map(String).join(" ")),
    },
  });
  const { venues, tracks } = index.facets();
  return { search: index, facets: { venues, tracks } };
}
