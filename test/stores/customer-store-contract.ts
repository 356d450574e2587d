import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NotFoundError } from "../../src/errors/not-found-error.js";
import type { CustomerStore } from "../../src/ports/customer-store.js";

/** The contract of the customer store port, run against every backend. */
export function customerStoreContract(
  name: string,
  make: () => Promise<{ customers: CustomerStore; cleanup: () => Promise<void> }>,
): void {
  describe(`CustomerStore contract: ${name}`, () => {
    let customers: CustomerStore;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ customers, cleanup } = await make());
    });
    afterEach(() => cleanup());

    it("resolves an identifier to one customer, creating it once", async () => {
      const first = await customers.resolveCustomer("phone", "+14155550123");
      const again = await customers.resolveCustomer("phone", "+14155550123");
      expect(first.created).toBe(true);
      expect(again.created).toBe(false);
      expect(again.customer.id).toBe(first.customer.id);
      expect(first.customer.id).toMatch(/^cus_/);
      const concurrent = await Promise.all([
        customers.resolveCustomer("email", "pat@example.org"),
        customers.resolveCustomer("email", "pat@example.org"),
      ]);
      expect(concurrent[0].customer.id).toBe(concurrent[1].customer.id);
      expect((await customers.findCustomerByIdentifier("email", "pat@example.org"))?.id).toBe(
        concurrent[0].customer.id,
      );
      expect(await customers.findCustomerByIdentifier("email", "nobody@example.org")).toBeUndefined();
    });

    it("updates the profile, merging preferences", async () => {
      const { customer } = await customers.resolveCustomer("phone", "+14155550123");
      await customers.updateCustomer(customer.id, { name: "Pat", preferences: { contact: "sms" } });
      const updated = await customers.updateCustomer(customer.id, {
        language: "es-US",
        preferences: { tone: "brief" },
      });
      expect(updated).toMatchObject({
        name: "Pat",
        language: "es-US",
        preferences: { contact: "sms", tone: "brief" },
      });
      expect(await customers.getCustomer(customer.id)).toEqual(updated);
      await expect(customers.updateCustomer("cus_missing", { name: "x" })).rejects.toBeInstanceOf(
        NotFoundError,
      );
    });

    it("links identifiers, refusing one that another customer owns", async () => {
      const pat = (await customers.resolveCustomer("phone", "+14155550123")).customer;
      const sam = (await customers.resolveCustomer("phone", "+14155550199")).customer;
      await customers.linkIdentifier(pat.id, "email", "pat@example.org");
      await customers.linkIdentifier(pat.id, "email", "pat@example.org");
      expect(
        (await customers.listIdentifiers(pat.id)).map((identifier) => [identifier.kind, identifier.value]),
      ).toEqual([
        ["phone", "+14155550123"],
        ["email", "pat@example.org"],
      ]);
      await expect(customers.linkIdentifier(sam.id, "email", "pat@example.org")).rejects.toMatchObject({
        code: "IDENTIFIER_TAKEN",
      });
    });

    it("merges one customer into another and erases customers", async () => {
      const pat = (await customers.resolveCustomer("phone", "+14155550123")).customer;
      const patEmail = (await customers.resolveCustomer("email", "pat@example.org")).customer;
      await customers.mergeCustomers(pat.id, patEmail.id);
      expect(await customers.getCustomer(patEmail.id)).toBeUndefined();
      expect((await customers.findCustomerByIdentifier("email", "pat@example.org"))?.id).toBe(pat.id);
      await customers.deleteCustomer(pat.id);
      expect(await customers.getCustomer(pat.id)).toBeUndefined();
      expect(await customers.findCustomerByIdentifier("phone", "+14155550123")).toBeUndefined();
      expect(await customers.listIdentifiers(pat.id)).toEqual([]);
    });

    it("keeps verifications and an audit log", async () => {
      const pat = (await customers.resolveCustomer("phone", "+14155550123")).customer;
      const verification = {
        id: "ver_1",
        customerId: pat.id,
        kind: "email" as const,
        value: "pat@example.org",
        codeHash: "abc",
        conversationId: "conv_1",
        attempts: 0,
        expiresAt: Date.now() + 600_000,
        createdAt: Date.now(),
      };
      await customers.saveVerification(verification);
      expect(await customers.countVerificationAttempt("ver_1")).toBe(1);
      expect(await customers.countVerificationAttempt("ver_1")).toBe(2);
      expect(await customers.countVerificationAttempt("ver_missing")).toBeUndefined();
      expect(
        (await customers.listVerificationsForAddress("email", "pat@example.org")).map((item) => item.id),
      ).toEqual(["ver_1"]);
      expect(await customers.listVerificationsForAddress("email", "other@example.org")).toEqual([]);
      expect(await customers.listVerifications(pat.id)).toEqual([{ ...verification, attempts: 2 }]);
      await customers.deleteVerification("ver_1");
      expect(await customers.listVerifications(pat.id)).toEqual([]);
      // Old records go (a store with TTL deletes them by itself and reports 0); recent ones stay.
      const day = 24 * 60 * 60_000;
      for (const [index, age] of [40, 35, 1].entries())
        await customers.saveVerification({
          ...verification,
          id: `ver_old_${index}`,
          createdAt: Date.now() - age * day,
          expiresAt: Date.now() - age * day + 600_000,
        });
      const forgotten = await customers.forgetVerificationsBefore(Date.now() - 30 * day, 1);
      const remaining = async () => (await customers.listVerifications(pat.id)).map((item) => item.id).sort();
      if (forgotten === 0) {
        expect(await remaining()).toEqual(["ver_old_0", "ver_old_1", "ver_old_2"]);
      } else {
        expect(forgotten).toBe(1);
        expect(await customers.forgetVerificationsBefore(Date.now() - 30 * day, 10)).toBe(1);
        expect(await remaining()).toEqual(["ver_old_2"]);
      }
      for (const id of await remaining()) await customers.deleteVerification(id);
      await customers.appendAudit({
        customerId: pat.id,
        action: "identifier-linked",
        detail: { kind: "email" },
      });
      await customers.appendAudit({ customerId: pat.id, action: "customer-erased", detail: {} });
      await customers.deleteCustomer(pat.id);
      expect((await customers.listAudit(pat.id)).map((entry) => entry.action)).toEqual([
        "identifier-linked",
        "customer-erased",
      ]);
    });
  });
}
