import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { busyTimeoutMs } from "./group-commit-database.js";

/**
 * The worker's code. It is given as text (not a module path) so that it runs the same from the
 * compiled app, from `tsx` and under the test runner. Messages in: "checkpoint" (a pass follows
 * within `delayMs`, however many arrive meanwhile) and "close". Messages out: `{ done }` after each
 * pass, `{ failed }` when a checkpoint threw.
 *
 * A pass is one passive checkpoint while the WAL is short. Once the WAL holds `restartFrames` or
 * more, the pass repeats the checkpoint until one finds fewer than `catchUpFrames` new frames since
 * the last, and then reports `restartReady`: the writer can reset the WAL by copying only those.
 */
const workerSource = `
const { parentPort, workerData } = require("node:worker_threads");
const { DatabaseSync } = require(workerData.sqlitePath);
const database = new DatabaseSync(workerData.filename);
database.exec("PRAGMA busy_timeout = " + workerData.busyTimeoutMs);
const checkpoint = database.prepare("PRAGMA wal_checkpoint(PASSIVE)");
let timer;
function pass() {
  timer = undefined;
  try {
    let row = checkpoint.get();
    let restartReady = false;
    if (row.log >= workerData.restartFrames) {
      for (let rounds = 0; rounds < 50; rounds++) {
        const before = row.log;
        row = checkpoint.get();
        if (row.log - before < workerData.catchUpFrames) {
          restartReady = true;
          break;
        }
      }
    }
    parentPort.postMessage({ done: { log: row.log, restartReady } });
  } catch (error) {
    parentPort.postMessage({ failed: String(error && error.message ? error.message : error) });
  }
}
parentPort.on("message", (message) => {
  if (message === "close") {
    clearTimeout(timer);
    // What the writer committed before it closed goes into the database file now.
    try {
      checkpoint.get();
    } catch {}
    database.close();
    parentPort.close();
  } else if (timer === undefined) {
    timer = setTimeout(pass, workerData.delayMs);
  }
});
`;

type WorkerReply = { done: { log: number; restartReady: boolean } } | { failed: string };

export interface WalCheckpointerOptions {
  /** The database file (its `-wal` file is the one checkpointed). */
  filename: string;
  /**
   * How long commits gather after the first one before a checkpoint copies them (one at a time;
   * default 1 s). Shorter copies the same hot pages more often for no gain: measured with 100 ms,
   * voice CPU per turn rose by ≈ 0.1 ms.
   */
  delayMs?: number;
  /**
   * WAL length (frames, 4 KiB pages) past which the WAL is reset: passive checkpoints never reset
   * it while the writer keeps committing, so under steady writes it would grow without bound
   * (measured: 1.2 GB after 40 s of SMS at 14,000/s). Default 8,192 (32 MiB).
   */
  restartFrames?: number;
  /** A pass repeats its checkpoint until fewer frames than this arrived meanwhile (default 1,024). */
  catchUpFrames?: number;
  /**
   * The SQLite module the worker loads, the writer's own (tests pass one that fails): two copies of
   * SQLite in one process would not see each other's file locks.
   */
  sqlitePath?: string;
  /**
   * The checkpointer stopped working (its thread failed, or a checkpoint threw): the caller turns
   * SQLite's own automatic checkpoint back on, so the WAL cannot grow without bound.
   */
  onFailure: (error: Error) => void;
}

/**
 * Copies committed WAL frames into the database file from a worker thread with its own connection
 * (`PRAGMA wal_checkpoint(PASSIVE)`: it never waits for or blocks the writer). SQLite's automatic
 * checkpoint runs inside the COMMIT that crosses 1,000 pages, on the event loop: it copies pages and
 * fsyncs the WAL and the database file there, stalling every call for that long. The connection that
 * writes turns it off (`wal_autocheckpoint = 0`) and tells this one after each commit; idle, nothing
 * runs. Durability does not depend on it: a commit is on disk once the WAL is fsync'd
 * (`WalFileSync`), and a checkpoint syncs the WAL before it copies and the database file after.
 */
export class WalCheckpointer {
  private readonly worker: Worker;
  private requested = false;
  private closed = false;
  private failed = false;
  private completed = 0;
  private restartReady = false;
  private readonly exited: Promise<void>;
  private readonly doneWaiters: Array<() => void> = [];

  constructor(private readonly options: WalCheckpointerOptions) {
    const sqlitePath = options.sqlitePath ?? createRequire(import.meta.url).resolve("@photostructure/sqlite");
    this.worker = new Worker(workerSource, {
      eval: true,
      workerData: {
        filename: options.filename,
        sqlitePath,
        busyTimeoutMs,
        delayMs: options.delayMs ?? 1000,
        restartFrames: options.restartFrames ?? 8192,
        catchUpFrames: options.catchUpFrames ?? 1024,
      },
    });
    // The thread never keeps the process alive; a checkpoint cut short is redone at the next open.
    this.worker.unref();
    this.worker.on("message", (reply: WorkerReply) => this.receive(reply));
    this.worker.on("error", (error) => this.fail(error));
    this.exited = new Promise((resolve) => this.worker.once("exit", () => resolve()));
  }

  /** Checkpoints finished so far (tests read it). */
  get checkpoints(): number {
    return this.completed;
  }

  /**
   * True once, when the worker has copied all but the last few frames of a long WAL and is idle:
   * the writer then resets the WAL itself, right after a commit (`PRAGMA wal_checkpoint(RESTART)`:
   * it copies those frames and syncs, on the event loop, once per `restartFrames`).
   */
  takeRestart(): boolean {
    if (!this.restartReady || this.requested) return false;
    this.restartReady = false;
    return true;
  }

  /** A transaction was committed: a checkpoint follows within `delayMs` unless one is requested. */
  noteCommit(): void {
    if (this.requested || this.closed || this.failed) return;
    this.requested = true;
    this.worker.postMessage("checkpoint");
  }

  /** Resolves after the next checkpoint finishes (tests). */
  nextCheckpoint(): Promise<void> {
    return new Promise((resolve) => this.doneWaiters.push(resolve));
  }

  /** Checkpoints once more and closes the worker's connection; resolves when the thread has exited. */
  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      // Until it has exited, the thread keeps the process alive: otherwise a process with nothing
      // else to do ends before the last checkpoint, with whoever awaits this still waiting (an ES
      // module awaiting it at top level exits with code 13; seen under valgrind, where the thread
      // is slow).
      this.worker.ref();
      this.worker.postMessage("close");
    }
    return this.exited;
  }

  private receive(reply: WorkerReply): void {
    if ("failed" in reply) {
      this.fail(new Error(`WAL checkpoint failed: ${reply.failed}`));
      return;
    }
    this.requested = false;
    this.restartReady = reply.done.restartReady;
    this.completed++;
    for (const resolve of this.doneWaiters.splice(0)) resolve();
  }

  private fail(error: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.options.onFailure(error);
    if (!this.closed) {
      this.closed = true;
      this.worker.terminate().catch(() => undefined);
    }
  }
}
