import { describe, expect, it } from "vitest";
import { extractReplyText, htmlToText } from "../../../src/channels/email/extract-reply-text.js";

const crlf = (lines: string[]) => lines.join("\r\n");

describe("extractReplyText", () => {
  it("cuts a Gmail reply at the attribution line and drops the signature", () => {
    const body = crlf([
      "Hi,",
      "",
      "Please ship it to 12 Harbour Street instead.",
      "",
      "Thanks,",
      "Pat",
      "",
      "-- ",
      "Pat Doe | Head of Ops | Example Org",
      "+1 415 555 0123",
      "",
      "On Tue, Sep 2, 2025 at 10:15 AM Acme Support <support@acme.example> wrote:",
      "",
      "> Hi Pat, where should we deliver order #4821?",
      ">",
      "> Acme Support",
    ]);
    expect(extractReplyText(body)).toBe(
      "Hi,\n\nPlease ship it to 12 Harbour Street instead.\n\nThanks,\nPat",
    );
  });

  it("cuts at an attribution wrapped over two lines", () => {
    const body = [
      "Yes, Thursday works.",
      "",
      "On Tue, Sep 2, 2025 at 10:15 AM Acme Support <",
      "support@acme.example> wrote:",
      "> Would Thursday suit you?",
    ].join("\n");
    expect(extractReplyText(body)).toBe("Yes, Thursday works.");
  });

  it("cuts an Apple Mail reply with its mobile footer", () => {
    const body = [
      "Got it, thank you!",
      "",
      "Sent from my iPhone",
      "",
      "> On 2 Sep 2025, at 10:15, Acme Support <support@acme.example> wrote:",
      ">",
      "> Your refund has been issued.",
    ].join("\n");
    expect(extractReplyText(body)).toBe("Got it, thank you!");
  });

  it("cuts an Outlook reply at the separator and From/Sent/To/Subject block", () => {
    const body = crlf([
      "Hello,",
      "The invoice number is INV-2025-0917.",
      "",
      "Get Outlook for Android",
      "________________________________",
      "From: Acme Support <support@acme.example>",
      "Sent: Tuesday, September 2, 2025 10:15 AM",
      "To: Pat Doe <pat@example.org>",
      "Subject: Your invoice",
      "",
      "Could you send us the invoice number?",
    ]);
    expect(extractReplyText(body)).toBe("Hello,\nThe invoice number is INV-2025-0917.");
  });

  it("cuts an Outlook header block without a separator line", () => {
    const body = [
      "See the attached photo.",
      "",
      "From: Acme Support <support@acme.example>",
      "Date: Tuesday, 2 September 2025 at 10:15",
      "To: Pat Doe <pat@example.org>",
      "Subject: Damaged parcel",
      "",
      "Can you send a photo?",
    ].join("\n");
    expect(extractReplyText(body)).toBe("See the attached photo.");
  });

  it("keeps a From: line that is not followed by a header block", () => {
    const body = "From: the warehouse, the parcel left yesterday.\nTo: be honest I am not sure.";
    expect(extractReplyText(body)).toBe(body);
  });

  it("cuts at -----Original Message-----", () => {
    const body = [
      "Cancel my subscription please.",
      "-----Original Message-----",
      "From: support@acme.example",
      "Your plan renews tomorrow.",
    ].join("\n");
    expect(extractReplyText(body)).toBe("Cancel my subscription please.");
  });

  it("cuts at French and German attributions, also when wrapped", () => {
    expect(
      extractReplyText(
        "Merci, c'est parfait.\n\nLe mar. 2 sept. 2025 à 10:15, Acme Support <support@acme.example> a écrit :\n> Bonjour",
      ),
    ).toBe("Merci, c'est parfait.");
    expect(
      extractReplyText(
        "Danke, passt so.\n\nAm Di., 2. Sept. 2025 um 10:15 Uhr schrieb Acme Support <\nsupport@acme.example>:\n> Hallo",
      ),
    ).toBe("Danke, passt so.");
  });

  it("cuts at a bare -- delimiter and drops stray quoted lines", () => {
    const body = "> earlier text\nNew answer here.\n--\nPat";
    expect(extractReplyText(body)).toBe("New answer here.");
  });

  it("does not treat a sentence starting with On as an attribution", () => {
    const body = "On Monday I will be at home.\nPlease deliver then.";
    expect(extractReplyText(body)).toBe(body);
  });

  it("collapses three or more blank lines and trims", () => {
    expect(extractReplyText("\n\n  First line\n\n\n\n  \nSecond line   \n\n")).toBe(
      "First line\n\nSecond line",
    );
  });

  it("reads a bottom-posted reply below the quote", () => {
    const body = [
      "On Tue, Sep 2, 2025 at 10:15 AM Acme Support <support@acme.example> wrote:",
      "> Which size do you need?",
      "",
      "Size M, please.",
      "",
      "-- ",
      "Pat",
    ].join("\n");
    expect(extractReplyText(body)).toBe("Size M, please.");
  });

  it("returns an empty string when the mail holds only a quote", () => {
    expect(extractReplyText("On Tue, Sep 2, 2025, Acme wrote:\n> hello")).toBe("");
    expect(extractReplyText("________________________________\nFrom: a\nSent: b\nTo: c\n\nold text")).toBe(
      "",
    );
  });
});

describe("htmlToText", () => {
  it("converts a Gmail HTML reply and removes the quoted blockquote", () => {
    const html = [
      "<html><head><style>p { color: red }</style><title>x</title></head><body>",
      '<div dir="ltr">Hi,<br><br>Please ship it to <b>12 Harbour&nbsp;Street</b> &amp; call first.</div>',
      '<div class="gmail_quote"><blockquote class="gmail_quote" style="margin:0 0 0 .8ex">',
      "Hi Pat, where should we deliver?<blockquote>older &lt;quote&gt;</blockquote>still quoted",
      "</blockquote></div>",
      "<script>alert(1)</script></body></html>",
    ].join("\n");
    expect(htmlToText(html)).toBe("Hi,\n\nPlease ship it to 12 Harbour Street & call first.");
  });

  it("turns paragraphs, list items and line breaks into new lines and collapses source whitespace", () => {
    const html = "<p>First\n   paragraph</p><p>Second</p><ul><li>one</li><li>two</li></ul>Line<br/>break";
    expect(htmlToText(html)).toBe("First paragraph\nSecond\none\ntwo\n\nLine\nbreak");
  });

  it("decodes named and numeric entities and leaves unknown ones alone", () => {
    expect(htmlToText("&quot;Caf&#233;&quot; &#39;x&#39; &#x1F600; &lt;b&gt; &copy2; &bogus;")).toBe(
      "\"Café\" 'x' 😀 <b> &copy2; &bogus;",
    );
  });

  it("drops HTML comments (Outlook conditional blocks)", () => {
    expect(htmlToText("<!--[if mso]><p>mso only</p><![endif]-->Hello")).toBe("Hello");
  });
});

/**
 * Anyone can email the agent: text built to make a backtracking regex or a recursion blow up must
 * come out in one linear pass. (Before, the first of these took about a minute and froze the
 * server; the second overflowed the stack.)
 */
describe("hostile email text", () => {
  it("a line of 200,000 spaces, thousands of stacked attributions", () => {
    const spaces = " ".repeat(200_000);
    expect(extractReplyText(`Hello\na${spaces}x   \n`)).toBe(`Hello\na${spaces}x`);
    expect(extractReplyText(`${"On a wrote:\n".repeat(20_000)}The real question`)).toBe("The real question");
  });

  it("HTML with unclosed comments, elements and quotes, deep nesting, and tags without an end", () => {
    expect(htmlToText(`Hi<!--${"<!--".repeat(50_000)}`)).toBe("Hi");
    expect(htmlToText(`Hi<script${"<script".repeat(50_000)}`)).toBe("Hi");
    expect(htmlToText(`Hi<header>there</header><head${"<head ".repeat(50_000)}`)).toBe("Hithere");
    expect(htmlToText(`Hi${"<blockquote".repeat(40_000)}`)).toBe("Hi");
    const nested = `${"<blockquote>".repeat(20_000)}old${"</blockquote>".repeat(20_000)}`;
    expect(htmlToText(`New<br>${nested}<p>after</p>`)).toBe("New\nafter");
    expect(htmlToText(`a${"<hr".repeat(50_000)}`)).toContain("a<hr<hr");
    expect(htmlToText(`x${"&aaaaaaaaaaaaaaaaaaaa".repeat(20_000)}`)).toMatch(/^x&a+/);
  });
});
