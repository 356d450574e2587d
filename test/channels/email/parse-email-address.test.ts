import { describe, expect, it } from "vitest";
import { parseAddressList, parseEmailAddress } from "../../../src/channels/email/parse-email-address.js";

describe("parseEmailAddress", () => {
  it("parses a display name with an angle address and lower-cases only the domain", () => {
    expect(parseEmailAddress("Pat Doe <Pat@Example.ORG>")).toEqual({
      email: "Pat@example.org",
      name: "Pat Doe",
    });
  });

  it("parses a quoted display name containing a comma and escaped quotes", () => {
    expect(parseEmailAddress('"Doe, Pat" <pat@example.org>')).toEqual({
      email: "pat@example.org",
      name: "Doe, Pat",
    });
    expect(parseEmailAddress('"Pat \\"PD\\" Doe" <pat@example.org>')).toEqual({
      email: "pat@example.org",
      name: 'Pat "PD" Doe',
    });
  });

  it("parses bare and bracketed addresses without a name, trimming whitespace", () => {
    expect(parseEmailAddress("  pat@EXAMPLE.org \r\n")).toEqual({ email: "pat@example.org", name: null });
    expect(parseEmailAddress("<pat@example.org>")).toEqual({ email: "pat@example.org", name: null });
    expect(parseEmailAddress("Pat Doe < pat@example.org >")).toEqual({
      email: "pat@example.org",
      name: "Pat Doe",
    });
  });

  it("keeps plus addressing used for conversation routing", () => {
    expect(parseEmailAddress("reply+conv_77@Parse.Acme.Example")).toEqual({
      email: "reply+conv_77@parse.acme.example",
      name: null,
    });
  });

  it("reads the old `address (Name)` comment form", () => {
    expect(parseEmailAddress("pat@example.org (Pat Doe)")).toEqual({
      email: "pat@example.org",
      name: "Pat Doe",
    });
  });

  it("decodes RFC 2047 encoded display names", () => {
    expect(parseEmailAddress("=?UTF-8?B?SsO8cmdlbiBNw7xsbGVy?= <juergen@example.de>")?.name).toBe(
      "Jürgen Müller",
    );
    expect(parseEmailAddress("=?ISO-8859-1?Q?Ren=E9_Dupont?= <rene@example.fr>")?.name).toBe("René Dupont");
  });

  it("uses the last angle address when the display name itself looks like an address", () => {
    expect(parseEmailAddress('"pat@old.example" <pat@new.example>')).toEqual({
      email: "pat@new.example",
      name: "pat@old.example",
    });
  });

  it("returns null when there is no usable address", () => {
    for (const value of [
      "",
      "   ",
      "Pat Doe",
      "<>",
      "pat@",
      "@example.org",
      "pat@localhost",
      "Pat <pat@example.org> trailing",
      "Pat <pat@example.org",
      "two words@example.org",
    ]) {
      expect(parseEmailAddress(value), value).toBeNull();
    }
  });
});

describe("parseAddressList", () => {
  it("splits on commas outside quotes, angle brackets and comments", () => {
    expect(
      parseAddressList('"Doe, Pat" <pat@example.org>, Sam Roe <SAM@Example.org>,lee@example.net (Lee, L.)'),
    ).toEqual([
      { email: "pat@example.org", name: "Doe, Pat" },
      { email: "SAM@example.org", name: "Sam Roe" },
      { email: "lee@example.net", name: "Lee, L." },
    ]);
  });

  it("skips empty entries and entries without an address", () => {
    expect(parseAddressList(" , Pat Doe, <pat@example.org>,, ")).toEqual([
      { email: "pat@example.org", name: null },
    ]);
    expect(parseAddressList("")).toEqual([]);
  });

  it("reads addresses inside a group and ignores an empty group", () => {
    expect(parseAddressList("Support team: a@acme.example, B <b@acme.example>;")).toEqual([
      { email: "a@acme.example", name: null },
      { email: "b@acme.example", name: "B" },
    ]);
    expect(parseAddressList("undisclosed-recipients:;")).toEqual([]);
  });
});
