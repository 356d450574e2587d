import { describe, expect, it } from "vitest";
import { distributeHeardText } from "../../src/core/conversation/distribute-heard-text.js";

describe("distributeHeardText", () => {
  it("cuts a single reply to what was heard", () => {
    expect(distributeHeardText(["Your order ships on Monday."], "Your order ships")).toEqual({
      texts: ["Your order ships"],
      cut: [true],
    });
  });

  it("keeps earlier messages heard in full and empties later ones", () => {
    expect(
      distributeHeardText(
        ["Let me check.", "It shipped on Monday.", "Anything else?"],
        "Let me check. It shipped",
      ),
    ).toEqual({
      texts: ["Let me check.", "It shipped", ""],
      cut: [false, true, true],
    });
  });

  it("handles nothing heard", () => {
    expect(distributeHeardText(["Hello there."], "")).toEqual({ texts: [""], cut: [true] });
  });
});

describe("distributeHeardText around a step that only called a tool", () => {
  it("leaves the tool step empty and uncut, and puts what was heard on the spoken reply", () => {
    expect(
      distributeHeardText(["", "re:Play closing party: Thursday, 7 PM."], "re:Play closing party"),
    ).toEqual({
      texts: ["", "re:Play closing party"],
      cut: [false, true],
    });
  });

  it("never gives a message more than it said, nor a reply that said nothing the caller's words", () => {
    expect(distributeHeardText(["Hi."], "Hi. And more than was ever said")).toEqual({
      texts: ["Hi."],
      cut: [true],
    });
    expect(distributeHeardText([""], "Which")).toEqual({ texts: [""], cut: [true] });
    expect(distributeHeardText(["Let me check.", "", "Shipped."], "Let me check. Ship")).toEqual({
      texts: ["Let me check.", "", "Ship"],
      cut: [false, false, true],
    });
  });
});
