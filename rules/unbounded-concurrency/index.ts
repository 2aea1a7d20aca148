import { defineRule } from "../../src/lint/api.js";
import rust from "./rust.js";
import typescript from "./typescript.js";

export default defineRule({
  id: "unbounded-concurrency",
  meta: {
    description:
      "Promise.all over a collection that grows with the input (a query without a limit, a directory listing, request data, a caller's list), or promises started in a loop over one and awaited together, with no concurrency limit",
    why: "Every element starts its I/O at the same moment: a list of 10,000 ids opens 10,000 sockets or file descriptors together, which fails with EMFILE, exhausts the database pool (everything else then waits or times out), or trips the upstream's rate limit; memory grows with the input instead of the limit.",
    category: "resources",
    severity: "warn",
    tokio: "Semaphore",
  },
  implementations: { typescript, rust },
});
