import { defineRule } from "../../src/lint/api.js";
import rust from "./rust.js";
import typescript from "./typescript.js";

export default defineRule({
  id: "lock-across-await",
  meta: {
    description: "A lock, semaphore permit or pooled database client held while awaiting unrelated slow work",
    why: "Whatever is held stays unavailable for the whole await: a cache mutex held across an HTTP call makes every reader of the cache wait for the network (and forever, if the call hangs); a pooled client held across a `fetch` or a retry sleep keeps a connection, and any open transaction with its row locks, idle while other requests queue for the pool; a permit held through a backoff sleep throttles everyone for nothing.",
    category: "locks",
    severity: "warn",
    tokio: "Best Practices: avoid holding locks across await points",
  },
  implementations: { typescript, rust },
});
