/** One searchable record: a chunk of a document, or one structured record (a session, a venue…). */
export interface KnowledgeRecord {
  /** Stable source id, kept by replies and the timeline for grounding (e.g. `session:AIM301`). */
  id: string;
  /** `session`, `venue`, `event`, `faq`, `document`… */
  kind: string;
  title: string;
  text: string;
  /** Structured fields where the data has them: day, venue, track, level, startTime (HH:MM), endTime, speakers… */
  fields: Record<string, string | number>;
  /** Where it came from (file path or S3 URI). */
  source: string;
}

/** Structured filters; string comparisons are case-insensitive. */
export interface KnowledgeFilters {
  kind?: string;
  /** Weekday name, e.g. `Thursday`. */
  day?: string;
  venue?: string;
  track?: string;
  level?: string;
  /** `HH:MM`, inclusive: sessions starting at or after. */
  startsAfter?: string;
  /** `HH:MM`, inclusive: sessions starting at or before. */
  startsBefore?: string;
}

export interface KnowledgeHit {
  record: KnowledgeRecord;
  score: number;
  /** A short excerpt around the match. */
  snippet: string;
}

export interface KnowledgeSearchOptions {
  filters?: KnowledgeFilters;
  limit?: number;
}

/** Knowledge search port: the local index and Amazon Bedrock Knowledge Bases implement it. */
export interface KnowledgeSearch {
  readonly name: string;
  search(query: string, options?: KnowledgeSearchOptions): Promise<KnowledgeHit[]>;
  /** One record by id, when the backend can fetch by id (the local index can). */
  get(id: string): Promise<KnowledgeRecord | undefined>;
  close(): Promise<void>;
}
