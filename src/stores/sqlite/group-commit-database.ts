import type { DatabaseSyncInstance, StatementSyncInstance } from "@photostructure/sqlite";
import type { WalCheckpointer } from "./wal-checkpointer.js";
import type { WalFileSync } from "./wal-file-sync.js";

/** The statement methods the stores use. */
export interface SqliteStatement {
  run(...parameters: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  get(...parameters: unknown[]): unknown;
  all(...parameters: unknown[]): unknown[];
}

type Statement = StatementSyncInstance;

/** How long a statement waits for another process's lock (set at open). */
export const busyTimeoutMs = 5000;

const writePattern = /^\s*(INSERT|UPDATE|DELETE|REPLACE)\b/i;

/**
 * The parameters as SQLite binds them: positional values, or one object of named ones. An array
 * among them is spread in place (`get([a, b])` binds as `get(a, b)`), as the better-sqlite3 family
 * of APIs does; a Buffer or Uint8Array stays one BLOB value.
 */
function bindable(parameters: unknown[]): unknown[] {
  return parameters.some(Array.isArray) ? parameters.flat() : parameters;
}

/**
 * Rolls back the open transaction, if any, after a failed statement. SQLite rolls some failures
 * back by itself (a full disk, an I/O error); a `ROLLBACK` then would throw "no transaction is
 * active" and hide the error that matters, so the rollback's own failure is ignored.
 */
export function rollBackIfOpen(connection: DatabaseSyncInstance): void {
  try {
    if (connection.isTransaction) connection.exec("ROLLBACK");
  } catch {}
}

/**
 * Group commit over one SQLite connection (`node:sqlite`'s `DatabaseSync` API). Every write joins
 * one open transaction (`BEGIN IMMEDIATE` on the first write). It is committed at the end of the
 * event-loop turn in which someone calls `flush()`, or at the latest `lazyCommitDelayMs` after it
 * began — so a voice transcript's appends, which nobody waits for, share a commit with the other
 * calls' appends instead of paying one each. The WAL is fsync'd off the event loop for waiters (`WalFileSync`).
 * A write is visible at once to the next statement; it is durable when `flush()` resolves. Code
 * with an effect outside the process (answering a webhook, calling a provider) awaits `flush()`
 * first, so nothing is acknowledged or sent before it is on disk, and concurrent requests share
 * one commit and one fsync instead of paying one each. See docs/decisions/0005-sqlite-group-commit.md.
 */
export class GroupCommitDatabase {
  private transactionOpen = false;
  private immediateCommitScheduled = false;
  private lazyCommitTimer: NodeJS.Timeout | undefined;
  private readonly begin: Statement;
  private readonly commit: Statement;
  private savepointDepth = 0;
  private readonly savepoints: Array<{ begin: Statement; release: Statement; rollback: Statement }> = [];
  private restartStatement: Statement | undefined;
  /** Writes waiting to run, back to back, right before the next commit (`deferWrite`). */
  private deferredWrites: Array<(beginFailure?: unknown) => void> = [];
  /** Writes held back for a batch, run before any other statement or commit (`batchWrite`). */
  private batchedWrites: Array<() => void> = [];
  private batchTimer: NodeJS.Timeout | undefined;
  /** WAL resets done by this connection (tests and benchmarks read it). */
  walRestarts = 0;

  constructor(
    private readonly connection: DatabaseSyncInstance,
    private readonly walSync: WalFileSync,
    /**
     * How long writes nobody waits for may gather before they are committed. 100 ms rather than
     * 20: a call's hot pages are then written to the WAL once per 100 ms instead of five times
     * (voice CPU per turn at C = 1000: 0.43–0.54 → 0.41–0.44 ms, docs/performance.md).
     */
    private readonly lazyCommitDelayMs = 100,
    /** Checkpoints the WAL off the event loop; told after each commit (none for `:memory:`). */
    readonly checkpointer?: WalCheckpointer,
  ) {
    this.begin = connection.prepare("BEGIN IMMEDIATE");
    this.commit = connection.prepare("COMMIT");
  }

  /** Transactions committed since open (tests and benchmarks read it). */
  get commits(): number {
    return this.walSync.committedCount;
  }

  get open(): boolean {
    return this.connection.isOpen;
  }

  /**
   * Prepares once; write statements open the group transaction before they run, and any statement
   * runs the batched writes first (`batchWrite`).
   */
  prepare(sql: string): SqliteStatement {
    const statement = this.connection.prepare(sql);
    const before = writePattern.test(sql) ? () => this.beginWrite() : () => this.runBatchedWrites();
    return {
      run: (...parameters) => {
        before();
        return statement.run(...bindable(parameters));
      },
      get: (...parameters) => {
        before();
        return statement.get(...bindable(parameters));
      },
      all: (...parameters) => {
        before();
        return statement.all(...bindable(parameters));
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
      const savepoint = this.savepointAt(this.savepointDepth++);
      savepoint.begin.run();
      try {
        const result = body(...parameters);
        savepoint.release.run();
        return result;
      } catch (error) {
        savepoint.rollback.run();
        savepoint.release.run();
        throw error;
      } finally {
        this.savepointDepth--;
      }
    };
  }

  /**
   * Runs `write` right before the next commit, back to back with the other deferred writes, and
   * asks for that commit at once. Resolves with its result once it has run (durable, like any write,
   * when `flush()` resolves); rejects with its error. For writes many concurrent requests make
   * one each (the inbox insert of a webhook): run one at a time between requests, an insert costs
   * ≈ 3 times what it costs among others like it, with SQLite's code and pages still in the CPU's
   * caches (docs/performance.md).
   */
  deferWrite<Result>(write: () => Result): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.deferredWrites.push((beginFailure) => {
        if (beginFailure !== undefined) {
          reject(beginFailure);
          return;
        }
        try {
          resolve(write());
        } catch (error) {
          reject(error);
        }
      });
      this.scheduleImmediateCommit();
    });
  }

  /**
   * Holds `write` back for a batch: it runs back to back with the other batched writes before any
   * other statement runs or commits, or when `runBatchedWrites` is called, and at the latest
   * `lazyCommitDelayMs` after the first of them was held back; then they are committed with the
   * lazy commit. A write held back is seen by everything after it; only its cost moves. For
   * writes nobody waits for (a voice transcript's appends): one at a time between a call's turns,
   * an append costs 2–5 times what it costs among others (docs/performance.md). Resolves with its
   * result once it has run; rejects with its error.
   */
  batchWrite<Result>(write: () => Result): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.batchedWrites.push(() => {
        try {
          resolve(write());
        } catch (error) {
          reject(error);
        }
      });
      this.batchTimer ??= setTimeout(this.commitNow, this.lazyCommitDelayMs);
    });
  }

  /** Runs the writes held back for a batch now (someone waits for one of them). */
  runBatchedWrites(): void {
    if (this.batchedWrites.length === 0) return;
    clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    const writes = this.batchedWrites;
    this.batchedWrites = [];
    for (const write of writes) write();
  }

  /** Resolves once everything written so far is committed and on disk. */
  flush(): Promise<void> {
    this.runBatchedWrites();
    if (this.transactionOpen) this.scheduleImmediateCommit();
    const committed = this.walSync.committedCount;
    return this.walSync.waitFor(this.transactionOpen ? committed + 1 : committed);
  }

  /**
   * Commits what is open, syncs it and closes the connection at once; resolves when the
   * checkpointer has copied the WAL into the database file and closed too.
   */
  close(): Promise<void> {
    if (this.connection.isOpen) {
      this.commitNow();
      this.walSync.syncNowAndClose();
      this.connection.close();
    }
    return this.checkpointer?.close() ?? Promise.resolve();
  }

  /**
   * Turns SQLite's own automatic checkpoint (in COMMIT, on the event loop) off when a checkpointer
   * does the work, or back on when it has stopped.
   */
  setAutomaticCheckpoint(enabled: boolean): void {
    if (this.connection.isOpen) this.connection.exec(`PRAGMA wal_autocheckpoint = ${enabled ? 1000 : 0}`);
  }

  /** Prepared once per nesting depth: a prepared SAVEPOINT costs a fraction of an `exec`. */
  private savepointAt(depth: number): { begin: Statement; release: Statement; rollback: Statement } {
    let savepoint = this.savepoints[depth];
    if (!savepoint) {
      const name = `write_${depth}`;
      savepoint = {
        begin: this.connection.prepare(`SAVEPOINT ${name}`),
        release: this.connection.prepare(`RELEASE ${name}`),
        rollback: this.connection.prepare(`ROLLBACK TO ${name}`),
      };
      this.savepoints[depth] = savepoint;
    }
    return savepoint;
  }

  private beginWrite(): void {
    this.runBatchedWrites();
    if (this.transactionOpen) return;
    this.begin.run();
    this.transactionOpen = true;
    this.lazyCommitTimer = setTimeout(this.commitNow, this.lazyCommitDelayMs);
  }

  /**
   * Commits at the end of this turn of the event loop — or, while an fsync is running, as soon as
   * it finishes: a commit made during the fsync could not be acknowledged before the next fsync
   * anyway, so every write of that time joins one commit (fewer WAL frames written, same latency).
   */
  private scheduleImmediateCommit(): void {
    if (this.immediateCommitScheduled) return;
    this.immediateCommitScheduled = true;
    setImmediate(this.commitWhenSyncIdle);
  }

  private readonly commitWhenSyncIdle = (): void => {
    this.walSync.whenIdle(() => {
      this.immediateCommitScheduled = false;
      this.commitNow();
    });
  };

  private readonly commitNow = (): void => {
    this.runBatchedWrites();
    this.runDeferredWrites();
    if (!this.transactionOpen) return;
    this.transactionOpen = false;
    clearTimeout(this.lazyCommitTimer);
    try {
      this.commit.run();
    } catch (error) {
      // A failed COMMIT (disk full, I/O error) loses the whole group: nobody was told it was kept.
      rollBackIfOpen(this.connection);
      this.walSync.failNext(error);
      return;
    }
    this.walSync.markCommitted();
    if (this.checkpointer?.takeRestart()) this.restartWal();
    this.checkpointer?.noteCommit();
  };

  private runDeferredWrites(): void {
    if (this.deferredWrites.length === 0) return;
    const writes = this.deferredWrites;
    this.deferredWrites = [];
    let beginFailure: unknown;
    try {
      if (!this.connection.isOpen) throw new Error("The SQLite database is closed");
      this.beginWrite();
    } catch (error) {
      beginFailure = error ?? new Error("BEGIN failed");
    }
    for (const write of writes) write(beginFailure);
  }

  /**
   * Resets a long WAL once the checkpointer has copied nearly all of it: only this connection
   * writes, so right after its commit no writer holds the lock. It does not wait for anyone (busy
   * timeout 0 for the call): when another connection is still reading the WAL, the reset is left
   * for the checkpointer's next pass (the WAL only stays longer meanwhile).
   */
  private restartWal(): void {
    this.restartStatement ??= this.connection.prepare("PRAGMA wal_checkpoint(RESTART)");
    try {
      this.connection.exec("PRAGMA busy_timeout = 0");
      const row = this.restartStatement.get() as { busy: number } | undefined;
      if (row?.busy === 0) this.walRestarts++;
    } catch {
    } finally {
      this.connection.exec(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
    }
  }
}
