import { defineRule } from "../../src/lint/api.js";
import rust from "./rust.js";
import typescript from "./typescript.js";

export default defineRule({
  id: "floating-task",
  meta: {
    description: "A promise that is started and then neither awaited, returned, handed on nor given a rejection handler",
    why: "Nothing waits for a floating promise, so the caller reports success before the work is done (a request answers before its write lands, a shutdown exits mid-task), and when it rejects there is no handler: Node raises an unhandled rejection, which terminates the process by default.",
    category: "tasks",
    severity: "error",
    tokio: "Task Spawning (JoinHandle / JoinSet)",
  },
  implementations: { typescript, rust },
});
