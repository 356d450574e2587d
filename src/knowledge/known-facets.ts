import type { KnowledgeSearch } from "../ports/knowledge-search.js";
import type { KnowledgeFacets } from "./build-knowledge-search-index.js";

/**
 * The venues, tracks and days a search backend knows, for `extractKnowledgeFilters` and the
 * tool description. The local index reports them; other backends (Bedrock) give empty lists.
 */
export function knownFacets(search: KnowledgeSearch): KnowledgeFacets {
  const withFacets = search as KnowledgeSearch & { facets?: () => KnowledgeFacets };
  if (typeof withFacets.facets === "function") return withFacets.facets();
  return { venues: [], tracks: [], days: [] };
}
