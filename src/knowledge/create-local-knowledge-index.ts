import { type FSWatcher, watch } from "node:fs";
import { LRUCache } from "lru-cache";
import { SwitchboardError } from "../errors/switchboard-error.js";
import type { KnowledgeFilters, KnowledgeHit, KnowledgeSearch } from "../ports/knowledge-search.js";
import {
  buildKnowledgeSearchIndex,
  defaultKnowledgeSearchLimit,
  type KnowledgeFacets,
  type KnowledgeSearchIndex,
} from "./build-knowledge-search-index.js";
import { type KnowledgeLogger, silentKnowledgeLogger } from "./knowledge-logger.js";
import { loadKnowledgeDirectory } from "./load-knowledge-directory.js";

export interface LocalKnowledgeIndexOptions {
  /** Folder of `.md`, `.txt`, `.json` and `.csv` files (only files directly inside it are read). */
  directory: string;
  /** Rebuild the index when a file in the folder changes (debounced `fs.watch`). */
  watch?: boolean;
  /** Result cache; `false` turns it off. Default: 500 entries for 60 s. */
  cache?: { max: number; ttlMs: number } | false;
  /** Debounce for `watch`, in milliseconds. Default 200. */
  watchDebounceMs?: number;
  logger?: KnowledgeLogger;
}

export interface KnowledgeCacheStats {
  hits: number;
  misses: number;
  /** Entries in the cache now. */
  size: number;
  /** Completed rebuilds since creation (the first load not counted). */
  reloads: number;
}

export interface LocalKnowledgeIndex extends KnowledgeSearch {
  /** Records in the current index. */
  readonly size: number;
  /** Re-reads the folder, builds a new index and swaps it in; the old one serves until then. */
  reload(): Promise<void>;
  facets(): KnowledgeFacets;
  stats(): KnowledgeCacheStats;
}

const cacheKeyOf = (query: string, filters: KnowledgeFilters | undefined, limit: number): string => {
  const normalizedFilters = Object.entries(filters ?? {})
    .filter(([, value]) => value !== undefined && value !== "")
    .map(([key, value]) => [key, String(value).trim().toLowerCase()])
    .sort(([left], [right]) => String(left).localeCompare(String(right)));
  return JSON.stringify([query.trim().toLowerCase().replace(/\s+/g, " "), normalizedFilters, limit]);
};

/**
 * The local knowledge search: loads a folder into an in-memory BM25 index, caches results in a
 * bounded LRU with TTL (cleared on every reload), and with `watch: true` rebuilds ~200 ms after a
 * file changes. A failed rebuild is logged and the previous index keeps serving.
 * Cached results are shared between callers: treat returned hits as read-only.
 */
export async function createLocalKnowledgeIndex(
  options: LocalKnowledgeIndexOptions,
): Promise<LocalKnowledgeIndex> {
  const logger = options.logger ?? silentKnowledgeLogger;
  const cacheOptions = options.cache === undefined ? { max: 500, ttlMs: 60_000 } : options.cache;
  const cache = cacheOptions
    ? new LRUCache<string, KnowledgeHit[]>({ max: cacheOptions.max, ttl: cacheOptions.ttlMs })
    : undefined;
  const counters = { hits: 0, misses: 0, reloads: 0 };

  const build = async (): Promise<KnowledgeSearchIndex> => {
    let records: Awaited<ReturnType<typeof loadKnowledgeDirectory>>;
    try {
      records = await loadKnowledgeDirectory(options.directory, logger);
    } catch (error) {
      throw new SwitchboardError("KNOWLEDGE_DIRECTORY_UNREADABLE", `Cannot read ${options.directory}`, {
        cause: error,
      });
    }
    return buildKnowledgeSearchIndex(records, logger);
  };

  let current = await build();
  logger.info({ directory: options.directory, records: current.size }, "knowledge: index built");

  let queue: Promise<void> = Promise.resolve();
  const reload = (): Promise<void> => {
    const run = queue.then(async () => {
      const next = await build();
      current = next;
      cache?.clear();
      counters.reloads++;
      logger.info({ directory: options.directory, records: next.size }, "knowledge: index reloaded");
    });
    queue = run.catch(() => {});
    return run;
  };

  let watcher: FSWatcher | undefined;
  let debounceTimer: NodeJS.Timeout | undefined;
  if (options.watch) {
    const debounceMs = options.watchDebounceMs ?? 200;
    watcher = watch(options.directory, { persistent: false }, () => {
      clearTimeout(debounceTimer);
      debounceTimer = setTimeout(() => {
        reload().catch((error: unknown) =>
          logger.warn(
            { directory: options.directory, error: error instanceof Error ? error.message : String(error) },
            "knowledge: reload failed; keeping the previous index",
          ),
        );
      }, debounceMs);
    });
    watcher.on("error", (error) =>
      logger.warn({ directory: options.directory, error: error.message }, "knowledge: watch failed"),
    );
  }

  return {
    name: "local",
    get size() {
      return current.size;
    },
    async search(query, searchOptions = {}) {
      const limit = searchOptions.limit ?? defaultKnowledgeSearchLimit;
      if (!cache) return current.search(query, searchOptions);
      const key = cacheKeyOf(query, searchOptions.filters, limit);
      const cached = cache.get(key);
      if (cached) {
        counters.hits++;
        return cached;
      }
      counters.misses++;
      const hits = current.search(query, { ...searchOptions, limit });
      cache.set(key, hits);
      return hits;
    },
    async get(id) {
      return current.get(id);
    },
    facets: () => current.facets(),
    stats: () => ({ ...counters, size: cache?.size ?? 0 }),
    reload,
    async close() {
      clearTimeout(debounceTimer);
      watcher?.close();
      cache?.clear();
    },
  };
}
