import rule from "../../rules/async-interval.js";
import { ruleTester } from "../lint/rule-tester.js";

ruleTester(rule, {
  valid: [
    { name: "timers/promises loop awaits each tick", code: `import { setInterval } from "node:timers/promises";\nasync function run(signal: AbortSignal) {\n  for await (const _ of setInterval(1000, undefined, { signal })) await tick();\n}` },
    { name: "synchronous callback", code: `setInterval(() => { counter.flush(); }, 1000);` },
    { name: "guarded re-entrancy with try/catch", code: `let running = false;\nsetInterval(async () => {\n  if (running) return;\n  running = true;\n  try { await poll(); } catch (e) { log(e); } finally { running = false; }\n}, 1000);` },
    { name: "setTimeout chain is not setInterval", code: `async function loop() { await poll(); setTimeout(loop, 1000); }` },
    { name: "a local setInterval function", code: `function setInterval(fn: () => Promise<void>, ms: number) {}\nsetInterval(async () => { await poll(); }, 10);` },
  ],
  invalid: [
    { name: "async arrow callback", code: `setInterval(async () => {\n  await syncInventory();\n}, 5000);`, errors: [{ messageId: "asyncCallback", line: 1 }] },
    { name: "named async function reference", code: `async function flush() { await send(); }\nsetInterval(flush, 10000);`, errors: [{ messageId: "asyncCallback", line: 2 }] },
    { name: "arrow returning an async call", code: `const refresh = async () => { await load(); };\nsetInterval(() => refresh(), 1000);`, errors: [{ messageId: "asyncCallback", line: 2 }] },
    { name: "timers module import", code: `import { setInterval } from "node:timers";\nsetInterval(async () => { await poll(); }, 1000);`, errors: [{ messageId: "asyncCallback", line: 2 }] },
    { name: "globalThis.setInterval", code: `globalThis.setInterval(async function () { await poll(); }, 1000);`, errors: [{ messageId: "asyncCallback", line: 1 }] },
  ],
});
