/**
 * Admits at most `maxActive` tasks at a time, and at most one new task per turn of the event loop
 * (on `setImmediate`, after the turn's network callbacks). Background work such as SMS and email
 * replies therefore never crowds out webhooks in a burst: each turn of the loop first answers what
 * arrived, then starts one queued reply. Work that waits on the network (a real model) is not slowed:
 * an idle loop turns thousands of times a second.
 */
export class YieldingLimiter {
  private active = 0;
  private readonly waiting: Array<(() => void) | undefined> = [];
  private head = 0;
  private scheduled = false;

  constructor(
    private readonly maxActive: number,
    /** While true, new tasks start at most one per `pacedIntervalMs` instead of one per loop turn. */
    private readonly underPressure: () => boolean = () => false,
    private readonly pacedIntervalMs = 10,
  ) {}

  /** Tasks running now. */
  get running(): number {
    return this.active;
  }

  /** Tasks waiting for a slot. */
  get queued(): number {
    return this.waiting.length - this.head;
  }

  /** Runs `task` when admitted; the slot is released when it settles. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    await new Promise<void>((admit) => {
      this.waiting.push(admit);
      this.scheduleGrant();
    });
    try {
      return await task();
    } finally {
      this.active--;
      this.scheduleGrant();
    }
  }

  private scheduleGrant(): void {
    if (this.scheduled || this.queued === 0 || this.active >= this.maxActive) return;
    this.scheduled = true;
    if (this.underPressure()) setTimeout(this.grant, this.pacedIntervalMs);
    else setImmediate(this.grant);
  }

  private readonly grant = (): void => {
    this.scheduled = false;
    if (this.active < this.maxActive && this.queued > 0) {
      const admit = this.waiting[this.head];
      this.waiting[this.head++] = undefined;
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting.splice(0, this.head);
        this.head = 0;
      }
      this.active++;
      admit?.();
    }
    this.scheduleGrant();
  };
}
