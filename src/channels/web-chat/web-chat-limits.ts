import { isIPv6 } from "node:net";

/**
 * The key an address's limits are kept under: an IPv4 address as it is (an IPv4-mapped IPv6
 * address as its IPv4 form), an IPv6 address by its /64 network, which one subscriber usually holds
 * whole and could otherwise walk through one address at a time.
 */
export function limitKeyOf(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  if (!isIPv6(address)) return address;
  const [head = "", tail = ""] = address.toLowerCase().split("::");
  const headGroups = head ? head.split(":") : [];
  const tailGroups = address.includes("::") ? (tail ? tail.split(":") : []) : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(Math.max(0, missing)).fill("0"), ...tailGroups];
  return `${groups
    .slice(0, 4)
    .map((group) => group.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

/** What one client address may use of the web chat; 0 turns a limit off. */
export interface WebChatLimitSettings {
  /** Chats (sockets) open at once from one address. */
  socketsPerAddress: number;
  /** Messages a minute from one address, over all its chats (a bucket that refills steadily). */
  messagesPerMinute: number;
}

interface Allowance {
  tokens: number;
  refilledAt: number;
}

/** Addresses remembered before the full (unused) allowances are forgotten. */
const sweepAbove = 10_000;
/** At most this many allowances: past it, the oldest are forgotten (they start full again). */
const maxRemembered = 100_000;

/**
 * Per-address limits of the public web chat: every message there is a model call, paid for by the
 * operator, and anyone who can load the page can open chats. An address may keep
 * `socketsPerAddress` chats open and send `messagesPerMinute` messages a minute in all, as a token
 * bucket: a full minute's allowance at once, then one message per `60 / messagesPerMinute` s.
 * The address is the request's client address as Fastify reports it (behind a trusted proxy, the
 * one it forwards); an IPv6 address counts by its /64 (`limitKeyOf`). Memory is bounded: allowances
 * that have refilled are forgotten.
 */
export class WebChatLimits {
  private readonly openSockets = new Map<string, number>();
  private readonly allowances = new Map<string, Allowance>();
  private sweptAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly settings: WebChatLimitSettings,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Whether the address may open another chat now. */
  canOpen(address: string): boolean {
    return this.hasRoom(limitKeyOf(address));
  }

  /** A chat from the address opened; false (and nothing counted) when it is over its limit. */
  opened(address: string): boolean {
    const key = limitKeyOf(address);
    if (!this.hasRoom(key)) return false;
    this.openSockets.set(key, (this.openSockets.get(key) ?? 0) + 1);
    return true;
  }

  private hasRoom(key: string): boolean {
    const limit = this.settings.socketsPerAddress;
    return limit === 0 || (this.openSockets.get(key) ?? 0) < limit;
  }

  /** A chat counted by `opened` closed. */
  closed(address: string): void {
    const key = limitKeyOf(address);
    const count = (this.openSockets.get(key) ?? 0) - 1;
    if (count > 0) this.openSockets.set(key, count);
    else this.openSockets.delete(key);
  }

  /**
   * Takes one message from the address's allowance: undefined when it may be sent, otherwise the
   * milliseconds until the next one may.
   */
  takeMessage(address: string): number | undefined {
    const perMinute = this.settings.messagesPerMinute;
    if (perMinute === 0) return undefined;
    const now = this.now();
    const allowance = this.refilled(limitKeyOf(address), now);
    if (allowance.tokens >= 1) {
      allowance.tokens -= 1;
      return undefined;
    }
    return Math.ceil((1 - allowance.tokens) * (60_000 / perMinute));
  }

  /** Addresses with an allowance or an open chat remembered (tests read it). */
  get rememberedAddresses(): number {
    return new Set([...this.openSockets.keys(), ...this.allowances.keys()]).size;
  }

  private refilled(address: string, now: number): Allowance {
    const capacity = this.settings.messagesPerMinute;
    let allowance = this.allowances.get(address);
    if (!allowance) {
      if (this.allowances.size >= sweepAbove) this.forgetAllowances(now);
      allowance = { tokens: capacity, refilledAt: now };
      this.allowances.set(address, allowance);
      return allowance;
    }
    const earned = ((now - allowance.refilledAt) * capacity) / 60_000;
    allowance.tokens = Math.min(capacity, allowance.tokens + earned);
    allowance.refilledAt = now;
    return allowance;
  }

  /**
   * A full allowance is the same as none: forgetting it changes nothing for its address. A sweep
   * runs at most once a second; past `maxRemembered`, the oldest allowances go as well.
   */
  private forgetAllowances(now: number): void {
    if (now - this.sweptAt >= 1000) {
      this.sweptAt = now;
      const capacity = this.settings.messagesPerMinute;
      for (const [address, allowance] of this.allowances) {
        if (allowance.tokens + ((now - allowance.refilledAt) * capacity) / 60_000 >= capacity)
          this.allowances.delete(address);
      }
    }
    for (const address of this.allowances.keys()) {
      if (this.allowances.size < maxRemembered) break;
      this.allowances.delete(address);
    }
  }
}
