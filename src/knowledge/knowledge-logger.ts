/** The small logger surface the knowledge module needs (pino and `console` both fit). */
export interface KnowledgeLogger {
  info(...values: unknown[]): void;
  warn(...values: unknown[]): void;
}

export const silentKnowledgeLogger: KnowledgeLogger = { info() {}, warn() {} };
