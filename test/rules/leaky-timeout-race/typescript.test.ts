import rule from "../../../rules/leaky-timeout-race/index.js";
import { ruleTester } from "../../helpers/rule-tester.js";

ruleTester(rule, {
  valid: [
    {
      name: "short constant fallback timer: a cache read raced against a 50 ms field set once in the constructor",
      code: `class SessionService {
  private cacheTimeoutMs: number;
  constructor(private cache: { get(token: string): Promise<unknown> }) {
    this.cacheTimeoutMs = 50;
  }
  withTimeout<T>(maybeSlow: Promise<T>): Promise<T | undefined> {
    return Promise.race([new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), this.cacheTimeoutMs)), maybeSlow]);
  }
}`,
    },
    {
      name: "timer handle cleared in finally around the race",
      code: `async function withTimeout<T>(op: Promise<T>, ms: number) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error("timeout")), ms); });
  try {
    return await Promise.race([op, timeout]);
  } finally {
    clearTimeout(timer);
  }
}`,
    },
    {
      name: "race chained with .finally(() => clearTimeout(timer))",
      code: `function withTimeout<T>(op: Promise<T>, ms: number) {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([
    op,
    new Promise<never>((_, reject) => { timer = setTimeout(reject, ms, new Error("timeout")); }),
  ]).finally(() => clearTimeout(timer));
}`,
    },
    {
      name: "AbortSignal.timeout passed to fetch instead of a race",
      code: `async function load(url: string) {\n  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });\n  return res.json();\n}`,
    },
    {
      name: "race against an AbortSignal.timeout abort event",
      code: `import { once } from "node:events";\nasync function firstMessage(queue: { next(): Promise<string> }) {\n  return Promise.race([queue.next(), once(AbortSignal.timeout(1000), "abort").then(() => null)]);\n}`,
    },
    {
      name: "timers/promises setTimeout with a signal aborted in finally",
      code: `import { setTimeout as sleep } from "node:timers/promises";
async function pollOnce(job: Promise<string>) {
  const ac = new AbortController();
  try {
    return await Promise.race([job, sleep(1000, "slow", { signal: ac.signal })]);
  } finally {
    ac.abort();
  }
}`,
    },
    {
      name: "timer callback aborts the raced fetch",
      code: `function fetchOrAbort(url: string, ms: number) {
  const controller = new AbortController();
  return Promise.race([
    fetch(url, { signal: controller.signal }),
    new Promise<never>((_, reject) => setTimeout(() => { controller.abort(); reject(new Error("timeout")); }, ms)),
  ]);
}`,
    },
    {
      name: "race between two operations, no timer",
      code: `async function fastestMirror(a: string, b: string) {\n  return Promise.race([fetch(a), fetch(b)]);\n}`,
    },
    {
      name: "executor clears its own timer when the operation settles",
      code: `function withTimeout<T>(op: Promise<T>, ms: number) {
  return Promise.race([
    op,
    new Promise<never>((_, reject) => {
      const t = setTimeout(() => reject(new Error("timeout")), ms);
      op.finally(() => clearTimeout(t));
    }),
  ]);
}`,
    },
    {
      name: "local sleep helper that takes a signal and clears its timer",
      code: `function sleep(ms: number, signal?: AbortSignal) {
  return new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => { clearTimeout(t); resolve(); });
  });
}
async function waitForJob(job: Promise<void>, signal: AbortSignal) {
  await Promise.race([job, sleep(5000, signal)]);
}`,
    },
    {
      name: "timer cleared in both the try block and the catch clause",
      code: `async function call(op: Promise<number>) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error("t")), 1000); });
  try {
    const value = await Promise.race([op, timeout]);
    clearTimeout(timer);
    return value;
  } catch (error) {
    clearTimeout(timer);
    throw error;
  }
}`,
    },
    {
      name: "Promise.race over a dynamic list of operations",
      code: `async function first(urls: string[]) {\n  return Promise.race(urls.map((url) => fetch(url)));\n}`,
    },
    {
      name: "class field timer cleared in stop()",
      code: `class Waiter {
  private timer?: NodeJS.Timeout;
  wait(op: Promise<void>) {
    return Promise.race([op, new Promise<void>((resolve) => { this.timer = setTimeout(resolve, 30_000); })]);
  }
  stop() {
    clearTimeout(this.timer);
  }
}`,
    },
    {
      name: "imported sleep helper from an unknown package is not assumed to be a bare timer",
      code: `import { sleep } from "@acme/utils";\nasync function f(op: Promise<void>) {\n  await Promise.race([op, sleep(100)]);\n}`,
    },
    {
      name: "sleep helper from another file of the run that takes a signal",
      code: `import { sleep } from "./time.js";\nasync function f(op: Promise<void>, signal: AbortSignal) {\n  await Promise.race([op, sleep(100, signal)]);\n}`,
      files: {
        "src/time.ts": `import { setTimeout } from "node:timers/promises";\nexport function sleep(ms: number, signal?: AbortSignal) {\n  return setTimeout(ms, undefined, { signal });\n}`,
      },
    },
    {
      name: "a local function named sleep that does not start a timer",
      code: `function sleep(ms: number) { return Promise.resolve(ms); }\nasync function f(op: Promise<number>) {\n  return Promise.race([op, sleep(10)]);\n}`,
    },
    {
      name: "timers/promises setTimeout with the caller's signal",
      code: `import { setTimeout } from "node:timers/promises";\nasync function f(op: Promise<void>, signal: AbortSignal) {\n  await Promise.race([op, setTimeout(1000, undefined, { signal })]);\n}`,
    },
    {
      name: "timer handle pushed into a registry that is cleared on shutdown",
      code: `const pending = new Set<NodeJS.Timeout>();
export function stopAll() { for (const t of pending) clearTimeout(t); }
export function guarded<T>(op: Promise<T>) {
  return Promise.race([op, new Promise<never>((_, reject) => { pending.add(setTimeout(() => reject(new Error("t")), 1000)); })]);
}`,
    },
    {
      name: "timer cleared in the finally of an outer try",
      code: `async function handle(op: Promise<string>) {
  let t: NodeJS.Timeout | undefined;
  try {
    if (!op) return null;
    const result = await Promise.race([op, new Promise<never>((_, reject) => { t = setTimeout(reject, 10); })]);
    return result.trim();
  } finally {
    if (t) clearTimeout(t);
  }
}`,
    },
    {
      name: "timer cleared in .then and in .catch on the race",
      code: `function withTimeout<T>(op: Promise<T>, ms: number) {
  let timer: NodeJS.Timeout;
  return Promise.race([op, new Promise<never>((_, rej) => { timer = setTimeout(rej, ms); })])
    .then((value) => { clearTimeout(timer); return value; })
    .catch((error) => { clearTimeout(timer); throw error; });
}`,
    },
    {
      name: "race kept in a variable whose .finally clears the timer",
      code: `export const promiseWithTimeout = (promise: Promise<unknown>, timeout: number) => {
  let time: NodeJS.Timeout;
  const other = new Promise<void>((resolve) => { time = setTimeout(() => resolve(), timeout); });
  const race = Promise.race([promise, other]);
  race.finally(() => clearTimeout(time));
  return race;
};`,
    },
    {
      name: "wrapper helper of a file outside the run that takes the promise (addTimeoutToPromise) is not a bare timer",
      code: `import { addTimeoutToPromise } from "./utils";\nasync function f(op: Promise<void>, abort: Promise<never>) {\n  await Promise.race([addTimeoutToPromise(op, 1000, "timed out"), abort]);\n}`,
    },
    {
      name: "helper of the run that wraps a package delay and clears it",
      code: `import { createTimeoutPromise } from "./utils.js";\nasync function f(op: Promise<void>) {\n  await Promise.race([op, createTimeoutPromise(100, "timed out")]);\n}`,
      files: {
        "src/utils.ts": `export function createTimeoutPromise(ms: number, message: string, signal?: AbortSignal) {\n  return new Promise<never>((_, reject) => {\n    const timer = setTimeout(() => reject(new Error(message)), ms);\n    signal?.addEventListener("abort", () => clearTimeout(timer));\n  });\n}`,
      },
    },
  ],
  invalid: [
    {
      name: "field timer that the class also sets from configuration is not a short constant",
      code: `class SessionService {
  private cacheTimeoutMs = 50;
  configure(options: { timeoutMs: number }) {
    this.cacheTimeoutMs = options.timeoutMs;
  }
  withTimeout<T>(maybeSlow: Promise<T>): Promise<T | undefined> {
    return Promise.race([new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), this.cacheTimeoutMs)), maybeSlow]);
  }
}`,
      errors: [{ messageId: "timerNotCleared", line: 7 }],
    },
    {
      name: "timeout-promise helper of a file outside the run (createTimeoutPromise), raced and never cleared",
      code: `import { createTimeoutPromise } from "./utils";\nasync function f(op: Promise<void>) {\n  await Promise.race([op, createTimeoutPromise(1000, "timed out")]);\n}`,
      errors: [{ messageId: "timerNotCleared", line: 3 }],
    },
    {
      name: "helper of the run builds the timeout on a package delay: delayPromise(ms).then(throw)",
      code: `import { createTimeoutPromise } from "./utils.js";\nasync function f(op: Promise<void>) {\n  await Promise.race([op, createTimeoutPromise(100, "timed out")]);\n}`,
      files: {
        "src/utils.ts": `import { delayPromise } from "apify-shared/utilities";\nexport const createTimeoutPromise = (ms: number, message: string) =>\n  delayPromise(ms).then(() => {\n    throw new Error(message);\n  });`,
      },
      errors: [{ messageId: "timerNotCleared", line: 3 }],
    },
    {
      name: "fetchWithTimeout racing an inline reject timer",
      code: `async function fetchWithTimeout(url: string, ms: number) {
  return Promise.race([
    fetch(url),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), ms)),
  ]);
}`,
      errors: [{ messageId: "timerNotCleared", line: 2 }],
    },
    {
      name: "timer handle stored but never cleared",
      code: `async function withTimeout<T>(op: Promise<T>, ms: number) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error("timeout")), ms); });
  return Promise.race([op, timeout]);
}`,
      errors: [{ messageId: "timerNotCleared", line: 4 }],
    },
    {
      name: "timer cleared only after a successful race",
      code: `async function withTimeout<T>(op: Promise<T>, ms: number) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error("timeout")), ms); });
  const result = await Promise.race([op, timeout]);
  clearTimeout(timer);
  return result;
}`,
      errors: [{ messageId: "clearedOnOnePath", line: 4 }],
    },
    {
      name: "timer cleared in .then on the race only",
      code: `function withTimeout<T>(op: Promise<T>, ms: number) {
  let timer: NodeJS.Timeout;
  return Promise.race([op, new Promise<never>((_, rej) => { timer = setTimeout(rej, ms); })]).then((value) => {
    clearTimeout(timer);
    return value;
  });
}`,
      errors: [{ messageId: "clearedOnOnePath", line: 3 }],
    },
    {
      name: "timers/promises sleep without a signal, rethrown as a timeout",
      code: `import { setTimeout as sleep } from "node:timers/promises";
async function query(pool: { query(sql: string): Promise<unknown> }) {
  return Promise.race([pool.query("SELECT 1"), sleep(2000).then(() => { throw new Error("query timed out"); })]);
}`,
      errors: [{ messageId: "timerNotCleared", line: 3 }],
    },
    {
      name: "timers/promises with a local controller that is never aborted",
      code: `import { setTimeout } from "node:timers/promises";
async function f(op: Promise<void>) {
  const ac = new AbortController();
  await Promise.race([op, setTimeout(5000, undefined, { signal: ac.signal })]);
}`,
      errors: [{ messageId: "timerNotCleared", line: 4 }],
    },
    {
      name: "local sleep helper built on setTimeout",
      code: `const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function waitForReady(ready: Promise<void>) {
  await Promise.race([ready, sleep(10_000)]);
}`,
      errors: [{ messageId: "timerNotCleared", line: 3 }],
    },
    {
      name: "local timeout helper function returning a rejecting promise",
      code: `function timeout(ms: number): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new Error("timed out")), ms));
}
export async function getUser(id: string, db: { find(id: string): Promise<object> }) {
  return Promise.race([db.find(id), timeout(3000)]);
}`,
      errors: [{ messageId: "timerNotCleared", line: 5 }],
    },
    {
      name: "undeclared sleep in a polling race loses the message",
      code: `async function consume(queue: { next(): Promise<string> }) {
  for (;;) {
    const message = await Promise.race([queue.next(), sleep(1000)]);
    if (message) handle(message);
  }
}`,
      errors: [{ messageId: "timerNotCleared", line: 3 }],
    },
    {
      name: "unref'd timer still leaks under load",
      code: `function withTimeout<T>(op: Promise<T>, ms: number) {
  return Promise.race([op, new Promise<never>((_, reject) => { setTimeout(() => reject(new Error("timeout")), ms).unref(); })]);
}`,
      errors: [{ messageId: "timerNotCleared", line: 2 }],
    },
    {
      name: "contenders collected in a const array",
      code: `async function rpc(call: Promise<Buffer>) {
  const contenders = [call, new Promise<never>((_, reject) => setTimeout(reject, 500))];
  return Promise.race(contenders);
}`,
      errors: [{ messageId: "timerNotCleared", line: 3 }],
    },
    {
      name: "timeout helper imported from another file of the run",
      code: `import { rejectAfter } from "./timeouts.js";
export async function loadConfig(read: Promise<string>) {
  return Promise.race([read, rejectAfter(1000)]);
}`,
      files: {
        "src/timeouts.ts": `export const rejectAfter = (ms: number) => new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), ms));`,
      },
      errors: [{ messageId: "timerNotCleared", line: 3 }],
    },
    {
      name: "timers module setTimeout via require",
      code: `const timers = require("node:timers");
function withTimeout(op, ms) {
  return Promise.race([op, new Promise((_, reject) => timers.setTimeout(reject, ms))]);
}`,
      filename: "case.js",
      errors: [{ messageId: "timerNotCleared", line: 3 }],
    },
    {
      name: "delay package without a signal",
      code: `import delay from "delay";
async function probe(check: Promise<boolean>) {
  return Promise.race([check, delay(200).then(() => false)]);
}`,
      errors: [{ messageId: "timerNotCleared", line: 3 }],
    },
    {
      name: "timer stored in a class field and never cleared",
      code: `class Client {
  private timer?: NodeJS.Timeout;
  request(op: Promise<string>) {
    return Promise.race([op, new Promise<never>((_, reject) => { this.timer = setTimeout(() => reject(new Error("timeout")), 1000); })]);
  }
}`,
      errors: [{ messageId: "timerNotCleared", line: 4 }],
    },
    {
      name: "module-level race at start-up with globalThis.setTimeout",
      code: `const ready = connect();
await Promise.race([ready, new Promise((_, reject) => globalThis.setTimeout(() => reject(new Error("no db")), 10_000))]);`,
      errors: [{ messageId: "timerNotCleared", line: 2 }],
    },
    {
      name: "timer handle in a local const of the executor, never cleared",
      code: `function deadline<T>(op: Promise<T>, ms: number) {
  return Promise.race([op, new Promise<never>((_, reject) => {
    const t = setTimeout(() => reject(new Error("deadline exceeded")), ms);
    console.debug("armed", t);
  })]);
}`,
      errors: [{ messageId: "timerNotCleared", line: 2 }],
    },
    {
      name: "timer cleared only in the catch clause around the race",
      code: `async function call(op: Promise<number>) {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([op, new Promise<never>((_, reject) => { timer = setTimeout(reject, 1000); })]);
  } catch (error) {
    clearTimeout(timer);
    throw error;
  }
}`,
      errors: [{ messageId: "clearedOnOnePath", line: 4 }],
    },
    {
      name: "spread operations raced against an async timeout helper",
      code: `export const timeoutReject = async (ms: number): Promise<never> => new Promise((_, reject) => { setTimeout(reject, ms, "timeout"); });
export const doOrTimeout = async <T>(ms: number, ...promises: Promise<T>[]): Promise<T> => {
  return Promise.race([...promises, timeoutReject(ms)]);
};`,
      errors: [{ messageId: "timerNotCleared", line: 3 }],
    },
    {
      name: "default-exported sleep helper from another file of the run",
      code: `import sleep from "./sleep.js";
export async function firstEvent(next: Promise<string>) {
  return Promise.race([next, sleep(250)]);
}`,
      files: {
        "src/sleep.ts": `export default function sleep(ms: number) {\n  return new Promise<void>((resolve) => setTimeout(resolve, ms));\n}`,
      },
      errors: [{ messageId: "timerNotCleared", line: 3 }],
    },
  ],
});
