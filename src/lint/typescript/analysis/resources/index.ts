/**
 * Acquire/release spans: which calls take a lock, a semaphore permit, a pooled client or a file handle,
 * where that resource is held, and on which paths its release is skipped. Shared by the rules about
 * holding resources (lock-across-await, unreleased-resource). The flow lattice stays inside.
 */
export { resourceFamilies, resourceSpecSchema, type ResourceFamily, type ResourceKind, type ResourceSpec } from "./families.js";
export {
  matchAcquisition,
  resolveCreation,
  type Acquisition,
  type AcquisitionStyle,
  type Creation,
  type ResourceEnv,
} from "./acquisitions.js";
export type { HeldWait, Holding, Leak, LeakReason } from "./flow.js";
export { analyseHolding, hasDottedName } from "./holding.js";
