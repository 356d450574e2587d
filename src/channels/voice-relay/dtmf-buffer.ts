/**
 * Collects keypad digits (one `dtmf` frame per key) into one input: flushed after an idle timeout,
 * on `#`, or when the maximum length is reached.
 */
export class DtmfBuffer {
  private digits = "";
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: { idleTimeoutMs: number; maxDigits: number; onFlush: (digits: string) => void },
  ) {}

  push(digit: string): void {
    if (digit === "#") {
      this.flush();
      return;
    }
    this.digits += digit;
    if (this.digits.length >= this.options.maxDigits || this.options.idleTimeoutMs === 0) {
      this.flush();
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.options.idleTimeoutMs);
    this.timer.unref?.();
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const digits = this.digits;
    this.digits = "";
    if (digits.length > 0) this.options.onFlush(digits);
  }

  /** Drops pending digits (the call ended). */
  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.digits = "";
  }

  get pending(): string {
    return this.digits;
  }
}
