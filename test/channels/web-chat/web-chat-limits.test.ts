import { describe, expect, it } from "vitest";
import { limitKeyOf, WebChatLimits } from "../../../src/channels/web-chat/web-chat-limits.js";

describe("WebChatLimits", () => {
  it("counts open chats per address and frees a slot on close", () => {
    const limits = new WebChatLimits({ socketsPerAddress: 2, messagesPerMinute: 0 });
    expect(limits.opened("10.0.0.1")).toBe(true);
    expect(limits.opened("10.0.0.1")).toBe(true);
    expect(limits.canOpen("10.0.0.1")).toBe(false);
    expect(limits.opened("10.0.0.1")).toBe(false);
    expect(limits.opened("10.0.0.2")).toBe(true);
    limits.closed("10.0.0.1");
    expect(limits.opened("10.0.0.1")).toBe(true);
    limits.closed("10.0.0.1");
    limits.closed("10.0.0.1");
    limits.closed("10.0.0.2");
    expect(limits.rememberedAddresses).toBe(0);
  });

  it("allows a minute's messages at once, then one per 60/N seconds, per address", () => {
    let now = 0;
    const limits = new WebChatLimits({ socketsPerAddress: 0, messagesPerMinute: 6 }, () => now);
    for (let index = 0; index < 6; index++) expect(limits.takeMessage("a")).toBeUndefined();
    expect(limits.takeMessage("a")).toBe(10_000);
    expect(limits.takeMessage("b")).toBeUndefined();
    now = 4_000;
    expect(limits.takeMessage("a")).toBe(6_000);
    now = 10_000;
    expect(limits.takeMessage("a")).toBeUndefined();
    expect(limits.takeMessage("a")).toBe(10_000);
    // A long pause refills to one minute's worth, not more.
    now = 600_000;
    for (let index = 0; index < 6; index++) expect(limits.takeMessage("a")).toBeUndefined();
    expect(limits.takeMessage("a")).toBeGreaterThan(0);
  });

  it("has no limit at 0", () => {
    const limits = new WebChatLimits({ socketsPerAddress: 0, messagesPerMinute: 0 });
    for (let index = 0; index < 1000; index++) {
      expect(limits.opened("a")).toBe(true);
      expect(limits.takeMessage("a")).toBeUndefined();
    }
  });

  it("forgets refilled allowances once many addresses are remembered", () => {
    let now = 0;
    const limits = new WebChatLimits({ socketsPerAddress: 0, messagesPerMinute: 60 }, () => now);
    for (let index = 0; index < 10_000; index++) limits.takeMessage(`10.0.${index >> 8}.${index & 255}`);
    expect(limits.rememberedAddresses).toBe(10_000);
    now = 2_000; // one message a second: every allowance is full again
    limits.takeMessage("192.0.2.1");
    expect(limits.rememberedAddresses).toBe(1);
  });

  it("counts an IPv6 address by its /64, and an IPv4-mapped one as IPv4", () => {
    expect(limitKeyOf("203.0.113.9")).toBe("203.0.113.9");
    expect(limitKeyOf("::ffff:203.0.113.9")).toBe("203.0.113.9");
    expect(limitKeyOf("2001:db8:0:12:aaaa::1")).toBe("2001:db8:0:12::/64");
    expect(limitKeyOf("2001:0DB8:0000:0012:ffff:ffff:ffff:ffff")).toBe("2001:db8:0:12::/64");
    expect(limitKeyOf("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(limitKeyOf("::1")).toBe("0:0:0:0::/64");
    const limits = new WebChatLimits({ socketsPerAddress: 1, messagesPerMinute: 1 });
    expect(limits.opened("2001:db8:0:12::1")).toBe(true);
    expect(limits.opened("2001:db8:0:12::2")).toBe(false);
    expect(limits.opened("2001:db8:0:13::1")).toBe(true);
    expect(limits.takeMessage("2001:db8:0:12::1")).toBeUndefined();
    expect(limits.takeMessage("2001:db8:0:12:ffff::9")).toBeGreaterThan(0);
  });
});
