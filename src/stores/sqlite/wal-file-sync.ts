import { closeSync, fsync, fsyncSync, openSync } from "node:fs";
import path from "node:path";

type Fsync = (descriptor: number) => Promise<void>;

const fsyncInThreadPool: Fsync = (descriptor) =>
  new Promise((resolve, reject) => fsync(descriptor, (error) => (error ? reject(error) : resolve())));

interface Waiter {
  target: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Makes committed WAL transactions durable off the event loop. With `synchronous = NORMAL` a WAL
 * commit writes its frames to the OS without fsync; this fsyncs the `-wal` file in libuv's thread
 * pool — what `synchronous = FULL` does inside COMMIT, where it would block every request for the
 * length of the disk flush. Commits are numbered; a waiter resolves once an fsync that started
 * after its commit has finished, and one fsync covers every commit made before it started. Commits
 * nobody waits for are not synced on their own (SQLite syncs the WAL at each checkpoint).
 */
export class WalFileSync {
  private committed = 0;
  private synced = 0;
  private syncing = false;
  private waiters: Waiter[] = [];
  private descriptor: number | undefined;
  private closeWhenIdle = false;
  private idleCallbacks: Array<() => void> = [];

  constructor(
    /** The `-wal` file; undefined for an in-memory database (nothing to sync). */
    private readonly walPath: string | undefined,
    private readonly fsyncFile: Fsync = fsyncInThreadPool,
  ) {}

  /** Commits made so far. */
  get committedCount(): number {
    return this.committed;
  }

  /**
   * Calls `callback` once the fsync in flight has finished (its waiters already told), before the
   * next one starts; at once when none runs.
   */
  whenIdle(callback: () => void): void {
    if (this.syncing) this.idleCallbacks.push(callback);
    else callback();
  }

  /** Commits known to be on disk. */
  get syncedCount(): number {
    return this.synced;
  }

  /** A transaction was committed; it is synced when someone waits for it. */
  markCommitted(): void {
    this.committed++;
    if (!this.walPath) this.synced = this.committed;
    this.settle();
    this.syncIfAwaited();
  }

  /**
   * Resolves once commit number `target` (counting from 1) is on disk. Only waiting starts an
   * fsync: writes nobody acknowledges (a voice transcript) ride along with the next one or with
   * SQLite's checkpoint instead of paying a disk flush each.
   */
  waitFor(target: number): Promise<void> {
    if (this.synced >= target) return Promise.resolve();
    const waiting = new Promise<void>((resolve, reject) => this.waiters.push({ target, resolve, reject }));
    this.syncIfAwaited();
    return waiting;
  }

  /** The commit after `this.committedCount` failed: everyone waiting for it is told. */
  failNext(error: unknown): void {
    const failed = this.waiters.filter((waiter) => waiter.target > this.committed);
    this.waiters = this.waiters.filter((waiter) => waiter.target <= this.committed);
    for (const waiter of failed) waiter.reject(error);
  }

  /** Syncs everything committed, synchronously (at close), and releases the file. */
  syncNowAndClose(): void {
    if (this.walPath && this.synced < this.committed) {
      fsyncSync(this.openDescriptor());
      this.synced = this.committed;
    }
    this.settle();
    if (this.syncing) this.closeWhenIdle = true;
    else this.closeDescriptor();
  }

  private syncIfAwaited(): void {
    if (this.waiters.some((waiter) => waiter.target <= this.committed)) this.startSync();
  }

  private startSync(): void {
    if (this.syncing || this.synced >= this.committed || !this.walPath) return;
    this.syncing = true;
    const covering = this.committed;
    let descriptor: number;
    try {
      descriptor = this.openDescriptor();
    } catch (error) {
      this.syncing = false;
      this.rejectUpTo(covering, error);
      return;
    }
    this.fsyncFile(descriptor).then(
      () => {
        this.synced = Math.max(this.synced, covering);
        this.finishSync();
      },
      (error: unknown) => {
        // An fsync error means the kernel may have dropped the pages: nobody is told "kept".
        this.rejectUpTo(covering, error);
        this.finishSync();
      },
    );
  }

  private finishSync(): void {
    this.syncing = false;
    this.settle();
    const idle = this.idleCallbacks;
    this.idleCallbacks = [];
    for (const callback of idle) callback();
    if (this.closeWhenIdle) {
      this.closeDescriptor();
      return;
    }
    this.syncIfAwaited();
  }

  private settle(): void {
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((waiter) => waiter.target <= this.synced);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((waiter) => waiter.target > this.synced);
    for (const waiter of ready) waiter.resolve();
  }

  private rejectUpTo(target: number, error: unknown): void {
    const failed = this.waiters.filter((waiter) => waiter.target <= target);
    this.waiters = this.waiters.filter((waiter) => waiter.target > target);
    for (const waiter of failed) waiter.reject(error);
  }

  private openDescriptor(): number {
    if (this.descriptor === undefined && this.walPath) {
      this.descriptor = openSync(this.walPath, "r");
      // The -wal file's directory entry must be durable too (once, when it is first synced).
      const directory = openSync(path.dirname(this.walPath), "r");
      try {
        fsyncSync(directory);
      } finally {
        closeSync(directory);
      }
    }
    if (this.descriptor === undefined) throw new Error("no WAL file to sync");
    return this.descriptor;
  }

  private closeDescriptor(): void {
    if (this.descriptor === undefined) return;
    closeSync(this.descriptor);
    this.descriptor = undefined;
  }
}
