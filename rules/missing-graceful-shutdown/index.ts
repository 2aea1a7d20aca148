import { defineRule } from "../../src/lint/api.js";
import rust from "./rust.js";
import typescript from "./typescript.js";

export default defineRule({
  id: "missing-graceful-shutdown",
  meta: {
    description: "A server that never handles SIGTERM/SIGINT, or a signal handler that exits without waiting for the server to close",
    why: "Orchestrators (Kubernetes, systemd, ECS, a rolling deploy) stop a process with SIGTERM and kill it a grace period later; a server that does not handle it dies at once, cutting off in-flight requests, half-written responses and uncommitted work on every deploy and scale-down, and `process.exit()` right after `server.close()` does the same on purpose.",
    category: "shutdown",
    severity: "warn",
    tokio: "Select and Race (graceful shutdown pattern)",
  },
  implementations: { typescript, rust },
});
