import { defineRule } from "../../src/lint/api.js";
import rust from "./rust.js";
import typescript from "./typescript.js";

export default defineRule({
  id: "unbounded-channel",
  meta: {
    description: "Queues, channels, subjects and buffers that grow without limit when producers outpace consumers",
    why: "An unbounded queue hides overload instead of pushing back: when events arrive faster than they are handled, every pending item (and everything it references) stays in memory, latency grows with the queue, and the process is eventually killed for running out of memory — long after the spike that caused it.",
    category: "channels",
    severity: "warn",
    tokio: "Channels / MPSC (Multi-producer, single-consumer)",
  },
  implementations: { typescript, rust },
});
