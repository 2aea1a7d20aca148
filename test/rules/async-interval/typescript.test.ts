import rule from "../../../rules/async-interval/index.js";
import { ruleTester } from "../../helpers/rule-tester.js";

ruleTester(rule, {
  valid: [
    {
      name: "synchronous callback that starts fn.call(this) of a function whose returned chain ends in .catch: it cannot reject",
      filename: "registry.js",
      code: `async function sample() {\n  await fetch("http://metrics");\n}\nfunction update() {\n  return sample()\n    .catch(() => {})\n    .then(() => this.log("updated"));\n}\nexports.start = function start(registry) {\n  setInterval(() => {\n    update.call(registry);\n  }, 5000);\n};`,
    },
    {
      name: "timers/promises loop awaits each tick",
      code: `import { setInterval } from "node:timers/promises";\nasync function run(signal: AbortSignal) {\n  for await (const _ of setInterval(1000, undefined, { signal })) await tick();\n}`,
    },
    { name: "synchronous callback", code: `setInterval(() => { counter.flush(); }, 1000);` },
    {
      name: "synchronous callback calling a function of a module outside the run that the file never awaits from",
      filename: "app.js",
      code: `const { showMetrics } = require("./metrics");\nsetInterval(() => {\n  showMetrics();\n}, 10000);`,
    },
    {
      name: "synchronous callback that starts a promise and handles its rejection",
      code: `async function refresh() { await fetch("http://cache"); }\nsetInterval(() => {\n  refresh().catch((error) => console.error(error));\n}, 1000);`,
    },
    {
      name: "guarded re-entrancy with try/catch",
      code: `let running = false;\nsetInterval(async () => {\n  if (running) return;\n  running = true;\n  try { await poll(); } catch (e) { log(e); } finally { running = false; }\n}, 1000);`,
    },
    { name: "setTimeout chain is not setInterval", code: `async function loop() { await poll(); setTimeout(loop, 1000); }` },
    {
      name: "a local setInterval function",
      code: `function setInterval(fn: () => Promise<void>, ms: number) {}\nsetInterval(async () => { await poll(); }, 10);`,
    },
    {
      name: "heartbeat with a synchronous named function",
      code: `function beat() { socket.ping(); }\nsetInterval(beat, 30_000);`,
    },
    {
      name: "sync callback on a method of an unknown object",
      code: `setInterval(() => cache.prune(), 60_000);`,
    },
    {
      name: "sync callback that starts a promise and handles its rejection",
      code: `async function refresh() { await fetch("http://config"); }\nsetInterval(() => { refresh().catch(log); }, 10_000);`,
    },
    {
      name: "expression callback whose chain ends in .catch",
      code: `async function refresh() { await fetch("http://config"); }\nsetInterval(() => refresh().catch(log), 10_000);`,
    },
    {
      name: "bound synchronous method",
      code: `class Metrics {\n  flush() { this.buffer.length = 0; }\n  start() { setInterval(this.flush.bind(this), 5000); }\n}`,
    },
    {
      name: "scheduler object with its own setInterval",
      code: `import { ToadScheduler } from "toad-scheduler";\nconst scheduler = new ToadScheduler();\nscheduler.setInterval(async () => { await poll(); }, 1000);`,
    },
    {
      name: "RxJS interval is a stream, not a timer callback",
      code: `import { interval } from "rxjs";\ninterval(1000).subscribe(() => tick());`,
    },
    {
      name: "synchronous function imported from another file",
      code: `import { rotateLogs } from "./logs.js";\nsetInterval(rotateLogs, 3_600_000);`,
      files: { "src/logs.ts": `export function rotateLogs() {\n  console.log("rotate");\n}` },
    },
    {
      name: "timers/promises setInterval passed a value, not a callback",
      code: `import { setInterval as every } from "node:timers/promises";\nexport async function poll(signal: AbortSignal) {\n  for await (const start of every(5000, Date.now(), { signal })) await check(start);\n}`,
    },
    {
      name: "type checker says the callback returns nothing",
      code: `const cache = { prune(): void {} };\nsetInterval(() => cache.prune(), 60_000);`,
      types: true,
    },
    {
      name: "guarded run with an early return block and try/catch",
      code: `let busy = false;\nsetInterval(async () => {\n  if (busy) { return; }\n  busy = true;\n  try {\n    await syncInventory();\n  } catch (error) {\n    report(error);\n  }\n  busy = false;\n}, 5000);`,
    },
  ],
  invalid: [
    {
      name: "synchronous callback that starts fn.call(this) of a function whose returned chain can reject",
      filename: "registry.js",
      code: `async function sample() {\n  await fetch("http://metrics");\n}\nfunction update() {\n  return sample().then(() => this.log("updated"));\n}\nexports.start = function start(registry) {\n  setInterval(() => {\n    update.call(registry);\n  }, 5000);\n};`,
      errors: [{ messageId: "startsAsyncWork", line: 9 }],
    },
    {
      name: "synchronous callback fires an imported async function of a module the file awaits from (sync-callback-fires-imported-async-work)",
      filename: "app.js",
      code: `const { orchestrateService, serviceStart } = require("./service");\nasync function main(docker) {\n  await serviceStart(docker);\n  setInterval(() => {\n    orchestrateService(docker);\n  }, 20000);\n}\nmain();`,
      errors: [{ messageId: "startsAsyncWork", line: 5 }],
    },
    {
      name: "synchronous callback starts a local async function inside try/catch: the catch never sees its rejection",
      code: `async function addMetrics() { await fetch("http://metrics", { method: "POST" }); }\nsetInterval(() => {\n  try {\n    addMetrics();\n  } catch (error) {\n    console.error(error);\n  }\n}, 10000);`,
      errors: [{ messageId: "startsAsyncWork", line: 4 }],
    },
    {
      name: "async arrow callback",
      code: `setInterval(async () => {\n  await syncInventory();\n}, 5000);`,
      errors: [{ messageId: "asyncCallback", line: 1 }],
    },
    {
      name: "named async function reference",
      code: `async function flush() { await send(); }\nsetInterval(flush, 10000);`,
      errors: [{ messageId: "asyncCallback", line: 2 }],
    },
    {
      name: "arrow returning an async call",
      code: `const refresh = async () => { await load(); };\nsetInterval(() => refresh(), 1000);`,
      errors: [{ messageId: "asyncCallback", line: 2 }],
    },
    {
      name: "timers module import",
      code: `import { setInterval } from "node:timers";\nsetInterval(async () => { await poll(); }, 1000);`,
      errors: [{ messageId: "asyncCallback", line: 2 }],
    },
    {
      name: "globalThis.setInterval",
      code: `globalThis.setInterval(async function () { await poll(); }, 1000);`,
      errors: [{ messageId: "asyncCallback", line: 1 }],
    },
    {
      name: "metrics push with fetch returned from an arrow",
      code: `setInterval(() => fetch("http://collector/metrics", { method: "POST" }), 10_000);`,
      errors: [{ messageId: "asyncCallback", line: 1 }],
    },
    {
      name: "async method bound to the instance",
      code: `class Poller {\n  async poll() { await fetch("http://queue/next"); }\n  start() {\n    this.timer = setInterval(this.poll.bind(this), 1000);\n  }\n}`,
      errors: [{ messageId: "asyncCallback", line: 4 }],
    },
    {
      name: "arrow calling an async method of the class",
      code: `class Cache {\n  async reload() { await fetch("http://config"); }\n  constructor() {\n    setInterval(() => this.reload(), 30_000);\n  }\n}`,
      errors: [{ messageId: "asyncCallback", line: 4 }],
    },
    {
      name: "async job imported from another file of the run",
      code: `import { syncPrices } from "./jobs/prices.js";\nsetInterval(syncPrices, 60_000);`,
      files: { "src/jobs/prices.ts": `export async function syncPrices() {\n  await fetch("http://prices/sync", { method: "POST" });\n}` },
      errors: [{ messageId: "asyncCallback", line: 2 }],
    },
    {
      name: "timers required through CommonJS",
      code: `const { setInterval } = require("timers");\nsetInterval(async () => { await purgeSessions(); }, 60_000);`,
      errors: [{ messageId: "asyncCallback", line: 2 }],
    },
    {
      name: "try/catch without a re-entrancy guard still overlaps",
      code: `setInterval(async () => {\n  try {\n    await syncInventory();\n  } catch (error) {\n    report(error);\n  }\n}, 5000);`,
      errors: [{ messageId: "asyncCallback", line: 1 }],
    },
    {
      name: "guard with try/finally but no catch",
      code: `let running = false;\nsetInterval(async () => {\n  if (running) return;\n  running = true;\n  try { await poll(); } finally { running = false; }\n}, 1000);`,
      errors: [{ messageId: "asyncCallback", line: 2 }],
    },
    {
      name: "function annotated as returning a promise",
      code: `function refreshTokens(): Promise<void> {\n  return store.refreshAll();\n}\nsetInterval(refreshTokens, 300_000);`,
      errors: [{ messageId: "asyncCallback", line: 4 }],
    },
    {
      name: "block callback returning a promisified exec",
      code: `import { promisify } from "node:util";\nimport { exec } from "node:child_process";\nconst run = promisify(exec);\nsetInterval(() => {\n  return run("df -h > /tmp/disk.txt");\n}, 60_000);`,
      errors: [{ messageId: "asyncCallback", line: 4 }],
    },
    {
      name: "window.setInterval in browser code",
      code: `window.setInterval(async () => {\n  const res = await fetch("/api/notifications");\n  render(await res.json());\n}, 15_000);`,
      errors: [{ messageId: "asyncCallback", line: 1 }],
    },
    {
      name: "async function expression stored in a const",
      code: `const tick = async function () {\n  await fetch("http://queue/drain", { method: "POST" });\n};\nsetInterval(tick, 2000);`,
      errors: [{ messageId: "asyncCallback", line: 4 }],
    },
    {
      name: "method of a typed client that returns a promise",
      code: `interface Client { ping(): Promise<void> }\nexport function keepAlive(client: Client) {\n  return setInterval(() => client.ping(), 30_000);\n}`,
      types: true,
      errors: [{ messageId: "asyncCallback", line: 3 }],
    },
  ],
});
