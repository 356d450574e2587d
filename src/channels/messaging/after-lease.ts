/**
 * Work to try once more when another process's claim has run out: each retry runs a little after
 * the lease, from a timer outside any queue, so nothing else waits with it. Used by the inbox and the
 * reply runner when a claim fails.
 */
export class AfterLease {
  /** Pending timers, each with the resolver of the promise `settled()` waits on. */
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private readonly runs = new Set<Promise<void>>();

  constructor(private readonly leaseMs: number) {}

  /** Retries not run (or dropped) yet. */
  get size(): number {
    return this.timers.size;
  }

  /** Runs `retry` a little past the lease, whatever the clocks' steps. */
  schedule(retry: () => void): void {
    let done!: () => void;
    const run = new Promise<void>((resolve) => {
      done = resolve;
    });
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        try {
          retry();
        } finally {
          done();
        }
      },
      this.leaseMs * 1.1 + 5,
    );
    this.timers.set(timer, done);
    this.runs.add(run);
    void run.then(() => this.runs.delete(run));
  }

  /** Resolves once every retry scheduled so far has run or been dropped. */
  async settled(): Promise<void> {
    await Promise.all([...this.runs]);
  }

  /** Drops every pending retry (shutdown: what they would retry stays on disk for the next start). */
  drop(): void {
    for (const [timer, done] of this.timers) {
      clearTimeout(timer);
      done();
    }
    this.timers.clear();
  }
}
