import rule from "../../../rules/floating-task/index.js";
import { ruleTester } from "../../helpers/rule-tester.js";

ruleTester(rule, {
  valid: [
    {
      name: "cannot-reject: a signal handler that logs through a compiled default import (log_1.default.info), catches stop() and re-raises with process.kill(process.pid, signal)",
      filename: "server.js",
      code: 'const log_1 = require("./log");\nasync function stop() {\n  await fetch("http://localhost/stop");\n}\nprocess.on("SIGINT", async () => {\n  log_1.default.info("Exiting...");\n  try {\n    await stop();\n  } catch (error) {\n    console.error(error);\n  }\n  process.kill(process.pid, "SIGINT");\n});',
    },
    {
      name: "cannot-reject: fs.existsSync, a regular expression literal's exec and split on a literal outside the try",
      code: 'import { existsSync } from "node:fs";\nconst SCOPED = /^@([^/]+)\\/(.+)$/;\nexport class Tail {\n  async tail(path: string, spec: any) {\n    if (!existsSync(path)) return;\n    const match = SCOPED.exec(spec.name);\n    const parts = spec.href.split("/").slice(-3);\n    try {\n      await fetch(path + parts.join("/") + String(match));\n    } catch (error) {\n      console.error(error);\n    }\n  }\n  start() {\n    this.tail("/var/log", {});\n  }\n}',
    },
    {
      name: "cannot-reject: Promise.all over names.map(…) of a value of unknown type whose callback catches each promise, in a try/finally",
      code: 'async function loadDetail(name: string) {\n  await fetch("http://plugins/" + name);\n}\nexport function refresh(names: any) {\n  setImmediate(async () => {\n    let busy = true;\n    try {\n      await Promise.all(names.map((name: string) => loadDetail(name).catch((error) => console.error(error))));\n    } finally {\n      busy = false;\n    }\n    console.log(busy);\n  });\n}',
    },
    {
      name: "cannot-reject: Promise.all over items.map(async …) whose callbacks catch their errors, with debug's log.extend(…)(…) outside the try",
      code: 'import debug from "debug";\nconst log = debug("queue");\nexport class Processor {\n  names: string[] = [];\n  async fill(name: string) {\n    try {\n      await fetch("http://jobs/" + name);\n    } catch (error) {\n      console.error(error);\n    }\n  }\n  async process() {\n    log.extend("process")("starting");\n    await Promise.all(Object.keys(this.names).map(async (name) => {\n      log.extend("process")("queuing %s", name);\n      await this.fill(name);\n    }));\n  }\n  start() {\n    this.process();\n  }\n}',
    },
    {
      name: "cannot-reject: standard built-ins that do not throw on well-typed input (Object.values, path.parse, parseInt, Map iteration, includes on a parameter defaulting to [])",
      code: 'import path from "node:path";\nexport class Jobs {\n  jobs: Map<string, { queue: string; done: boolean }>;\n  constructor() {\n    this.jobs = new Map();\n  }\n  async removeSettled(queues = [] as string[], file = "a/b.json") {\n    const { name } = path.parse(file);\n    const limit = parseInt(name);\n    for (const job of this.jobs.values()) {\n      if (queues.length > 0 && !queues.includes(job.queue)) continue;\n      if (job.done && Object.values(job).length < limit) this.jobs.delete(job.queue);\n    }\n  }\n  prune() {\n    void this.removeSettled([]);\n  }\n}',
    },
    {
      name: "cannot-reject: an async listener that emits 'error' on an emitter with a registered 'error' listener",
      code: 'import { EventEmitter } from "node:events";\nexport function upload(parser: EventEmitter, save: (name: string) => Promise<void>) {\n  const busboy = parser;\n  busboy.on("file", async (name: string) => {\n    if (!name) return busboy.emit("error", new Error("missing name"));\n    try {\n      await save(name);\n    } catch (error) {\n      busboy.emit("error", error);\n    }\n  });\n  busboy.on("error", (error: unknown) => console.error(error));\n}',
    },
    {
      name: "cannot-reject: emit of a named event on a value the code does not show (a parameter of any type) and a string method on a listener's parameter",
      code: '// @ts-nocheck\nexport function watch(source, target) {\n  source.on("line", (line) => {\n    void (async () => {\n      const input = line.trim();\n      target.emit("line", input);\n    })();\n  });\n}',
    },
    {
      name: "cannot-reject: a readline interface held in a private field assigned outside the constructor (close, prompt in an async listener)",
      code: 'import readline from "node:readline";\nexport class Shell {\n  #rl: readline.Interface | null = null;\n  async receive(line: string) {\n    try {\n      await fetch("http://bot/" + line);\n    } catch (error) {\n      console.error(error);\n    }\n  }\n  run() {\n    this.#rl = readline.createInterface({ input: process.stdin });\n    this.#rl.on("line", async (line: string) => {\n      if (line === "exit") {\n        this.#rl!.close();\n        return;\n      }\n      await this.receive(line);\n      this.#rl!.prompt();\n    });\n  }\n}',
    },
    {
      name: "cannot-reject: items.map(async …) dropped, whose async function has a synchronous body (a rest parameter copied with Array.from)",
      code: "export class Console {\n  async send(...strings: string[]) {\n    Array.from(strings).forEach((text) => console.log(text));\n  }\n  emote(...strings: string[]) {\n    Array.from(strings).map((text) => this.send(`* ${text}`));\n  }\n}",
    },
    {
      name: "cannot-reject: fn.call(this) of a function whose returned chain ends in .catch(() => {}) and a logging .then",
      filename: "registry.js",
      code: `async function sample() {\n  await fetch("http://metrics");\n}\nfunction update() {\n  return sample()\n    .catch(() => {})\n    .then(() => this.log("updated"));\n}\nexports.start = function start(registry) {\n  update.call(registry);\n};`,
    },
    {
      name: "cannot-reject: a const holding a chain whose .catch handler only logs, then chained with .then",
      code: `async function load() {\n  await fetch("http://items");\n}\nexport function start() {\n  const loading = load().catch((error) => console.error(error));\n  loading.then(() => console.log("loaded"));\n}`,
    },
    {
      name: "thenable-not-promise (with types): a route shorthand called through a computed method name (app[method](…)) is not known to give a promise",
      types: true,
      code: `interface App {\n  get(path: string, handler: () => void): App;\n  post(path: string, handler: () => void): App;\n  ready(): Promise<undefined>;\n  [name: string]: unknown;\n}\nexport function routes(app: App & Record<string, (...args: unknown[]) => Promise<undefined>>, method: string) {\n  app[method]("/", () => {});\n}`,
    },
    {
      name: "emitter-awaits-listeners: an event hub of the linted code whose own emit is async (listener promises are handed on)",
      code: `export function createEventHub() {\n  const listeners = new Map<string, ((...args: unknown[]) => Promise<void>)[]>();\n  const eventHub = {\n    async emit(name: string, ...args: unknown[]) {\n      for (const listener of listeners.get(name) ?? []) await listener(...args);\n    },\n    on(name: string, listener: (...args: unknown[]) => Promise<void>) {\n      listeners.set(name, [...(listeners.get(name) ?? []), listener]);\n    },\n    once(name: string, listener: (...args: unknown[]) => Promise<void>) {\n      eventHub.on(name, async (...args: unknown[]) => {\n        await fetch("http://audit/" + name);\n        return listener(...args);\n      });\n    },\n  };\n  return eventHub;\n}`,
    },
    {
      name: "cannot-reject: a const holding a resolve-only promise (a gate), chained with .then",
      code: `export function arm(onOpen: () => void) {\n  let open!: () => void;\n  const gate = new Promise<void>((resolve) => {\n    open = resolve;\n  });\n  gate.then(() => {\n    onOpen();\n  });\n  return open;\n}`,
    },
    {
      name: "cannot-reject: a timers/promises wait without a signal, chained with .then",
      code: `import { setTimeout as sleep } from "node:timers/promises";\nimport { EventEmitter } from "node:events";\nexport function later(emitter: EventEmitter) {\n  sleep(100).then(() => {\n    emitter.emit("drain");\n  });\n}`,
    },
    {
      name: "cannot-reject: a timers/promises wait without a signal, voided",
      code: `import { setTimeout as sleep } from "node:timers/promises";\nexport function later() {\n  void sleep(100);\n}`,
    },
    {
      name: "cannot-reject: a self-catching async IIFE (every await in a try whose catch does not rethrow)",
      code: `export function startLoop(onError: (error: unknown) => void) {\n  (async () => {\n    for (;;) {\n      try {\n        await fetch("http://jobs/next");\n      } catch (error) {\n        return onError(error);\n      }\n    }\n  })();\n}`,
    },
    {
      name: "cannot-reject: an imported async function whose only await outside its try is a signal-less timers/promises wait, with a logger accessor and a pure helper called outside",
      code: `import { track } from "./track.js";\nexport function job() {\n  track();\n}`,
      files: {
        "src/track.ts": `import { setTimeout } from "timers/promises";\nimport { useLogger } from "./logger.js";\nimport { randomWait } from "./wait.js";\nexport const track = async (opts = { wait: true }) => {\n  const logger = useLogger();\n  if (opts.wait) await setTimeout(randomWait());\n  try {\n    await fetch("http://telemetry/report", { method: "POST" });\n    return true;\n  } catch (error) {\n    logger.error(error);\n    return false;\n  }\n};`,
        "src/logger.ts": `export const useLogger = () => console;`,
        "src/wait.ts": `export const randomWait = () => Math.floor(Math.random() * 1_800_000);`,
      },
    },
    {
      name: "cannot-reject: an async function that only updates an in-memory Map",
      code: `const aggregates = new Map<number, string>();\nasync function aggregate(data: { pid: number; metrics: string }) {\n  aggregates.set(data.pid, data.metrics);\n}\nprocess.on("message", (packet: { pid: number; metrics: string }) => {\n  aggregate(packet);\n});`,
    },
    {
      name: "cannot-reject: a method of the same class that logs with debug() outside its try and catches the rest",
      code: `import createDebug from "debug";\nconst debug = createDebug("app:queue");\nexport class WorkerQueue {\n  worker: (payload: unknown) => Promise<void> = async () => {};\n  enqueue(payload: unknown) {\n    this.execute(payload);\n  }\n  async execute(payload: unknown) {\n    debug("execute");\n    try {\n      await this.worker(payload);\n    } catch (error) {\n      console.error(error);\n    }\n  }\n}`,
    },
    {
      name: "cannot-reject: an async method whose condition outside the try only reads configuration",
      code: `export class App {\n  config = new Map<string, unknown>();\n  async openAdmin() {\n    if (this.config.get("environment") === "development") {\n      try {\n        await fetch("http://localhost:1337/admin");\n      } catch {\n        console.warn("could not open the admin panel");\n      }\n    }\n  }\n  postListen() {\n    this.openAdmin();\n  }\n}`,
    },
    {
      name: "cannot-reject: calls outside the try go to a same-file helper that cannot throw",
      code: `function messageType(message: unknown): string {\n  return typeof message !== "object" || Array.isArray(message) || message === null ? "" : String((message as { type?: unknown }).type);\n}\nasync function onMessage(message: unknown) {\n  if (messageType(message) === "subscribe") {\n    try {\n      await fetch("http://subscriptions", { method: "POST" });\n    } catch (error) {\n      console.error(error);\n    }\n  }\n}\nexport function bind(message: unknown) {\n  onMessage(message);\n}`,
    },
    {
      name: "cannot-reject: Promise.all over promises that cannot reject",
      code: `import { setTimeout as sleep } from "node:timers/promises";\nexport function pause() {\n  Promise.all([sleep(10), Promise.resolve(1)]);\n}`,
    },
    {
      name: "cannot-reject: an imported async function whose every await and call sits in a try with a catch that does not rethrow",
      code: `import { track } from "./telemetry.js";\nexport function start() {\n  track();\n}`,
      files: {
        "src/telemetry.ts": `export async function track(): Promise<boolean> {\n  try {\n    const report = await fetch("http://telemetry/report", { method: "POST" });\n    return report.ok;\n  } catch (error) {\n    console.error("telemetry failed", error);\n    return false;\n  }\n}`,
      },
    },
    {
      name: "cannot-reject (with types): a method of an imported class that catches its own errors",
      types: true,
      code: `import { WorkerQueue } from "./worker-queue.js";\nexport function run(queue: WorkerQueue) {\n  queue.execute();\n}`,
      files: {
        "src/worker-queue.ts": `export class WorkerQueue {\n  async execute(): Promise<void> {\n    try {\n      await fetch("http://jobs/next");\n    } catch (error) {\n      console.error(error);\n    }\n  }\n}`,
      },
    },
    {
      name: "thenable-not-promise: a fluent reply object that also has then() (fastify's Reply) creates no promise when its methods are called",
      types: true,
      code: `export class Reply {\n  code(status: number): Reply { return this; }\n  header(name: string, value: string): Reply { return this; }\n  send(payload: unknown): Reply { return this; }\n  then(onFulfilled: (value: unknown) => void, onRejected?: (error: unknown) => void): void { onFulfilled(this); }\n}\nexport function handler(reply: Reply) {\n  reply.header("Content-Type", "application/json").code(200);\n  reply.send({ hello: "world" });\n}`,
    },
    {
      name: "node:test registrations are awaited by the runner",
      types: true,
      code: `import { describe, it } from "node:test";\nimport test from "node:test";\ndescribe("pool", () => {\n  it("works", async () => {});\n  it.skip("later", async () => {});\n});\ntest("top", async () => {});`,
    },
    {
      name: "audit write awaited in the handler",
      code: `async function saveAudit(e: string) { await fetch("http://audit", { method: "POST", body: e }); }\nexport async function handle(e: string) {\n  await saveAudit(e);\n}`,
    },
    {
      name: "fire-and-forget with a logging .catch",
      code: `async function warmCache() { await fetch("http://cache/warm"); }\nwarmCache().catch((error) => console.error("warm-up failed", error));`,
    },
    {
      name: ".then with a rejection handler as second argument",
      code: `async function ping() { return fetch("http://health"); }\nping().then(() => log("up"), (error) => log("down", error));`,
    },
    {
      name: ".catch followed by .finally",
      code: `async function flush() { await fetch("http://collector"); }\nflush().catch(report).finally(() => metrics.flushed());`,
    },
    {
      name: "promise returned to the caller",
      code: `async function load(id: string) { return fetch("http://users/" + id); }\nexport function loadUser(id: string) {\n  return load(id);\n}`,
    },
    {
      name: "two requests started together and awaited with Promise.all",
      code: `export async function page(id: string) {\n  const user = fetch("http://users/" + id);\n  const posts = fetch("http://posts?user=" + id);\n  return Promise.all([user, posts]);\n}`,
    },
    {
      name: "stored promise awaited before any other await",
      code: `import { readFile } from "node:fs/promises";\nexport async function boot() {\n  const config = readFile("config.json", "utf8");\n  const parsed = JSON.parse(await config);\n  await connect(parsed);\n}`,
    },
    {
      name: "start-up promise stored on a field and awaited later",
      code: `class Db {\n  ready: Promise<void>;\n  constructor() {\n    this.ready = this.connect();\n  }\n  async connect() { await fetch("http://db"); }\n  async query(sql: string) { await this.ready; return sql; }\n}`,
    },
    {
      name: "void of a call of a module not in the run, in a package whose unhandledRejection handler logs it",
      code: `import { setCachedProfile } from "../lib/profile-cache.js";\nexport function remember(id: string, profile: object) {\n  void setCachedProfile(id, profile);\n}`,
      files: {
        "src/main.ts": `process.on("unhandledRejection", (reason) => {\n  console.error("unhandled rejection", reason);\n});`,
      },
    },
    {
      name: "cannot-reject (class property): this.queue = new Queue() in the constructor, Queue imported from a file of the run and its drain() catching its own errors",
      code: `import { Queue } from "./queue.js";\nexport class Server {\n  queue: Queue;\n  constructor() {\n    this.queue = new Queue();\n  }\n  stop() {\n    this.queue.drain();\n  }\n}`,
      files: {
        "src/queue.ts": `export class Queue {\n  async drain() {\n    try {\n      await fetch("http://jobs/drain", { method: "POST" });\n    } catch (error) {\n      console.error(error);\n    }\n  }\n}`,
      },
    },
    {
      name: "cannot-reject (class property): a field initialiser holding an instance of a class expression (const Queue = class {…}) whose method catches its own errors",
      code: `const Queue = class {\n  async drain() {\n    try {\n      await fetch("http://jobs/drain", { method: "POST" });\n    } catch (error) {\n      console.error(error);\n    }\n  }\n};\nexport class Server {\n  queue = new Queue();\n  stop() {\n    this.queue.drain();\n  }\n}`,
    },
    {
      name: "cannot-reject: an inherited method of the base class (this.flush() declared in the class it extends) that catches its own errors",
      code: `class Base {\n  async flush() {\n    try {\n      await fetch("http://sink", { method: "POST" });\n    } catch (error) {\n      console.error(error);\n    }\n  }\n}\nexport class Exporter extends Base {\n  stop() {\n    this.flush();\n  }\n}`,
    },
    {
      name: "cannot-reject (with types, interface): a call through an interface whose every implementing class in the run catches its own errors",
      types: true,
      code: `import type { JobQueue } from "./queue.js";\nexport function stop(queue: JobQueue) {\n  queue.drain();\n}`,
      files: {
        "src/queue.ts": `export interface JobQueue {\n  drain(): Promise<void>;\n}`,
        "src/memory-queue.ts": `import type { JobQueue } from "./queue.js";\nexport class MemoryQueue implements JobQueue {\n  jobs: string[] = [];\n  async drain() {\n    this.jobs.length = 0;\n  }\n}`,
        "src/http-queue.ts": `import type { JobQueue } from "./queue.js";\nexport class HttpQueue implements JobQueue {\n  async drain() {\n    try {\n      await fetch("http://jobs/drain", { method: "POST" });\n    } catch (error) {\n      console.error(error);\n    }\n  }\n}`,
      },
    },
    {
      name: "cannot-reject (with types, abstract method): this.flush() of an abstract method whose implementations catch their own errors",
      types: true,
      code: `export abstract class Exporter {\n  abstract flush(): Promise<void>;\n  stop() {\n    this.flush();\n  }\n}\nexport class HttpExporter extends Exporter {\n  async flush() {\n    try {\n      await fetch("http://sink", { method: "POST" });\n    } catch (error) {\n      console.error(error);\n    }\n  }\n}`,
    },
    {
      name: "cannot-reject (with types, interface): a property of an interface type implemented by an object literal that catches its own errors",
      types: true,
      code: `interface Store {\n  remove: (key: string) => Promise<void>;\n}\nexport const store: Store = {\n  remove: async (key) => {\n    try {\n      await fetch("http://cache/" + key, { method: "DELETE" });\n    } catch {\n      return;\n    }\n  },\n};\nexport function evict(target: Store, key: string) {\n  target.remove(key);\n}`,
    },
    {
      name: "cannot-reject: an async function that returns a handled chain (return db.put(x).catch(log)): the call the chain starts from rejects rather than throws",
      code: `interface Db {\n  put(x: string): Promise<void>;\n}\nasync function save(db: Db, x: string) {\n  return db.put(x).catch((error: unknown) => console.error(error));\n}\nexport function go(db: Db, x: string) {\n  save(db, x);\n}`,
    },
    {
      name: "cannot-reject: same-class async methods that await or return handled chains (.catch(h), .then(undefined, h))",
      code: `interface Db {\n  del(x: string): Promise<void>;\n}\nexport class Repo {\n  constructor(private db: Db) {}\n  async remove(x: string) {\n    await this.db.del(x).catch(() => undefined);\n  }\n  async evict(x: string) {\n    return this.db.del(x).then(undefined, () => false);\n  }\n  stop(x: string) {\n    this.remove(x);\n    this.evict(x);\n  }\n}`,
    },
    {
      name: "cannot-reject (with types): a handled chain returned by an async function whose promise comes from an interface without implementations",
      types: true,
      code: `interface Db {\n  put(x: string): Promise<void>;\n}\nconst save = async (db: Db, x: string) => db.put(x).catch(() => undefined);\nexport function go(db: Db, x: string) {\n  save(db, x);\n}`,
    },
    {
      name: 'cannot-reject: a background export that loads a module with import("literal") outside its try and awaits a failure notice in its catch (the function\'s own handling)',
      code: `async function notify(message: string) {\n  await fetch("http://notifications", { method: "POST", body: message });\n}\nclass ExportService {\n  async exportToFile(collection: string) {\n    const { createTmpFile } = await import("@directus/utils/node");\n    try {\n      const file = await createTmpFile();\n      await fetch("http://export/" + collection, { method: "POST", body: file.path });\n    } catch (error) {\n      console.error(error);\n      await notify("export of " + collection + " failed");\n    }\n  }\n}\nexport function exportLater(collection: string) {\n  const service = new ExportService();\n  service.exportToFile(collection);\n}`,
    },
    {
      name: "startup-code: void start() at the top level of a CLI entry file with a #! line (a rejection ends the command with the error)",
      filename: "bin.js",
      code: `#!/usr/bin/env node\nconst start = async () => {\n  const { bin } = await import("./dist/bin/index.js");\n  await bin();\n};\nif (process.argv.includes("--fast")) {\n  void start();\n} else {\n  start();\n}`,
    },
    {
      name: "startup-code: void info() under an if that asks whether this module is the one Node was started with",
      code: `async function info() {\n  const res = await fetch("http://registry/info");\n  console.log(await res.text());\n}\nif (import.meta.url === \`file://\${process.argv[1]}\`) {\n  void info();\n}`,
    },
    {
      name: "startup-code: main() under require.main === module",
      filename: "server.js",
      code: `async function main() {\n  await fetch("http://config");\n}\nif (require.main === module) {\n  main();\n}`,
    },
    {
      name: "returns-its-argument (with types): Object.defineProperties(promise, …) returns the promise the next line returns",
      types: true,
      code: `export function shortcut(promiseToAwait: Promise<unknown>) {\n  const newPromise = (async () => {\n    const response = await promiseToAwait;\n    return JSON.parse(String(response));\n  })();\n  Object.defineProperties(newPromise, Object.getOwnPropertyDescriptors(promiseToAwait));\n  return newPromise;\n}`,
    },
    {
      name: "cannot-reject: a plain function that returns Promise.resolve of a const object (void closeHandler())",
      code: `import { EventEmitter } from "node:events";\nexport function onData(emitter: EventEmitter) {\n  let finished = false;\n  function closeHandler() {\n    emitter.off("data", closeHandler);\n    finished = true;\n    const doneResult = { value: undefined, done: finished } as const;\n    return Promise.resolve(doneResult);\n  }\n  emitter.on("error", () => {\n    void closeHandler();\n  });\n}`,
    },
    {
      name: "cannot-reject (with types): Promise.resolve of a value the checker types as no thenable",
      types: true,
      code: `function done(result: { value: number; done: boolean }) {\n  return Promise.resolve(result);\n}\nexport function finish(result: { value: number; done: boolean }) {\n  void done(result);\n}`,
    },
    {
      name: "cannot-reject: an async method that counts listeners outside its try (listenerCount does not throw)",
      code: `import { EventEmitter } from "node:events";\nexport class Request extends EventEmitter {\n  async retry() {\n    if (this.listenerCount("retry") === 0) return;\n    try {\n      await fetch("http://retry", { method: "POST" });\n    } catch (error) {\n      console.error(error);\n    }\n  }\n  fail() {\n    this.retry();\n  }\n}`,
    },
    {
      name: "cannot-reject: Promise.all over an array built with push, every pushed promise ending in .catch (reinstall list of modules)",
      code: `async function installModule(id: string) {\n  await fetch("http://registry/" + id);\n}\nexport function reinstall(ids: string[], retry: (failed: string[]) => void) {\n  const failed: string[] = [];\n  const promises = [];\n  for (const id of ids) {\n    promises.push(installModule(id).catch(() => {\n      failed.push(id);\n    }));\n  }\n  Promise.all(promises).then(() => {\n    if (failed.length > 0) retry(failed);\n  });\n}`,
    },
    {
      name: "void-of-unknown-call: void of a function of a package, not known to give a promise (no guess without evidence)",
      code: `import { track } from "analytics-client";\nexport function remember(id: string) {\n  void track("profile", id);\n}`,
    },
    {
      name: "void-of-unknown-call: void of a function of a relative module outside the run, when nothing of that module is awaited",
      code: `import { setCachedProfile } from "../lib/profile-cache.js";\nexport function remember(id: string, profile: object) {\n  void setCachedProfile(id, profile);\n}`,
    },
    {
      name: "void-of-unknown-call (with types): void of a call of a package the checker types as any",
      types: true,
      code: `import { track } from "analytics-client";\nexport async function remember(id: string) {\n  await track("login", id);\n  void track("profile", id);\n}`,
    },
    {
      name: "void-of-unknown-call (with types): void of a method of an untyped object",
      types: true,
      code: `export function close(socket: any) {\n  void socket.terminate();\n}`,
    },
    {
      name: "void-of-unknown-call (with types): void of a call typed undefined",
      types: true,
      code: `declare const hooks: { onClose?: () => undefined };\nexport function close() {\n  void hooks.onClose?.();\n}`,
    },
    {
      name: "void of a call the checker types as not a promise",
      types: true,
      code: `declare function setCachedProfile(id: string): boolean;\nexport function remember(id: string) {\n  void setCachedProfile(id);\n}`,
    },
    {
      name: "cannot-reject: VS Code withProgress whose task catches its own errors",
      code: `import * as vscode from "vscode";\nexport function run(load: () => Promise<string>) {\n  vscode.window.withProgress({ location: vscode.ProgressLocation.Notification }, async () => {\n    try {\n      await load();\n    } catch (error) {\n      console.error(error);\n    }\n  });\n}`,
    },
    {
      name: "a method of an annotated library class that returns no promise (Topic.subscription)",
      code: `import { PubSub, Topic } from "@google-cloud/pubsub";\nexport class Bus {\n  constructor(private readonly pubsub: PubSub) {}\n  private getTopic(name: string): Topic {\n    return this.pubsub.topic(name);\n  }\n  listen(name: string) {\n    this.getTopic(name).subscription("workers");\n  }\n}`,
    },
    {
      name: "cannot-reject: an imported async function whose helper it imports relative to its own folder cannot throw",
      code: `import { track } from "./telemetry/track.js";\nexport function schedule() {\n  track();\n}`,
      files: {
        "src/telemetry/track.ts": `import { setTimeout } from "node:timers/promises";\nimport { randomWait } from "../utils/random-wait.js";\nexport const track = async () => {\n  await setTimeout(randomWait());\n  try {\n    await fetch("http://telemetry/report", { method: "POST" });\n    return true;\n  } catch {\n    return false;\n  }\n};`,
        "src/utils/random-wait.ts": `export const randomWait = () => Math.floor(Math.random() * 1_800_000);`,
      },
    },
    {
      name: "void is accepted with allowVoid",
      code: `async function refresh() { await fetch("http://cache"); }\nvoid refresh();`,
      options: { allowVoid: true },
    },
    {
      name: "void of a handled chain",
      code: `async function refresh() { await fetch("http://cache"); }\nvoid refresh().catch(log);`,
    },
    {
      name: "Cypress-style .then chain on an unknown object",
      code: `cy.get("button").click().then(($el) => expect($el).to.exist);`,
    },
    {
      name: "synchronous function called as a statement",
      code: `function track(event: string) { queue.push(event); }\ntrack("login");`,
    },
    {
      name: "listener whose await sits in try/catch",
      code: `import { EventEmitter } from "node:events";\nconst bus = new EventEmitter();\nbus.on("order", async (order: string) => {\n  try {\n    await fetch("http://orders", { method: "POST", body: order });\n  } catch (error) {\n    console.error(error);\n  }\n});`,
    },
    {
      name: "Telegraf awaits its handlers",
      code: `import { Telegraf } from "telegraf";\nconst bot = new Telegraf(token);\nbot.on("text", async (ctx) => {\n  await ctx.reply("hi");\n});`,
    },
    {
      name: "for...of loop awaits each item instead of forEach",
      code: `import { unlink } from "node:fs/promises";\nexport async function clean(paths: string[]) {\n  for (const p of paths) await unlink(p);\n}`,
    },
    {
      name: "method of an unknown object without types stays quiet",
      code: `export function release(pool: any) {\n  pool.end();\n}`,
    },
    {
      name: "type checker says the imported call is synchronous",
      code: `function save(): number { return 1; }\nsave();`,
      types: true,
    },
    {
      name: "entry point awaited at top level",
      code: `async function main() { await fetch("http://start"); }\nawait main();`,
    },
    {
      name: "Express route with an async handler is left to the framework",
      code: `import express from "express";\nconst app = express();\napp.get("/users", async (req, res) => {\n  res.json(await fetch("http://users"));\n});`,
    },
    {
      name: "async test callbacks are awaited by the test runner",
      code: `it("loads", async () => {\n  await fetch("http://localhost/health");\n});`,
    },
    {
      name: "promise handed to a background task group",
      code: `async function sync() { await fetch("http://sync"); }\nexport function start(group: { spawn(p: Promise<unknown>): void }) {\n  group.spawn(sync());\n}`,
    },
    {
      name: "rejection handler attached right away, awaited later",
      code: `export async function load(id: string) {\n  const user = fetch("http://users/" + id);\n  user.catch(() => undefined);\n  const prefs = await fetch("http://prefs/" + id);\n  return [await user, prefs];\n}`,
    },
    {
      name: "emitter created with captureRejections routes listener rejections to 'error'",
      code: `import { EventEmitter } from "node:events";\nconst bus = new EventEmitter({ captureRejections: true });\nbus.on("order", async (order: string) => {\n  await fetch("http://orders", { method: "POST", body: order });\n});`,
    },
    {
      name: "stored promise passed to a callback before the next await",
      code: `export async function load(id: string) {\n  const user = fetch("http://users/" + id);\n  queueMicrotask(() => { user.catch(log); });\n  await fetch("http://prefs/" + id);\n  return user;\n}`,
    },
    {
      name: "lazy query builder stored before another await",
      code: `interface Query<T> { then<R>(onFulfilled: (value: T) => R, onRejected?: (error: unknown) => R): Query<R>; where(sql: string): Query<T> }\ndeclare const db: { select(table: string): Query<string[]>; count(table: string): Promise<number> };\nexport async function list() {\n  const rows = db.select("users").where("active");\n  const total = await db.count("users");\n  return { rows: await rows, total };\n}`,
      types: true,
    },
    {
      name: "setTimeout arrow returning a handled chain",
      code: `export function retryLater(url: string) {\n  setTimeout(() => fetch(url).catch(console.error), 1000);\n}`,
    },
    {
      name: "local async function that catches everything itself",
      code: `async function readAll(reader: ReadableStreamDefaultReader, done: (b: unknown[]) => void, fail: (e: unknown) => void) {\n  try {\n    const chunks = [];\n    for (;;) {\n      const { done: end, value } = await reader.read();\n      if (end) return done(chunks);\n      chunks.push(value);\n    }\n  } catch (error) {\n    fail(error);\n  }\n}\nexport function consume(reader: ReadableStreamDefaultReader) {\n  readAll(reader, console.log, console.error);\n}`,
    },
    {
      name: "method that returns a promise only without a callback",
      code: `class Dispatcher {\n  close(callback?: (err: Error | null) => void) {\n    if (callback === undefined) {\n      return new Promise((resolve, reject) => this.close((err) => (err ? reject(err) : resolve(undefined))));\n    }\n    queueMicrotask(() => callback(null));\n  }\n  shutdown() {\n    this.close(() => {});\n  }\n}`,
    },
    {
      name: "deferred without reject stored before other awaits",
      code: `export async function waitForTimeout(server: { on(e: string, f: () => void): void; listen(): Promise<void> }) {\n  let fire!: () => void;\n  const timedOut = new Promise<void>((resolve) => { fire = resolve; });\n  server.on("timeout", () => fire());\n  await server.listen();\n  await timedOut;\n}`,
    },
    {
      name: "local async function whose body is a try/catch that logs, with declarations and logging outside",
      code: `async function syncOrder(id: string) {\n  const url = "http://orders/" + id;\n  console.info("syncing", id);\n  try {\n    await fetch(url, { signal: AbortSignal.timeout(5000) });\n  } catch (err) {\n    console.error("sync failed", err);\n  }\n}\nexport function onSaved(id: string) {\n  syncOrder(id);\n}`,
    },
    {
      name: "worker task handler that reads the clock and counts before its try (piscina's onMessage)",
      code: `import { performance } from "node:perf_hooks";\nlet running = 0;\nasync function onMessage(port: { postMessage(m: unknown): void }, task: string) {\n  running++;\n  const start = performance.now();\n  try {\n    const result = await fetch("http://run/" + task, { signal: AbortSignal.timeout(5000) });\n    port.postMessage({ result: result.status, time: Math.round(performance.now() - start) });\n  } catch (error) {\n    port.postMessage({ error, time: Math.round(performance.now() - start) });\n  }\n}\nexport function receive(port: { postMessage(m: unknown): void }, task: string) {\n  onMessage(port, task);\n}`,
    },
    {
      name: "async body writer that asserts an invariant and adds listeners before its try (undici's writeIterable)",
      code: `import assert from "node:assert";\nasync function writeIterable(body: AsyncIterable<string>, socket: { on(e: string, f: () => void): typeof socket; off(e: string, f: () => void): void; write(c: string): boolean }, abort: (e: unknown) => void) {\n  assert(socket, "socket required");\n  const onDrain = () => {};\n  socket.on("close", onDrain).on("drain", onDrain);\n  try {\n    for await (const chunk of body) socket.write(chunk);\n  } catch (err) {\n    abort(err);\n  } finally {\n    socket.off("close", onDrain);\n  }\n}\nexport function writeRequest(body: AsyncIterable<string>, socket: never, abort: (e: unknown) => void) {\n  writeIterable(body, socket, abort);\n}`,
    },
    {
      name: "local async function whose throw is caught by its own try",
      code: `async function validateRemote(x: string) {\n  try {\n    if (!x) throw new Error("empty");\n    await fetch("http://validate/" + x, { signal: AbortSignal.timeout(5000) });\n  } catch {\n    return;\n  }\n}\nexport function check(x: string) {\n  validateRemote(x);\n}`,
    },
    {
      name: "setTimeout with a synchronous callback",
      code: `setTimeout(() => { console.log("tick"); }, 100);`,
    },
    {
      name: "Promise.allSettled over replies followed by a synchronous .then (ioredis HIMPORT fan-out)",
      code: `export function fanOut(replies: Promise<string>[], done: (value: string | undefined) => void) {\n  Promise.allSettled(replies).then((results) => {\n    const first = results.find((result) => result.status === "fulfilled");\n    done(first?.status === "fulfilled" ? first.value : undefined);\n  });\n}`,
    },
    {
      name: "client method typed Promise | undefined, called with its callback (undici request(opts, callback))",
      types: true,
      code: `interface Client { request(options: { path: string }, callback?: (error: Error | null, data?: unknown) => void): Promise<unknown> | undefined }\nexport function get(client: Client, path: string, done: (error: Error | null) => void) {\n  client.request({ path }, (error) => done(error));\n}`,
    },
    {
      name: "cannot-reject: a stream's async error path (beforeError hooks in a try, then only destroy/emit/pause on itself outside it), voided",
      code: `import { Duplex } from "node:stream";\ntype Hook = (error: Error) => Promise<Error>;\nexport class Request extends Duplex {\n  hooks: Hook[] = [];\n  body?: NodeJS.ReadableStream;\n  fail(error: Error) {\n    void this._error(error);\n  }\n  async _error(error: Error) {\n    try {\n      for (const hook of this.hooks) error = await hook(error);\n    } catch (error_) {\n      error = error_ as Error;\n    }\n    if (isStreamBody(this.body)) this.body.unpipe();\n    this.pause();\n    this.destroy(error);\n    this.emit("retry", error);\n  }\n}\ndeclare function isStreamBody(body: unknown): body is NodeJS.ReadableStream;`,
    },
    {
      name: "cannot-reject: an async IIFE whose only unprotected statements are calls on an emitter held in a field (new EventEmitter()) and a predicate of a package",
      code: `import { EventEmitter } from "node:events";\nimport is from "@sindresorhus/is";\nexport class Watcher {\n  events = new EventEmitter();\n  start(url: string) {\n    (async () => {\n      try {\n        const response = await fetch(url);\n        if (is.string(response.statusText)) this.events.emit("response", response);\n      } catch (error) {\n        console.error(error);\n      }\n      this.events.emit("done");\n    })();\n  }\n}`,
    },
    {
      name: "cannot-reject (syntax): a function of a namespace import (import * as ns) whose body catches its rejection",
      code: `import * as cache from "./cache.js";\nexport function onChange() {\n  cache.refresh();\n}`,
      files: {
        "src/cache.ts": `export async function refresh() {\n  try {\n    await fetch("http://cache/refresh", { method: "POST" });\n  } catch (error) {\n    console.error(error);\n  }\n}`,
      },
    },
    {
      name: "cannot-reject (syntax): a method of a CommonJS module object (const m = require('./m')) called the compiled way, (0, m.f)()",
      filename: "handler.js",
      code: `const cache_1 = require("./cache.js");\nexports.onChange = function onChange() {\n  (0, cache_1.refresh)();\n};`,
      files: {
        "src/cache.js": `async function refresh() {\n  try {\n    await fetch("http://cache/refresh", { method: "POST" });\n  } catch (error) {\n    console.error(error);\n  }\n}\nmodule.exports = { refresh };`,
      },
    },
    {
      name: "is-test-code: a close() dropped in a node:test teardown hook (t.after(() => { app.close() }))",
      filename: "server.test.ts",
      code: `import test from "node:test";\nclass App {\n  async close() {\n    await fetch("http://localhost/shutdown", { method: "POST" });\n  }\n}\ntest("serves", async (t) => {\n  const app = new App();\n  t.after(() => {\n    app.close();\n  });\n});`,
    },
    {
      name: "is-test-code: an afterEach hook that drops a rejecting cleanup of a test file",
      filename: "pool.spec.ts",
      code: `async function dropTables() {\n  await fetch("http://db/reset", { method: "POST" });\n}\ndeclare function afterEach(fn: () => void): void;\nafterEach(() => {\n  dropTables();\n});`,
    },
    {
      name: "is-test-code: the server under test closed without awaiting, after the assertions of a callback-style test",
      filename: "listen.test.js",
      code: `class App {\n  async close() {\n    await fetch("http://localhost/shutdown", { method: "POST" });\n  }\n  listen(callback) {\n    callback(null);\n  }\n}\nexports.run = function run(t, done) {\n  const app = new App();\n  app.listen((error) => {\n    t.assert.ifError(error);\n    app.close();\n    done();\n  });\n};`,
    },
    {
      name: "cannot-reject: an async IIFE whose unprotected statements read a header as a string (?? '', toLowerCase, split(…).some(…trim())) and defer with process.nextTick of node:process",
      code: `import process from "node:process";\nconst compressed = new Set(["gzip", "br"]);\nexport function onResponse(response: { headers: Record<string, string | undefined> }, done: (error?: unknown) => void) {\n  void (async () => {\n    const encoding = (response.headers["content-encoding"] ?? "").toLowerCase();\n    const isCompressed = encoding.split(",").some((part) => compressed.has(part.trim()));\n    try {\n      await fetch("http://decoder/" + String(isCompressed));\n    } catch (error) {\n      process.nextTick(() => done(error));\n      return;\n    }\n    process.nextTick(() => done());\n  })();\n}`,
    },
    {
      name: "cannot-reject (with types): a compiled package's call the checker resolves to a .d.ts is followed into the .js beside it (super.init of a synchronous base method typed void | Promise<void>)",
      types: true,
      filename: "child.js",
      code: `const { Base } = require("./base");\nclass Child extends Base {\n  init(injector) {\n    super.init(injector);\n  }\n}\nexports.Child = Child;`,
      files: {
        "src/base.d.ts": `export interface Strategy {\n  init(injector: unknown): void | Promise<void>;\n}\nexport declare class Base implements Strategy {\n  init(injector: unknown): void | Promise<void>;\n}`,
        "src/base.js": `class Base {\n  init(injector) {\n    this.injector = injector;\n  }\n}\nexports.Base = Base;`,
      },
    },
    {
      name: "cannot-reject (with types): a method typed Promise<void> in the .d.ts whose compiled .js body catches everything",
      types: true,
      code: `import type { Cache } from "./cache.js";\nexport function onChange(cache: Cache) {\n  cache.refresh();\n}`,
      files: {
        "src/cache.d.ts": `export declare class Cache {\n  refresh(): Promise<void>;\n}`,
        "src/cache.js": `export class Cache {\n  async refresh() {\n    try {\n      await fetch("http://cache/refresh", { method: "POST" });\n    } catch (error) {\n      console.error(error);\n    }\n  }\n}`,
      },
    },
    {
      name: "callback-form-of-dual-api (with types): query(sql, callback) typed Promise<…> | this (mssql) gives the request, not a promise",
      types: true,
      code: `export class Request {\n  query(sql: string, callback?: (error: Error | null) => void): Promise<unknown> | this {\n    if (callback) {\n      setImmediate(() => callback(null));\n      return this;\n    }\n    return fetch("http://db/" + sql);\n  }\n}\nexport function commit(request: Request, done: (error: Error | null) => void) {\n  request.query("commit tran", (error) => done(error));\n}`,
    },
    {
      name: "callback-form-of-dual-api: a function of a module object that makes its promise only when no callback is given (if (!callback)), called with a callback",
      filename: "message.js",
      code: `const shared = require("./shared.js");\nexports.resolveAll = function resolveAll(args, done) {\n  shared.resolveContent(...args, { disableFileAccess: true }, (err, value) => done(err, value));\n};`,
      files: {
        "src/shared.js": `function resolveContent(data, key, options, callback) {\n  let promise;\n  if (!callback) {\n    promise = new Promise((resolve, reject) => {\n      callback = (err, value) => (err ? reject(err) : resolve(value));\n    });\n  }\n  setImmediate(() => callback(null, data[key]));\n  return promise;\n}\nmodule.exports = { resolveContent };`,
      },
    },
  ],
  invalid: [
    {
      name: "an async function of another file that returns a const holding a .then chain on a lock map entry (its callback awaits a write): the chain is adopted, so it can reject",
      filename: "library.js",
      code: 'const util = require("./util");\nexports.save = function save(path, body) {\n  util.writeFile(path, body);\n};',
      files: {
        "src/util.js":
          'const locks = {};\nmodule.exports = {\n  writeFile: async function (path, content) {\n    if (!locks[path]) locks[path] = Promise.resolve();\n    const result = locks[path].then(async () => {\n      await require("node:fs/promises").writeFile(path, content);\n    });\n    locks[path] = result.catch(() => {});\n    return result;\n  },\n};',
      },
      errors: [{ messageId: "floating", line: 3 }],
    },
    {
      name: "a signal handler that kills another process (process.kill(pid, …) may throw ESRCH) outside its try",
      filename: "server.js",
      code: 'const log_1 = require("./log");\nasync function stop() {\n  await fetch("http://localhost/stop");\n}\nexports.watch = function watch(pid) {\n  process.on("SIGINT", async () => {\n    log_1.default.info("Exiting...");\n    try {\n      await stop();\n    } catch (error) {\n      console.error(error);\n    }\n    process.kill(pid, "SIGINT");\n  });\n};',
      errors: [{ messageId: "asyncCallback", line: 6 }],
    },
    {
      name: "Promise.all over names.map(…) whose callback's promises can reject, in a try/finally",
      code: 'async function loadDetail(name: string) {\n  await fetch("http://plugins/" + name);\n}\nexport function refresh(names: any) {\n  setImmediate(async () => {\n    let busy = true;\n    try {\n      await Promise.all(names.map((name: string) => loadDetail(name)));\n    } finally {\n      busy = false;\n    }\n    console.log(busy);\n  });\n}',
      errors: [{ messageId: "asyncCallback", line: 5 }],
    },
    {
      name: "Promise.all over items.map(async …) whose callback awaits a request outside any try",
      code: 'export class Processor {\n  names: string[] = [];\n  async process() {\n    await Promise.all(this.names.map(async (name) => {\n      await fetch("http://jobs/" + name);\n    }));\n  }\n  start() {\n    this.process();\n  }\n}',
      errors: [{ messageId: "floating", line: 9 }],
    },
    {
      name: "JSON.parse outside a try is not taken as non-throwing (unlike Object.keys, path.parse)",
      code: 'import path from "node:path";\nexport async function load(text: string) {\n  const { name } = path.parse(text);\n  return Object.keys(JSON.parse(name));\n}\nexport function start() {\n  load("{}");\n}',
      errors: [{ messageId: "floating", line: 7 }],
    },
    {
      name: "an async listener that emits 'error' on an emitter with no 'error' listener registered",
      code: 'import { EventEmitter } from "node:events";\nexport function upload(parser: EventEmitter, save: (name: string) => Promise<void>) {\n  const busboy = parser;\n  busboy.on("file", async (name: string) => {\n    if (!name) return busboy.emit("error", new Error("missing name"));\n    try {\n      await save(name);\n    } catch (error) {\n      console.error(error);\n    }\n  });\n}',
      errors: [{ messageId: "asyncCallback", line: 4 }],
    },
    {
      name: "a private field assigned outside the constructor from a factory that is not readline's: its close() may throw",
      code: 'import { createThing } from "./thing.js";\nexport class Shell {\n  #rl: { close(): void; on(event: string, listener: (line: string) => void): void } | null = null;\n  run() {\n    this.#rl = createThing();\n    this.#rl.on("line", async (line: string) => {\n      if (line === "exit") this.#rl!.close();\n    });\n  }\n}',
      errors: [{ messageId: "asyncCallback", line: 6 }],
    },
    {
      name: "items.map(async …) dropped, whose async function awaits a request",
      code: 'export class Console {\n  async send(text: string) {\n    await fetch("http://chat/" + text);\n  }\n  emote(strings: string[]) {\n    strings.map((text) => this.send(`* ${text}`));\n  }\n}',
      errors: [{ messageId: "droppedArray", line: 6 }],
    },
    {
      name: "fn.call(this) of a function whose returned chain has no rejection handler",
      filename: "registry.js",
      code: `async function sample() {\n  await fetch("http://metrics");\n}\nfunction update() {\n  return sample().then(() => this.log("updated"));\n}\nexports.start = function start(registry) {\n  update.call(registry);\n};`,
      errors: [{ messageId: "floating", line: 8 }],
    },
    {
      name: "a tracked operation whose rejection handler passes the rejection on (e => Promise.reject(e)), chained with .then only",
      types: true,
      code: `export class Pool {\n  validations = new Set<Promise<boolean>>();\n  trackOperation(operation: Promise<boolean>, set: Set<Promise<boolean>>): Promise<boolean> {\n    set.add(operation);\n    return operation.then(\n      (value) => {\n        set.delete(operation);\n        return Promise.resolve(value);\n      },\n      (error) => {\n        set.delete(operation);\n        return Promise.reject(error);\n      },\n    );\n  }\n  testOnBorrow(validate: () => Promise<boolean>) {\n    this.trackOperation(validate(), this.validations).then((isValid) => {\n      console.log(isValid);\n    });\n  }\n}`,
      errors: [{ messageId: "floating", line: 17 }],
    },
    {
      name: "a .catch handler that rethrows: the chain can still reject",
      code: `async function load() {\n  await fetch("http://items");\n}\nexport function start() {\n  const loading = load().catch((error) => {\n    console.error(error);\n    throw error;\n  });\n  loading.then(() => console.log("loaded"));\n}`,
      errors: [{ messageId: "floating", line: 9 }],
    },
    {
      name: "a call through a computed name whose key is a union of literals is typed by the checker",
      types: true,
      code: `const api = {\n  async load(id: string) {\n    await fetch("http://items/" + id);\n  },\n  async save(id: string) {\n    await fetch("http://items/" + id, { method: "PUT" });\n  },\n};\nexport function run(action: "load" | "save", id: string) {\n  api[action](id);\n}`,
      errors: [{ messageId: "floating", line: 10 }],
    },
    {
      name: "an EventEmitter subclass of the linted code with the inherited (synchronous) emit drops its async listeners' promises",
      code: `import { EventEmitter } from "node:events";\nclass Bus extends EventEmitter {}\nconst bus = new Bus();\nbus.on("order", async (id: string) => {\n  await fetch("http://orders/" + id);\n});`,
      errors: [{ messageId: "asyncCallback", line: 4 }],
    },
    {
      name: "a timers/promises wait with an abort signal can reject (AbortError)",
      code: `import { setTimeout as sleep } from "node:timers/promises";\nexport function later(signal: AbortSignal) {\n  sleep(100, undefined, { signal }).then(() => console.log("done"));\n}`,
      errors: [{ messageId: "floating", line: 3 }],
    },
    {
      name: "an async IIFE whose catch rethrows can reject",
      code: `export function start() {\n  (async () => {\n    try {\n      await fetch("http://jobs/next");\n    } catch (error) {\n      throw new Error("fetch failed", { cause: error });\n    }\n  })();\n}`,
      errors: [{ messageId: "floating", line: 2 }],
    },
    {
      name: "an async function calling, outside its try, a helper that can throw",
      code: `function parse(text: string): unknown {\n  return JSON.parse(text);\n}\nasync function handle(text: string) {\n  const body = parse(text);\n  try {\n    await fetch("http://sink", { method: "POST", body: JSON.stringify(body) });\n  } catch (error) {\n    console.error(error);\n  }\n}\nexport function onData(text: string) {\n  handle(text);\n}`,
      errors: [{ messageId: "floating", line: 13 }],
    },
    {
      name: "a promise whose executor uses reject, chained with .then only",
      code: `export function wait(ms: number) {\n  const done = new Promise<void>((resolve, reject) => {\n    if (ms < 0) reject(new RangeError("negative"));\n    setTimeout(resolve, ms);\n  });\n  done.then(() => console.log("waited"));\n}`,
      errors: [{ messageId: "floating", line: 6 }],
    },
    {
      name: "unhandled-rejection handler installed in the package: the message says the rejection goes to that handler",
      code: `async function saveAudit(entry: string) {\n  await fetch("http://audit/entries", { method: "POST", body: entry });\n}\nexport function handle(entry: string) {\n  saveAudit(entry);\n}`,
      files: {
        "src/main.ts": `process.on("unhandledRejection", (reason) => {\n  console.error("unhandled rejection", reason);\n});`,
      },
      errors: [{ messageId: "floatingToHandler", line: 5 }],
    },
    {
      name: "an imported async function that awaits outside its try still rejects",
      code: `import { track } from "./telemetry.js";\nexport function start() {\n  track();\n}`,
      files: {
        "src/telemetry.ts": `export async function track(): Promise<boolean> {\n  const report = await fetch("http://telemetry/report", { method: "POST" });\n  try {\n    return report.ok;\n  } catch {\n    return false;\n  }\n}`,
      },
      errors: [{ messageId: "floating", line: 3 }],
    },
    {
      name: "a Thenable whose members are only the promise protocol (VS Code's withProgress) is a promise",
      types: true,
      code: `interface Thenable<T> {\n  then<R>(onFulfilled?: (value: T) => R, onRejected?: (reason: unknown) => R): Thenable<R>;\n}\ndeclare const window: { withProgress(task: () => Promise<void>): Thenable<void> };\nexport function run() {\n  window.withProgress(async () => {});\n}`,
      errors: [{ messageId: "floating", line: 6 }],
    },
    {
      name: "a subclass of Promise is a promise, whatever else it declares",
      types: true,
      code: `class TrackedPromise<T> extends Promise<T> {\n  label = "job";\n}\ndeclare const jobs: { start(): TrackedPromise<void> };\nexport function run() {\n  jobs.start();\n}`,
      errors: [{ messageId: "floating", line: 6 }],
    },
    {
      name: "audit write not awaited in a request handler",
      code: `async function saveAudit(e: string) { await fetch("http://audit", { method: "POST", body: e }); }\nexport async function handle(e: string) {\n  saveAudit(e);\n  return { ok: true };\n}`,
      errors: [{ messageId: "floating", line: 3 }],
    },
    {
      name: "bare fetch for a webhook",
      code: `export function notify(url: string) {\n  fetch(url, { method: "POST" });\n}`,
      errors: [{ messageId: "floating", line: 2 }],
    },
    {
      name: "fs/promises write never awaited",
      code: `import fs from "node:fs/promises";\nexport function persist(state: object) {\n  fs.writeFile("state.json", JSON.stringify(state));\n}`,
      errors: [{ messageId: "floating", line: 3 }],
    },
    {
      name: "fs.promises namespace via require",
      code: `const fs = require("fs");\nfunction persist(state: object) {\n  fs.promises.writeFile("state.json", JSON.stringify(state));\n}`,
      errors: [{ messageId: "floating", line: 3 }],
    },
    {
      name: ".then without a rejection handler",
      code: `async function load() { return fetch("http://config"); }\nload().then((res) => apply(res));`,
      errors: [{ messageId: "floating", line: 2 }],
    },
    {
      name: ".finally alone does not handle the rejection",
      code: `async function flush() { await fetch("http://collector"); }\nflush().finally(() => metrics.flushed());`,
      errors: [{ messageId: "floating", line: 2 }],
    },
    {
      name: "void cache write of a function of another module, with no rejection handler (void-cache-write-without-catch)",
      code: `import { getCachedProfile, setCachedProfile } from "../lib/profile-cache.js";\nexport async function authenticate(req: { user: object; id: string }, next: () => void) {\n  if (await getCachedProfile(req.id)) return next();\n  void setCachedProfile(req.id, req.user, 60);\n  next();\n}`,
      errors: [{ messageId: "voided", line: 4 }],
    },
    {
      name: "void of a function declared async in another file of the run (void-of-known-async-function)",
      code: `import { setCachedProfile } from "./profile-cache.js";\nexport function remember(id: string, profile: object) {\n  void setCachedProfile(id, profile);\n}`,
      files: {
        "src/profile-cache.ts": `export async function setCachedProfile(id: string, profile: object) {\n  await fetch("http://cache/" + id, { method: "PUT", body: JSON.stringify(profile) });\n}`,
      },
      errors: [{ messageId: "voided", line: 3 }],
    },
    {
      name: "void of a call the checker types as a promise (with types), declared without a body",
      types: true,
      code: `declare function refresh(id: string): Promise<void>;\nexport function remember(id: string) {\n  void refresh(id);\n}`,
      errors: [{ messageId: "voided", line: 3 }],
    },
    {
      name: "VS Code withProgress started inside try/catch without await: the catch never sees the task's rejection (withprogress-not-awaited-in-try)",
      code: `import * as vscode from "vscode";\nexport async function create(load: () => Promise<string>) {\n  try {\n    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification }, async () => {\n      const code = await load();\n      console.log(code);\n    });\n  } catch (error) {\n    vscode.window.showErrorMessage(String(error));\n  }\n}`,
      errors: [{ messageId: "floating", line: 4 }],
    },
    {
      name: "async service method ends with a Pub/Sub publish on a topic returned by a typed helper, neither awaited nor returned (pubsub-publish-not-awaited)",
      code: `import { PubSub, Topic } from "@google-cloud/pubsub";\nexport class PubsubService {\n  constructor(private readonly pubsub: PubSub) {}\n  async publishMessage(name: string, body: string): Promise<void> {\n    const signature = await this.sign(body);\n    this.getTopic(name).publish(Buffer.from(body), { signature });\n  }\n  private async sign(body: string) {\n    return body.length.toString();\n  }\n  private getTopic(name: string): Topic {\n    return this.pubsub.topic(name);\n  }\n}`,
      errors: [{ messageId: "floating", line: 6 }],
    },
    {
      name: "pg pool held in an annotated property: query neither awaited nor returned",
      code: `import { Pool } from "pg";\nexport class Audit {\n  private pool: Pool;\n  constructor(pool: Pool) {\n    this.pool = pool;\n  }\n  record(entry: string) {\n    this.pool.query("insert into audit values ($1)", [entry]);\n  }\n}`,
      errors: [{ messageId: "floating", line: 8 }],
    },
    {
      name: "an async function re-exported through an index module (export * and export { … } from)",
      code: `import { track } from "./telemetry/index.js";\nexport function schedule() {\n  track();\n}`,
      files: {
        "src/telemetry/index.ts": `export * from "./lib.js";`,
        "src/telemetry/lib.ts": `export { track } from "./track.js";`,
        "src/telemetry/track.ts": `export async function track() {\n  await fetch("http://telemetry/report", { method: "POST" });\n}`,
      },
      errors: [{ messageId: "floating", line: 3 }],
    },
    {
      name: "CommonJS: an async function destructured from require of a module of the run (module.exports = { … })",
      filename: "app.js",
      code: `const { syncOrders } = require("./orders");\nfunction onTick() {\n  syncOrders();\n}\nmodule.exports = { onTick };`,
      files: {
        "src/orders.js": `async function syncOrders() {\n  await fetch("http://orders/sync", { method: "POST" });\n}\nmodule.exports = { syncOrders };`,
      },
      errors: [{ messageId: "floating", line: 3 }],
    },
    {
      name: "a method of a class exported as a class expression (var ExportService = class {…}, bundler output) by another file of the run",
      filename: "utils.js",
      code: `import { ExportService } from "./export.js";\nexport function exportLater(collection) {\n  const service = new ExportService();\n  service.exportToFile(collection);\n}`,
      files: {
        "src/export.js": `var ExportService = class {\n  async exportToFile(collection) {\n    await fetch("http://export/" + collection, { method: "POST" });\n  }\n};\nexport { ExportService };`,
      },
      errors: [{ messageId: "floating", line: 4 }],
    },
    {
      name: "class property: this.queue = new Queue() in the constructor, Queue imported and its drain() able to reject",
      code: `import { Queue } from "./queue.js";\nexport class Server {\n  queue: Queue;\n  constructor() {\n    this.queue = new Queue();\n  }\n  stop() {\n    this.queue.drain();\n  }\n}`,
      files: {
        "src/queue.ts": `export class Queue {\n  async drain() {\n    await fetch("http://jobs/drain", { method: "POST" });\n  }\n}`,
      },
      errors: [{ messageId: "floating", line: 8 }],
    },
    {
      name: "an inherited async method of a base class imported from another file, able to reject",
      code: `import { Base } from "./base.js";\nexport class Exporter extends Base {\n  stop() {\n    this.flush();\n  }\n}`,
      files: {
        "src/base.ts": `export class Base {\n  async flush() {\n    await fetch("http://sink", { method: "POST" });\n  }\n}`,
      },
      errors: [{ messageId: "floating", line: 4 }],
    },
    {
      name: "interface (with types): a call through an interface one of whose implementing classes can reject",
      types: true,
      code: `import type { JobQueue } from "./queue.js";\nexport function stop(queue: JobQueue) {\n  queue.drain();\n}`,
      files: {
        "src/queue.ts": `export interface JobQueue {\n  drain(): Promise<void>;\n}`,
        "src/memory-queue.ts": `import type { JobQueue } from "./queue.js";\nexport class MemoryQueue implements JobQueue {\n  jobs: string[] = [];\n  async drain() {\n    this.jobs.length = 0;\n  }\n}`,
        "src/http-queue.ts": `import type { JobQueue } from "./queue.js";\nexport class HttpQueue implements JobQueue {\n  async drain() {\n    await fetch("http://jobs/drain", { method: "POST" });\n  }\n}`,
      },
      errors: [{ messageId: "floating", line: 3 }],
    },
    {
      name: "interface (with types): a call through an interface with no implementation in the run (callers supply it)",
      types: true,
      code: `export interface JobQueue {\n  drain(): Promise<void>;\n}\nexport function stop(queue: JobQueue) {\n  queue.drain();\n}`,
      errors: [{ messageId: "floating", line: 5 }],
    },
    {
      name: "abstract method (with types): this.flush() where a subclass of a subclass implements it and can reject",
      types: true,
      code: `export abstract class Exporter {\n  abstract flush(): Promise<void>;\n  stop() {\n    this.flush();\n  }\n}\nabstract class BatchExporter extends Exporter {\n  batch: string[] = [];\n}\nexport class HttpExporter extends BatchExporter {\n  async flush() {\n    await fetch("http://sink", { method: "POST", body: this.batch.join() });\n  }\n}`,
      errors: [{ messageId: "floating", line: 4 }],
    },
    {
      name: "an async function that returns a handled chain but whose argument, computed outside a try, may throw",
      code: `interface Db {\n  put(x: string): Promise<void>;\n}\nasync function save(db: Db, raw: string) {\n  return db.put(JSON.parse(raw)).catch((error: unknown) => console.error(error));\n}\nexport function go(db: Db, raw: string) {\n  save(db, raw);\n}`,
      errors: [{ messageId: "floating", line: 8 }],
    },
    {
      name: "an async function that imports a module named at run time (import(path)) outside a try",
      code: `async function loadPlugin(path: string) {\n  const plugin = await import(path);\n  try {\n    await plugin.init();\n  } catch (error) {\n    console.error(error);\n  }\n}\nexport function start(path: string) {\n  loadPlugin(path);\n}`,
      errors: [{ messageId: "floating", line: 10 }],
    },
    {
      name: "startup-code does not cover a function of a CLI entry file: a dropped call inside a handler is reported",
      filename: "bin.js",
      code: `#!/usr/bin/env node\nasync function upload(file) {\n  await fetch("http://upload", { method: "POST", body: file });\n}\nprocess.on("message", (file) => {\n  upload(file);\n});`,
      errors: [{ messageId: "floating", line: 6 }],
    },
    {
      name: "Promise.resolve of a const holding a promise that can reject, returned by a plain function and voided",
      code: `async function load() {\n  await fetch("http://config");\n}\nfunction start() {\n  const loading = load();\n  return Promise.resolve(loading);\n}\nvoid start();`,
      errors: [{ messageId: "voided", line: 8 }],
    },
    {
      name: "Promise.all over an array built with push where one pushed promise has no handler",
      code: `async function installModule(id: string) {\n  await fetch("http://registry/" + id);\n}\nexport function reinstall(ids: string[]) {\n  const promises = [installModule("core").catch(() => undefined)];\n  for (const id of ids) promises.push(installModule(id));\n  Promise.all(promises).then(() => console.log("installed"));\n}`,
      errors: [{ messageId: "floating", line: 7 }],
    },
    {
      name: "Promise.all over an array that escapes to another function (its elements are not all known)",
      code: `async function installModule(id: string) {\n  await fetch("http://registry/" + id);\n}\nexport function reinstall(ids: string[], collect: (list: Promise<void>[]) => void) {\n  const promises: Promise<void>[] = [];\n  collect(promises);\n  for (const id of ids) promises.push(installModule(id).catch(() => undefined));\n  Promise.all(promises).then(() => console.log("installed"));\n}`,
      errors: [{ messageId: "floating", line: 8 }],
    },
    {
      name: "void of an async call hides its rejection",
      code: `async function refresh() { await fetch("http://cache"); }\nvoid refresh();`,
      errors: [{ messageId: "voided", line: 2 }],
    },
    {
      name: "this.method() of an async method in a class",
      code: `class Worker {\n  async flush() { await fetch("http://sink"); }\n  stop() {\n    this.flush();\n  }\n}`,
      errors: [{ messageId: "floating", line: 4 }],
    },
    {
      name: "async function imported from another file of the run",
      code: `import { sendWelcomeEmail } from "./mail.js";\nexport function signup(user: string) {\n  sendWelcomeEmail(user);\n}`,
      files: {
        "src/mail.ts": `export async function sendWelcomeEmail(to: string) {\n  await fetch("http://mail", { method: "POST", body: to });\n}`,
      },
      errors: [{ messageId: "floating", line: 3 }],
    },
    {
      name: "forEach with an async callback",
      code: `import { unlink } from "node:fs/promises";\nexport async function clean(paths: string[]) {\n  paths.forEach(async (p) => {\n    await unlink(p);\n  });\n}`,
      errors: [{ messageId: "asyncForEach", line: 3 }],
    },
    {
      name: "async EventEmitter listener without try/catch",
      code: `import { EventEmitter } from "node:events";\nconst bus = new EventEmitter();\nbus.on("order", async (order: string) => {\n  await fetch("http://orders", { method: "POST", body: order });\n});`,
      errors: [{ messageId: "asyncCallback", line: 3 }],
    },
    {
      name: "async SIGTERM handler passed by name",
      code: `async function shutdown() {\n  await server.close();\n  await db.end();\n}\nprocess.on("SIGTERM", shutdown);`,
      errors: [{ messageId: "asyncCallback", line: 5 }],
    },
    {
      name: "async setTimeout callback",
      code: `setTimeout(async () => {\n  await fetch("http://retry");\n}, 1000);`,
      errors: [{ messageId: "asyncCallback", line: 1 }],
    },
    {
      name: "async http.createServer handler",
      code: `import http from "node:http";\nhttp.createServer(async (req, res) => {\n  const body = await fetch("http://upstream");\n  res.end(await body.text());\n}).listen(8080);`,
      errors: [{ messageId: "asyncCallback", line: 2 }],
    },
    {
      name: "socket data listener on a net server",
      code: `import net from "node:net";\nnet.createServer((socket) => {\n  socket.on("data", async (chunk) => {\n    await fetch("http://ingest", { method: "POST", body: chunk });\n  });\n});`,
      errors: [{ messageId: "asyncCallback", line: 3 }],
    },
    {
      name: "stored promise awaited only after another await",
      code: `export async function load(id: string) {\n  const user = fetch("http://users/" + id);\n  const prefs = await fetch("http://prefs/" + id);\n  return [await user, prefs];\n}`,
      errors: [{ messageId: "lateHandler", line: 2 }],
    },
    {
      name: "stored promise never used",
      code: `import { readFile } from "node:fs/promises";\nexport function start() {\n  const config = readFile("/etc/app.json", "utf8");\n}`,
      errors: [{ messageId: "floating", line: 3 }],
    },
    {
      name: "results of map(async) dropped",
      code: `import { unlink } from "node:fs/promises";\nexport function clean(paths: string[]) {\n  paths.map(async (p) => unlink(p));\n}`,
      errors: [{ messageId: "droppedArray", line: 3 }],
    },
    {
      name: "promisified exec not awaited",
      code: `import { promisify } from "node:util";\nimport { exec } from "node:child_process";\nconst run = promisify(exec);\nexport function deploy() {\n  run("git pull");\n}`,
      errors: [{ messageId: "floating", line: 5 }],
    },
    {
      name: "conditional call in a short-circuit",
      code: `async function invalidate(key: string) { await fetch("http://cache/" + key, { method: "DELETE" }); }\nexport function update(key: string, dirty: boolean) {\n  dirty && invalidate(key);\n}`,
      errors: [{ messageId: "floating", line: 3 }],
    },
    {
      name: "expression-bodied listener returning the handler's promise",
      code: `import { EventEmitter } from "node:events";\nasync function handle(order: string) { await fetch("http://orders", { method: "POST", body: order }); }\nconst bus = new EventEmitter();\nbus.on("order", async (order: string) => handle(order));`,
      errors: [{ messageId: "asyncCallback", line: 4 }],
    },
    {
      name: "setTimeout arrow returning fetch",
      code: `export function retryLater(url: string) {\n  setTimeout(() => fetch(url), 1000);\n}`,
      errors: [{ messageId: "asyncCallback", line: 2 }],
    },
    {
      name: "promise returned from inside try escapes its catch",
      code: `async function save(m: string) { await fetch("http://store", { method: "POST", body: m }); }\nprocess.on("message", async (m: string) => {\n  try {\n    return save(m);\n  } catch (error) {\n    console.error(error);\n  }\n});`,
      errors: [{ messageId: "asyncCallback", line: 2 }],
    },
    {
      name: "deferred with a reject stored before other awaits",
      code: `export async function firstMessage(socket: { once(e: string, f: (v: unknown) => void): void; connect(): Promise<void> }) {\n  const message = new Promise((resolve, reject) => { socket.once("message", resolve); socket.once("error", reject); });\n  await socket.connect();\n  return message;\n}`,
      errors: [{ messageId: "lateHandler", line: 2 }],
    },
    {
      name: "top-level async IIFE without a catch",
      code: `(async () => {\n  await fetch("http://migrate", { method: "POST" });\n})();`,
      errors: [{ messageId: "floating", line: 1 }],
    },
    {
      name: "module-level promise awaited after another top-level await",
      code: `import { readFile } from "node:fs/promises";\nconst schema = readFile("schema.sql", "utf8");\nawait fetch("http://db/ready");\nexport const sql = await schema;`,
      errors: [{ messageId: "lateHandler", line: 2 }],
    },
    {
      name: "local async function that logs and rethrows in its catch",
      code: `async function syncOrder(id: string) {\n  try {\n    await fetch("http://orders/" + id, { signal: AbortSignal.timeout(5000) });\n  } catch (err) {\n    console.error(err);\n    throw err;\n  }\n}\nexport function onSaved(id: string) {\n  syncOrder(id);\n}`,
      errors: [{ messageId: "floating", line: 10 }],
    },
    {
      name: "async validator without await that throws",
      code: `async function validate(x: string) {\n  if (!x) throw new Error("empty");\n}\nexport function submit(x: string) {\n  validate(x);\n}`,
      errors: [{ messageId: "floating", line: 5 }],
    },
    {
      name: "async function that calls JSON.parse before its guarded try",
      code: `async function parseAndStore(raw: string) {\n  const d = JSON.parse(raw);\n  try {\n    await fetch("http://store", { method: "POST", body: JSON.stringify(d), signal: AbortSignal.timeout(5000) });\n  } catch {\n    return;\n  }\n}\nexport function onMessage(raw: string) {\n  parseAndStore(raw);\n}`,
      errors: [{ messageId: "floating", line: 10 }],
    },
    {
      name: "async listener whose parse runs outside its try",
      code: `import { EventEmitter } from "node:events";\nconst bus = new EventEmitter();\nbus.on("order", async (raw: string) => {\n  const order = JSON.parse(raw);\n  try {\n    await fetch("http://orders", { method: "POST", body: order.id });\n  } catch (error) {\n    console.error(error);\n  }\n});`,
      errors: [{ messageId: "asyncCallback", line: 3 }],
    },
    {
      name: "method of an unknown client, confirmed by the type checker",
      code: `interface Pool { end(): Promise<void> }\nexport function release(pool: Pool) {\n  pool.end();\n}`,
      types: true,
      errors: [{ messageId: "floating", line: 3 }],
    },
    {
      name: "Promise.allSettled followed by an async .then that posts the report",
      code: `export function report(jobs: Promise<string>[]) {\n  Promise.allSettled(jobs).then(async (results) => {\n    await fetch("http://reports", { method: "POST", body: JSON.stringify(results) });\n  });\n}`,
      errors: [{ messageId: "floating", line: 2 }],
    },
    {
      name: "Promise.all (which rejects) followed by a synchronous .then",
      code: `export function warm(urls: string[], done: () => void) {\n  Promise.all(urls.map((url) => fetch(url))).then(() => done());\n}`,
      errors: [{ messageId: "floating", line: 2 }],
    },
    {
      name: "client method typed Promise | undefined, called without a callback",
      types: true,
      code: `interface Client { request(options: { path: string }, callback?: (error: Error | null, data?: unknown) => void): Promise<unknown> | undefined }\nexport function get(client: Client, path: string) {\n  client.request({ path });\n}`,
      errors: [{ messageId: "floating", line: 3 }],
    },
    {
      name: "a rejecting function of a namespace import (import * as ns), dropped (syntax)",
      code: `import * as store from "./store.js";\nexport function onChange(value: string) {\n  store.save(value);\n}`,
      files: {
        "src/store.ts": `export async function save(value: string) {\n  await fetch("http://store/" + value, { method: "PUT" });\n}`,
      },
      errors: [{ messageId: "floating", line: 3 }],
    },
    {
      name: "a rejecting function of a CommonJS module object called the compiled way (0, m.f)(), dropped (syntax)",
      filename: "handler.js",
      code: `const store_1 = require("./store.js");\nexports.onChange = function onChange(value) {\n  (0, store_1.save)(value);\n};`,
      files: {
        "src/store.js": `async function save(value) {\n  await fetch("http://store/" + value, { method: "PUT" });\n}\nmodule.exports = { save };`,
      },
      errors: [{ messageId: "floating", line: 3 }],
    },
    {
      name: "emit('error') outside the try of an async stream method can throw (no listener): the voided call is reported",
      code: `import { Duplex } from "node:stream";\nexport class Request extends Duplex {\n  fail(error: Error) {\n    void this._error(error);\n  }\n  async _error(error: Error) {\n    this.emit("error", error);\n  }\n}`,
      errors: [{ messageId: "voided", line: 4 }],
    },
    {
      name: "is-test-code: a dropped promise that carries the test's check (not a teardown) is still reported in a test file",
      filename: "user.test.ts",
      code: `import test from "node:test";\nasync function expectRejects(promise: Promise<unknown>) {\n  await promise.then(() => {\n    throw new Error("expected a rejection");\n  }, () => undefined);\n}\ntest("rejects unknown users", () => {\n  expectRejects(fetch("http://users/unknown"));\n});`,
      errors: [{ messageId: "floating", line: 8 }],
    },
    {
      name: "with types: a method typed Promise<void> in the .d.ts whose compiled .js body rejects is still reported",
      types: true,
      code: `import type { Cache } from "./cache.js";\nexport function onChange(cache: Cache) {\n  cache.refresh();\n}`,
      files: {
        "src/cache.d.ts": `export declare class Cache {\n  refresh(): Promise<void>;\n}`,
        "src/cache.js": `export class Cache {\n  async refresh() {\n    await fetch("http://cache/refresh", { method: "POST" });\n  }\n}`,
      },
      errors: [{ messageId: "floating", line: 3 }],
    },
    {
      name: "an async function of a module object given a callback it does not test (it awaits the callback's work): the dropped promise is still reported",
      filename: "jobs.js",
      code: `const locks = require("./locks.js");\nexports.run = function run(job) {\n  locks.withLock(job.id, async () => job.run());\n};`,
      files: {
        "src/locks.js": `async function withLock(id, callback) {\n  await fetch("http://locks/" + id, { method: "POST" });\n  return callback();\n}\nmodule.exports = { withLock };`,
      },
      errors: [{ messageId: "floating", line: 3 }],
    },
  ],
});
