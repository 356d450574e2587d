import { describe, expect, it } from "vitest";
import { parseRawHeaders, threadingIdsFromHeaders } from "../../../src/channels/email/parse-email-headers.js";

/** The `headers` field of a SendGrid Inbound Parse post for a Gmail reply (CRLF, folded lines). */
const gmailReplyHeaders = [
  "Received: by mx0047p1mdw1.sendgrid.net with SMTP id 3RrWbJ6cLU Tue, 02 Sep 2025 10:16:04 +0000 (UTC)",
  "Received: from mail-yw1-f171.google.com (mail-yw1-f171.google.com [209.85.128.171]) by",
  "\tmx0047p1mdw1.sendgrid.net (Postfix) with ESMTPS id 7A1B2C3D4E",
  "\tfor <reply+conv_77@parse.acme.example>; Tue, 02 Sep 2025 10:16:04 +0000 (UTC)",
  "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;",
  "        d=example.org; s=20230601; t=1756807563; x=1757412363;",
  "        h=to:subject:message-id:date:from:in-reply-to:references",
  "MIME-Version: 1.0",
  "References: <x7Kq2LmPQ9@ismtpd.example>",
  " <0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0@acme.example>",
  "In-Reply-To: <0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0@acme.example>",
  "From: Pat Doe <pat@example.org>",
  "Date: Tue, 2 Sep 2025 12:15:51 +0200",
  "Message-ID: <CAF8x1+q7Yb=Zt2Wd0kQ@mail.gmail.com>",
  "Subject: Re: Delivery address for order",
  " #4821",
  "To: Acme Support <reply+conv_77@parse.acme.example>",
  'Content-Type: multipart/alternative; boundary="000000000000a1b2c3d4e5f6"',
  "",
].join("\r\n");

describe("parseRawHeaders", () => {
  it("lower-cases names, unfolds continuation lines and keeps repeated headers in order", () => {
    const headers = parseRawHeaders(gmailReplyHeaders);
    expect(headers.get("subject")).toEqual(["Re: Delivery address for order #4821"]);
    expect(headers.get("from")).toEqual(["Pat Doe <pat@example.org>"]);
    expect(headers.get("received")).toHaveLength(2);
    expect(headers.get("received")?.[1]).toBe(
      "from mail-yw1-f171.google.com (mail-yw1-f171.google.com [209.85.128.171]) by" +
        "\tmx0047p1mdw1.sendgrid.net (Postfix) with ESMTPS id 7A1B2C3D4E" +
        "\tfor <reply+conv_77@parse.acme.example>; Tue, 02 Sep 2025 10:16:04 +0000 (UTC)",
    );
    expect(headers.get("dkim-signature")?.[0]).toContain("x=1757412363;        h=to:subject");
    expect(headers.has("Subject")).toBe(false);
  });

  it("accepts LF line endings and tolerates a space before the colon", () => {
    const headers = parseRawHeaders("Subject : Hello\n\tworld\nX-Empty:\nTo: a@example.org\n");
    expect(headers.get("subject")).toEqual(["Hello\tworld"]);
    expect(headers.get("x-empty")).toEqual([""]);
    expect(headers.get("to")).toEqual(["a@example.org"]);
  });

  it("stops at the blank line that ends the header section and ignores junk lines", () => {
    const headers = parseRawHeaders(
      "From pat@example.org Tue Sep  2 10:15:51 2025\r\nSubject: Hi\r\n continued\r\n\r\nBody: not a header\r\n",
    );
    expect([...headers.keys()]).toEqual(["subject"]);
    expect(headers.get("subject")).toEqual(["Hi continued"]);
  });

  it("returns an empty map for an empty block", () => {
    expect(parseRawHeaders("").size).toBe(0);
  });
});

describe("threadingIdsFromHeaders", () => {
  it("extracts Message-ID, In-Reply-To and folded References with angle brackets", () => {
    expect(threadingIdsFromHeaders(parseRawHeaders(gmailReplyHeaders))).toEqual({
      messageId: "<CAF8x1+q7Yb=Zt2Wd0kQ@mail.gmail.com>",
      inReplyTo: ["<0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0@acme.example>"],
      references: ["<x7Kq2LmPQ9@ismtpd.example>", "<0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0@acme.example>"],
    });
  });

  it("handles an Outlook header block with lower-case names, comments and duplicate ids", () => {
    const headers = parseRawHeaders(
      [
        "message-id: <DM6PR11MB46100A1B2C3D@DM6PR11MB4610.namprd11.prod.outlook.com>",
        "in-reply-to: <a1@acme.example> (sent by Acme)",
        "references: <a0@acme.example> <a1@acme.example>",
        "\t<a0@acme.example>",
      ].join("\r\n"),
    );
    expect(threadingIdsFromHeaders(headers)).toEqual({
      messageId: "<DM6PR11MB46100A1B2C3D@DM6PR11MB4610.namprd11.prod.outlook.com>",
      inReplyTo: ["<a1@acme.example>"],
      references: ["<a0@acme.example>", "<a1@acme.example>"],
    });
  });

  it("returns empty results when the mail starts a new thread or carries no ids", () => {
    const headers = parseRawHeaders("Subject: New question\r\nMessage-ID: not-bracketed@example.org\r\n");
    expect(threadingIdsFromHeaders(headers)).toEqual({ messageId: null, inReplyTo: [], references: [] });
  });
});
