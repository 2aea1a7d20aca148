import { defineRule } from "../../src/lint/api.js";
import typescript from "./typescript.js";

export default defineRule({
  id: "async-interval",
  meta: {
    description: "setInterval with an async or promise-returning callback",
    why: "setInterval starts the next run on schedule whether or not the previous one finished: when a run takes longer than the period, runs overlap and pile up (double-processing, connection exhaustion), and a rejected run is an unhandled rejection that can kill the process.",
    category: "tasks",
    severity: "error",
    tokio: "Select with Timeout / interval ticks",
  },
  implementations: { typescript },
});
