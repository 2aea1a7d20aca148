import type { OptionSchema } from "../../src/lint/rust-api.js";

export const reportUnknownAwaitsOption: OptionSchema = {
  description:
    "Also report awaited calls this rule cannot classify (your own async helpers, SDK clients) while a lock, guard or pooled client is held (not a semaphore permit). Off by default: most of them are quick in-memory or guarded work.",
  type: "boolean",
  default: false,
};
