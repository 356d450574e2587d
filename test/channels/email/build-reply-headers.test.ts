import { describe, expect, it } from "vitest";
import {
  buildReplyHeaders,
  newMessageId,
  replySubject,
} from "../../../src/channels/email/build-reply-headers.js";

const ours = "<5f0c9e2a-1b3d-4e5f-8a7b-9c0d1e2f3a4b@acme.example>";

describe("buildReplyHeaders", () => {
  it("threads a reply to a first inbound email", () => {
    expect(
      buildReplyHeaders(
        { messageId: "<CAF8x1@mail.gmail.com>", references: [], subject: "Delivery address" },
        ours,
      ),
    ).toEqual({
      subject: "Re: Delivery address",
      headers: {
        "Message-ID": ours,
        "In-Reply-To": "<CAF8x1@mail.gmail.com>",
        References: "<CAF8x1@mail.gmail.com>",
      },
    });
  });

  it("appends their Message-ID to their References without duplicates", () => {
    const result = buildReplyHeaders(
      {
        messageId: "<c3@mail.gmail.com>",
        references: ["<a1@acme.example>", "<b2@mail.gmail.com>", "<a1@acme.example>", "<c3@mail.gmail.com>"],
        subject: "Re: Delivery address",
      },
      ours,
    );
    expect(result.headers.References).toBe("<a1@acme.example> <b2@mail.gmail.com> <c3@mail.gmail.com>");
    expect(result.headers["In-Reply-To"]).toBe("<c3@mail.gmail.com>");
    expect(result.subject).toBe("Re: Delivery address");
  });

  it("keeps only the last 20 references, ending with their Message-ID", () => {
    const references = Array.from({ length: 30 }, (_, index) => `<id${index}@example.org>`);
    const result = buildReplyHeaders({ messageId: "<last@example.org>", references, subject: "x" }, ours);
    const ids = result.headers.References?.split(" ") ?? [];
    expect(ids).toHaveLength(20);
    expect(ids[0]).toBe("<id11@example.org>");
    expect(ids[19]).toBe("<last@example.org>");
  });

  it("omits In-Reply-To and References when the inbound has no usable Message-ID", () => {
    for (const messageId of [null, "", "no-brackets@example.org"]) {
      expect(buildReplyHeaders({ messageId, references: ["<a@b.example>"], subject: "Hi" }, ours)).toEqual({
        subject: "Re: Hi",
        headers: { "Message-ID": ours },
      });
    }
  });

  it("drops malformed reference ids so nothing can be injected into the header", () => {
    const result = buildReplyHeaders(
      {
        messageId: "<ok@example.org>",
        references: ["<bad id>\r\nBcc: x@evil.example", "<a@example.org>"],
        subject: "s",
      },
      ours,
    );
    expect(result.headers.References).toBe("<a@example.org> <ok@example.org>");
  });
});

describe("replySubject", () => {
  it.each([
    ["Delivery address", "Re: Delivery address"],
    ["Re: Delivery address", "Re: Delivery address"],
    ["RE: Delivery address", "Re: Delivery address"],
    ["Re: Re: RE:Delivery address", "Re: Delivery address"],
    ["Aw: Lieferadresse", "Re: Lieferadresse"],
    ["Re[2]: Delivery address", "Re: Delivery address"],
    ["Fwd: Invoice", "Re: Fwd: Invoice"],
    ["re:Play party", "Re: re:Play party"],
    ["Re: re:Invent recap", "Re: re:Invent recap"],
    ["Re:", "Re: Your message"],
    ["Regarding my order", "Re: Regarding my order"],
    ["  Multi\r\n line  ", "Re: Multi line"],
    ["", "Re: Your message"],
  ])("%j → %j", (subject, expected) => {
    expect(replySubject(subject)).toBe(expected);
  });
});

describe("newMessageId", () => {
  it("creates a unique <uuid@domain> id", () => {
    const first = newMessageId("Acme.Example");
    expect(first).toMatch(
      /^<[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}@acme\.example>$/,
    );
    expect(newMessageId("acme.example")).not.toBe(first);
  });

  it("rejects a domain that would break the header", () => {
    expect(() => newMessageId("")).toThrow(/Message-ID domain/);
    expect(() => newMessageId("acme.example> x")).toThrow(/Message-ID domain/);
  });
});

describe("replySubject on a hostile subject", () => {
  it("joins folded lines in one pass, whatever the whitespace", () => {
    const spaces = " ".repeat(100_000);
    expect(replySubject(`a${spaces}b`)).toBe(`Re: a${spaces}b`);
    expect(replySubject(`  Order\r\n   question ${"\n".repeat(50_000)} two`)).toBe("Re: Order question two");
  });
});
