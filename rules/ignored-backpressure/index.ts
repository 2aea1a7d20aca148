import { defineRule } from "../../src/lint/api.js";
import typescript from "./typescript.js";

export default defineRule({
  id: "ignored-backpressure",
  meta: {
    description: "stream.write() in a loop that ignores its false return and never waits for 'drain'",
    why: "A Node writable buffers whatever it is given: `write()` returns false once the buffer passes its highWaterMark, and a loop that ignores it keeps queueing, so a slow disk, client or network peer makes the producer hold the whole output in memory (the process grows until it is killed) while latency for everyone else climbs.",
    category: "resources",
    severity: "warn",
    tokio: "I/O Operations (AsyncWriteExt::write_all awaits the writer)",
  },
  implementations: { typescript },
});
