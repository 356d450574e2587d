import type Database from "libsql";

/** The statement methods the stores use. */
export interface SqliteStatement {
  run(...parameters: unknown[]): Database.RunResult;
  get(...parameters: unknown[]): unknown;
  all(...parameters: unknown[]): unknown[];
}

const writePattern = /^\s*(INSERT|UPDATE|DELETE|REPLACE)\b/i;

/**
 * Group commit over one libsql connection. Every write joins one open transaction (`BEGIN
 * IMMEDIATE` on the first write of an event-loop turn); it is committed — and, with
 * `synchronous = FULL`, fsync'd — once, on `setImmediate`, for everything written in that turn.
 * A write is visible at once to the next statement; it is durable after `flush()` resolves. Code
 * with an effect outside the process (answering a webhook, calling a provider) awaits `flush()`
 * first, so nothing is acknowledged or sent before it is on disk, and concurrent requests share
 * one fsync instead of paying one each. See docs/decisions/0005-sqlite-group-commit.md.
 */
export class GroupCommitDatabase {
  private transactionOpen = false;
  private commitScheduled = false;
  private waiters: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  private savepointDepth = 0;
  /** Transactions committed since open (tests and benchmarks read it). */
  commits = 0;

  constructor(private readonly connection: Database.Database) {}

  get open(): boolean {
    return this.connection.open;
  }

  /** Prepares once; write statements open the group transaction before they run. */
  prepare(sql: string): SqliteStatement {
    const statement = this.connection.prepare(sql);
    if (!writePattern.test(sql)) return statement;
    return {
      run: (...parameters) => {
        this.beginWrite();
        return statement.run(...parameters);
      },
      get: (...parameters) => {
        this.beginWrite();
        return statement.get(...parameters);
      },
      all: (...parameters) => {
        this.beginWrite();
        return statement.all(...parameters);
      },
    };
  }

  /** Statements outside the group (pragmas, migrations); commits what is open first. */
  exec(sql: string): void {
    this.commitNow();
    this.connection.exec(sql);
  }

  /**
   * Wraps `body` so that its statements apply all together or not at all: a savepoint inside the
   * group transaction (a thrown error rolls back only this body).
   */
  transaction<Arguments extends unknown[], Result>(
    body: (...parameters: Arguments) => Result,
  ): (...parameters: Arguments) => Result {
    return (...parameters) => {
      this.beginWrite();
      const name = `write_${this.savepointDepth++}`;
      this.connection.exec(`SAVEPOINT ${name}`);
      try {
        const result = body(...parameters);
        this.connection.exec(`RELEASE ${name}`);
        return result;
      } catch (error) {
        this.connection.exec(`ROLLBACK TO ${name}`);
        this.connection.exec(`RELEASE ${name}`);
        throw error;
      } finally {
        this.savepointDepth--;
      }
    };
  }

  /** Resolves once everything written so far is committed (at once when nothing is pending). */
  flush(): Promise<void> {
    if (!this.transactionOpen) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Commits what is open and closes the connection. */
  close(): void {
    if (!this.connection.open) return;
    this.commitNow();
    this.connection.close();
  }

  private beginWrite(): void {
    if (this.transactionOpen) return;
    this.connection.exec("BEGIN IMMEDIATE");
    this.transactionOpen = true;
    if (!this.commitScheduled) {
      this.commitScheduled = true;
      setImmediate(() => {
        this.commitScheduled = false;
        this.commitNow();
      });
    }
  }

  private commitNow(): void {
    if (!this.transactionOpen) return;
    const waiters = this.waiters;
    this.waiters = [];
    this.transactionOpen = false;
    try {
      this.connection.exec("COMMIT");
      this.commits++;
    } catch (error) {
      // A failed COMMIT (disk full, I/O error) loses the whole group: nobody was told it was kept.
      try {
        if (this.connection.inTransaction) this.connection.exec("ROLLBACK");
      } catch {}
      for (const waiter of waiters) waiter.reject(error);
      return;
    }
    for (const waiter of waiters) waiter.resolve();
  }
}
