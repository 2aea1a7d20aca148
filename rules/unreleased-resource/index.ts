import { defineRule } from "../../src/lint/api.js";
import typescript from "./typescript.js";

export default defineRule({
  id: "unreleased-resource",
  meta: {
    description:
      "A lock, semaphore permit, pooled client or file handle whose release is skipped when the code in between throws or returns early",
    why: "A release that only runs on the success path leaks on every failure: a pg client released after a successful query leaks one client per failed query until the pool is exhausted and every request hangs; a mutex released after a call that throws stays locked and deadlocks every later caller; a leaked semaphore permit shrinks the limit for good; a leaked file handle ends in EMFILE.",
    category: "resources",
    severity: "error",
    tokio: "Semaphore (permits released when the guard is dropped)",
  },
  implementations: { typescript },
});
