import { defineRule } from "../../src/lint/api.js";
import rust from "./rust.js";
import typescript from "./typescript.js";

export default defineRule({
  id: "blocking-in-async",
  meta: {
    description: "Synchronous blocking calls and clock busy-waits inside async functions, request handlers and event listeners",
    why: "Node serves every request on one thread: a `readFileSync`, `execSync`, `pbkdf2Sync` or spin loop inside a handler stalls all other requests, timers and health checks for its whole duration, so p99 latency grows with load and liveness probes time out.",
    category: "blocking",
    severity: "warn",
    tokio: "Best Practices: use spawn_blocking for CPU-bound work",
  },
  implementations: { typescript, rust },
});
