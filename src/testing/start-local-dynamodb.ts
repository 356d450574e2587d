import type { Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";

/** The part of `dynalite` (a DynamoDB-compatible server on LevelDB, a dev dependency) used here. */
type DynaliteFactory = (options: {
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
  path?: string;
}) => Server;

export interface LocalDynamoDb {
  /** `http://127.0.0.1:<port>`: pass as `endpoint` with region `us-east-1` and any credentials. */
  endpoint: string;
  close(): Promise<void>;
}

/**
 * Starts an in-memory DynamoDB-compatible server (dynalite) on a free local port, for tests and
 * the local playground. Tables become ACTIVE at once. Not a full DynamoDB: no transactions and no
 * `UpdateTimeToLive` (the DynamoDB stores do not need either).
 */
export async function startLocalDynamoDb(): Promise<LocalDynamoDb> {
  const require = createRequire(import.meta.url);
  const dynalite = require("dynalite") as DynaliteFactory;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
