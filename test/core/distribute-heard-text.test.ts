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
