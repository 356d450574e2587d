import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createMemoryCustomerStore } from "../../src/stores/memory/create-memory-customer-store.js";
import { createSqliteCustomerStore } from "../../src/stores/sqlite/create-sqlite-customer-store.js";
import { openSqliteDatabase } from "../../src/stores/sqlite/open-sqlite-database.js";
import { customerStoreContract } from "./customer-store-contract.js";

customerStoreContract("memory", async () => ({
  customers: createMemoryCustomerStore(),
  cleanup: async () => {},
}));

customerStoreContract("sqlite", async () => {
  const directory = mkdtempSync(path.join(os.tmpdir(), "switchboard-customers-"));
  const database = openSqliteDatabase(path.join(directory, "switchboard.db"));
  return {
    customers: createSqliteCustomerStore({ database }),
    async cleanup() {
      await database.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
});
