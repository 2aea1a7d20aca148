import { defineRule } from "../../src/lint/api.js";
import rust from "./rust.js";
import typescript from "./typescript.js";

export default defineRule({
  id: "missing-timeout",
  meta: {
    description: "External operations (HTTP, sockets, child processes, events, database connections) started without a deadline",
    why: "A call with no deadline waits as long as the other side lets it: a server that accepts the connection and never answers, a blackholed host, a hung child process or an event that never fires holds the request, the socket and everything awaiting it for minutes or forever. Under load these pile up until the process runs out of sockets, memory or pool slots, and nothing ever reports an error.",
    category: "timeouts",
    severity: "error",
    tokio: "Timers and Intervals / Timeout",
  },
  implementations: { typescript, rust },
});
