import type { Customer } from "../ports/customer-store.js";
import { newId } from "./store-clock.js";

/** A fresh customer with no name, language or preferences, as every backend stores it. */
export function newCustomer(timestamp: number): Customer {
  return {
    id: newId("cus"),
    name: null,
    language: null,
    preferences: {},
    createdAt: timestamp,
    updatedAt: timestamp,
  };
}
