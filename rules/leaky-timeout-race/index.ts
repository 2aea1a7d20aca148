import { defineRule } from "../../src/lint/api.js";
import typescript from "./typescript.js";

export default defineRule({
  id: "leaky-timeout-race",
  meta: {
    description: "Promise.race against a timer that is never cleared and an operation that is never cancelled",
    why: "`Promise.race` settles with the winner but stops nothing: the timer stays armed after the operation wins (keeping the process alive and holding its closure until it fires, one per call under load), and when the timer wins the operation keeps running, holding its socket, query or lock while the caller has moved on.",
    category: "timeouts",
    severity: "warn",
    tokio: "Timers and Intervals (tokio::time::timeout)",
  },
  implementations: { typescript },
});
