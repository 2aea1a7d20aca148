import rule from "../../../rules/unbounded-channel/index.js";
import { ruleTester } from "../../helpers/rule-tester.js";

const channelOption = {
  channels: [
    { module: "@acme/chan", export: "Channel", capacity: { argument: 0 } },
    { module: "@acme/chan", export: "createMailbox", capacity: { option: "capacity" } },
  ],
};

ruleTester(rule, {
  valid: [
    {
      name: "ReplaySubject(1) holding the latest config",
      code: `import { ReplaySubject } from "rxjs";\nexport const config$ = new ReplaySubject<Config>(1);`,
    },
    {
      name: "ReplaySubject bounded by a window time only",
      code: `import { ReplaySubject } from "rxjs";\nexport const recent$ = new ReplaySubject<number>(Infinity, 60_000);`,
    },
    {
      name: "ReplaySubject subclass passing its buffer size to super",
      code: `import { ReplaySubject } from "rxjs";\nexport class History<T> extends ReplaySubject<T> {\n  constructor(size: number) {\n    super(size);\n  }\n}`,
    },
    {
      name: "a local class named ReplaySubject is not rxjs",
      code: `class ReplaySubject<T> { constructor(private size = 10) {} }\nconst s = new ReplaySubject<number>();`,
    },
    {
      name: "shareReplay(1) caching the last response",
      code: `import { shareReplay } from "rxjs/operators";\nexport const user$ = load$.pipe(shareReplay(1));`,
    },
    {
      name: "shareReplay config with bufferSize and refCount",
      code: `import { shareReplay } from "rxjs";\nexport const user$ = load$.pipe(shareReplay({ bufferSize: 1, refCount: true }));`,
    },
    {
      name: "shareReplay config from elsewhere may carry a buffer size",
      code: `import { shareReplay } from "rxjs";\nexport function cached<T>(source$: Observable<T>, config: ShareReplayConfig) {\n  return source$.pipe(shareReplay(config));\n}`,
    },
    {
      name: "Piscina with maxQueue auto",
      code: `import Piscina from "piscina";\nconst pool = new Piscina({ filename: "./worker.js", maxQueue: "auto" });`,
    },
    {
      name: "Piscina options spread from a config object",
      code: `import { Piscina } from "piscina";\nexport function makePool(options: PoolOptions) {\n  return new Piscina({ ...options, filename: "./worker.js" });\n}`,
    },
    {
      name: "Piscina whose producer checks queueSize (the documented backpressure pattern)",
      code: `import Piscina from "piscina";\nconst pool = new Piscina({ filename: "./worker.js" });\nstream.on("data", (row) => {\n  pool.run(row);\n  if (pool.queueSize > 64) stream.pause();\n});`,
    },
    {
      name: "for await over on() with a highWaterMark on a readable stream",
      code: `import { on } from "node:events";\nexport async function lines(stream: NodeJS.ReadableStream) {\n  for await (const [line] of on(stream, "line", { highWaterMark: 64 })) {\n    await handle(line);\n  }\n}`,
    },
    {
      name: "highWaterMark on an emitter with pause and resume (checker)",
      code: `import { on } from "node:events";\ninterface Lines { on(event: string, listener: (...args: unknown[]) => void): this; pause(): this; resume(): this }\nexport async function consume(lines: Lines) {\n  for await (const [line] of on(lines, "line", { highWaterMark: 100 })) {\n    await save(line);\n  }\n}`,
      types: true,
    },
    {
      name: "for await over on() whose body never awaits",
      code: `import { on } from "node:events";\nexport async function count(bus: EventEmitter) {\n  let n = 0;\n  for await (const _ of on(bus, "tick")) n++;\n  return n;\n}`,
    },
    {
      name: "emitter.on with a callback is not the events.on iterator",
      code: `export async function watch(bus: EventEmitter) {\n  bus.on("order", async (order) => { await save(order); });\n}`,
    },
    {
      name: "p-queue fed from a request handler that sheds load on queue.size",
      code: `import PQueue from "p-queue";\nimport http from "node:http";\nconst queue = new PQueue({ concurrency: 2 });\nhttp.createServer((req, res) => {\n  if (queue.size > 100) { res.statusCode = 503; return res.end(); }\n  queue.add(() => work(req));\n  res.end();\n});`,
    },
    {
      name: "p-queue awaiting onSizeLessThan before adding",
      code: `import PQueue from "p-queue";\nconst queue = new PQueue({ concurrency: 8 });\nconsumer.on("message", async (msg) => {\n  await queue.onSizeLessThan(100);\n  queue.add(() => process(msg));\n});`,
    },
    {
      name: "p-queue fed from a plain loop, not a listener",
      code: `import PQueue from "p-queue";\nconst queue = new PQueue({ concurrency: 4 });\nexport async function importAll(ids: string[]) {\n  for (const id of ids) queue.add(() => importOne(id));\n  await queue.onIdle();\n}`,
    },
    {
      name: "fastq fed from a stream listener that pauses the stream",
      code: `import fastq from "fastq";\nconst q = fastq.promise(worker, 4);\nstream.on("data", (row) => {\n  q.push(row);\n  stream.pause();\n});`,
    },
    {
      name: "array pushed in a listener with a limit check",
      code: `const pending: Buffer[] = [];\nconst MAX_PENDING = 1000;\nsocket.on("data", (chunk) => {\n  if (pending.length >= MAX_PENDING) return socket.destroy();\n  pending.push(chunk);\n});\nexport function next() { return pending.shift(); }`,
    },
    {
      name: "array used as a batch flushed whole on a timer (not shifted)",
      code: `let batch: Metric[] = [];\nemitter.on("metric", (m) => batch.push(m));\nsetInterval(() => { send(batch); batch = []; }, 1000);`,
    },
    {
      name: "log buffer drained whole with splice(0, length) on a timer",
      code: `const logs: string[] = [];\nprocess.on("message", (m) => logs.push(m));\nsetInterval(() => send(logs.splice(0, logs.length)), 1000);`,
    },
    {
      name: "array declared inside the listener is per event",
      code: `socket.on("data", (chunk) => {\n  const parts: string[] = [];\n  parts.push(chunk.toString());\n  while (parts.length > 0) handle(parts.shift());\n});`,
    },
    {
      name: "ring buffer field trimmed to a maximum",
      code: `class Recent {\n  private items: string[] = [];\n  constructor(bus: EventEmitter, private max = 50) {\n    bus.on("item", (item) => {\n      this.items.push(item);\n      if (this.items.length > this.max) this.items.shift();\n    });\n  }\n}`,
    },
    {
      name: "Effect bounded and sliding queues",
      code: `import { Queue, PubSub } from "effect";\nconst a = Queue.bounded<number>(100);\nconst b = Queue.sliding<number>(10);\nconst c = PubSub.dropping<number>(16);`,
    },
    {
      name: "custom channel created with a capacity",
      code: `import { Channel, createMailbox } from "@acme/chan";\nconst jobs = new Channel<Job>(100);\nconst mail = createMailbox({ capacity: 32 });`,
      options: channelOption,
    },
    {
      name: "custom channel without the option configured is not judged",
      code: `import { Channel } from "@acme/chan";\nconst jobs = new Channel<Job>();`,
    },
    {
      name: "ReplaySubject from the RxJS 5 deep path with a buffer size",
      code: `import { ReplaySubject } from "rxjs/ReplaySubject";\nexport class Analytics {\n  readonly pageViews = new ReplaySubject<string>(1);\n}`,
    },
  ],
  invalid: [
    {
      name: "ReplaySubject from the RxJS 5 deep path rxjs/ReplaySubject without a buffer size",
      code: `import { ReplaySubject } from "rxjs/ReplaySubject";\nexport class Analytics {\n  readonly pageViews = new ReplaySubject<string>();\n}`,
      errors: [{ messageId: "replaySubject", line: 3 }],
    },
    {
      name: "ReplaySubject audit log that keeps every entry",
      code: `import { ReplaySubject } from "rxjs";\nexport class AuditLog {\n  readonly entries$ = new ReplaySubject<string>();\n}`,
      errors: [{ messageId: "replaySubject", line: 3 }],
    },
    {
      name: "ReplaySubject with an explicit Infinity buffer",
      code: `import * as rx from "rxjs";\nconst events$ = new rx.ReplaySubject<Event>(Number.POSITIVE_INFINITY);`,
      errors: [{ messageId: "replaySubject", line: 2 }],
    },
    {
      name: "ReplaySubject subclass calling super() keeps every event until OOM",
      code: `import { ReplaySubject } from "rxjs";\nexport class EventHistory<T> extends ReplaySubject<T> {\n  constructor(private readonly name: string) {\n    super();\n  }\n}`,
      errors: [{ messageId: "replaySubclass", line: 4 }],
    },
    {
      name: "subclass without a constructor instantiated without a size",
      code: `const { ReplaySubject } = require("rxjs");\nclass Journal extends ReplaySubject {}\nmodule.exports = new Journal();`,
      filename: "journal.js",
      errors: [{ messageId: "replaySubject", line: 3 }],
    },
    {
      name: "shareReplay({ refCount: true }) without bufferSize",
      code: `import { shareReplay } from "rxjs";\nexport const prices$ = feed$.pipe(\n  shareReplay({ refCount: true }),\n);`,
      errors: [{ messageId: "replayOperator", line: 3 }],
    },
    {
      name: "shareReplay() with no arguments on a websocket stream",
      code: `import { shareReplay } from "rxjs/operators";\nexport const ticks$ = socket$.pipe(shareReplay());`,
      errors: [{ messageId: "replayOperator", line: 2 }],
    },
    {
      name: "shareReplay(Infinity) and a config variable without bufferSize",
      code: `import { shareReplay } from "rxjs";\nconst cfg = { refCount: true };\nexport const a$ = src$.pipe(shareReplay(Infinity));\nexport const b$ = src$.pipe(shareReplay(cfg));`,
      errors: [
        { messageId: "replayOperator", line: 3 },
        { messageId: "replayOperator", line: 4 },
      ],
    },
    {
      name: "publishReplay() without a buffer",
      code: `import { publishReplay } from "rxjs/operators";\nconst shared = source$.pipe(publishReplay());`,
      errors: [{ messageId: "replayOperator", line: 2 }],
    },
    {
      name: "Piscina with the default unbounded queue",
      code: `import Piscina from "piscina";\nconst pool = new Piscina({\n  filename: new URL("./thumb.js", import.meta.url).href,\n  maxThreads: 4,\n});\nexport const thumb = (img: Buffer) => pool.run(img);`,
      errors: [{ messageId: "piscina", line: 2 }],
    },
    {
      name: "Piscina from require with maxQueue: Infinity",
      code: `const Piscina = require("piscina");\nconst pool = new Piscina({ filename: "./w.js", maxQueue: Infinity });`,
      filename: "pool.js",
      errors: [{ messageId: "piscina", line: 2 }],
    },
    {
      name: "for await over on() with a slow body and only a signal",
      code: `import { on } from "node:events";\nexport async function consume(bus: EventEmitter, signal: AbortSignal) {\n  for await (const [order] of on(bus, "order", { signal })) {\n    await saveOrder(order);\n  }\n}`,
      errors: [{ messageId: "eventsOn", line: 3 }],
    },
    {
      name: "EventEmitter.on static iterator with a close list",
      code: `import { EventEmitter } from "events";\nexport async function pump(ws: EventEmitter) {\n  for await (const [msg] of EventEmitter.on(ws, "message", { close: ["close"] })) {\n    await forward(msg);\n  }\n}`,
      errors: [{ messageId: "eventsOn", line: 3 }],
    },
    {
      name: "highWaterMark on an emitter that cannot pause (checker)",
      code: `import { on } from "node:events";\ninterface Bus { on(event: string, listener: (...args: unknown[]) => void): this; emit(event: string, ...args: unknown[]): boolean }\nexport async function consume(bus: Bus) {\n  for await (const [job] of on(bus, "job", { highWaterMark: 100 })) {\n    await run(job);\n  }\n}`,
      types: true,
      errors: [{ messageId: "eventsOnNotPausable", line: 4 }],
    },
    {
      name: "p-queue fed from an http request handler",
      code: `import PQueue from "p-queue";\nimport { createServer } from "node:http";\nconst queue = new PQueue({ concurrency: 4 });\ncreateServer((req, res) => {\n  queue.add(() => renderReport(req.url));\n  res.end("queued");\n}).listen(8080);`,
      errors: [{ messageId: "queueFromListener", line: 5 }],
    },
    {
      name: "p-queue class field fed from a message handler method",
      code: `import PQueue from "p-queue";\nexport class Indexer {\n  private queue = new PQueue({ concurrency: 2 });\n  constructor(consumer: Consumer) {\n    consumer.on("message", this.onMessage.bind(this));\n  }\n  private onMessage(msg: Message) {\n    this.queue.add(() => this.index(msg));\n  }\n}`,
      errors: [{ messageId: "queueFromListener", line: 8 }],
    },
    {
      name: "fastq fed from a websocket message listener",
      code: `import fastq from "fastq";\nconst q = fastq.promise(handleFrame, 1);\nwss.on("connection", (ws) => {\n  ws.on("message", (data) => q.push(data));\n});`,
      errors: [{ messageId: "queueFromListener", line: 4 }],
    },
    {
      name: "async.queue fed from an express route",
      code: `import express from "express";\nimport async from "async";\nconst app = express();\nconst q = async.queue(sendEmail, 2);\napp.post("/signup", (req, res) => {\n  q.push(req.body);\n  res.sendStatus(202);\n});`,
      errors: [{ messageId: "queueFromListener", line: 6 }],
    },
    {
      name: "module-level array pushed on socket data and shifted by a drain loop",
      code: `const pending: Buffer[] = [];\nexport function attach(socket: Socket) {\n  socket.on("data", (chunk) => pending.push(chunk));\n}\nexport async function drain() {\n  while (pending.length > 0) await write(pending.shift()!);\n}`,
      errors: [{ messageId: "arrayQueue", line: 3 }],
    },
    {
      name: "array field used as a job queue from subscribe callbacks",
      code: `export class Uploader {\n  private jobs: Upload[] = [];\n  constructor(files$: Observable<Upload>) {\n    files$.subscribe((file) => {\n      this.jobs.push(file);\n      void this.pump();\n    });\n  }\n  private async pump() {\n    const job = this.jobs.shift();\n    if (job) await upload(job);\n  }\n}`,
      errors: [{ messageId: "arrayQueue", line: 5 }],
    },
    {
      name: "retry list fed by failed events, taken in batches of 50",
      code: `const failed: Job[] = [];\nworker.on("failed", (job) => failed.push(job));\nsetInterval(() => retryAll(failed.splice(0, 50)), 1000);`,
      errors: [{ messageId: "arrayQueue", line: 2 }],
    },
    {
      name: "Effect Queue.unbounded and PubSub.unbounded",
      code: `import { Effect, Queue, PubSub } from "effect";\nconst program = Effect.gen(function* () {\n  const jobs = yield* Queue.unbounded<string>();\n  const hub = yield* PubSub.unbounded<string>();\n});`,
      errors: [
        { messageId: "effectUnbounded", line: 3 },
        { messageId: "effectUnbounded", line: 4 },
      ],
    },
    {
      name: "Effect namespace import of effect/Queue",
      code: `import * as Queue from "effect/Queue";\nexport const make = Queue.unbounded<number>();`,
      errors: [{ messageId: "effectUnbounded", line: 2 }],
    },
    {
      name: "team channel constructors registered by option, created without capacity",
      code: `import { Channel, createMailbox } from "@acme/chan";\nconst jobs = new Channel<Job>();\nconst mail = createMailbox({ name: "mail" });\nconst inf = new Channel<Job>(Infinity);`,
      options: channelOption,
      errors: [
        { messageId: "customChannel", line: 2 },
        { messageId: "customChannel", line: 3 },
        { messageId: "customChannel", line: 4 },
      ],
    },
  ],
});

// the entries shown in the `channels` description are users' starting point: they must work as written
const documentedChannels = [
  ...rule.implementations.typescript!.options!.properties.channels.description.matchAll(/`(\{ "module".*?\} \})`/g),
].map((match) => JSON.parse(match[1]!));

ruleTester(rule, {
  valid: [
    {
      name: "documented entry: a Channel given its capacity as the first argument",
      code: `import { Channel } from "@acme/chan";\nexport const jobs = new Channel<string>(100);`,
      options: { channels: documentedChannels },
    },
    {
      name: "documented entry: a mailbox given its capacity option",
      code: `import { createMailbox } from "@acme/chan";\nexport const jobs = createMailbox({ name: "jobs", capacity: 100 });`,
      options: { channels: documentedChannels },
    },
  ],
  invalid: [
    {
      name: "documented entry: a Channel created without a capacity",
      code: `import { Channel } from "@acme/chan";\nexport const jobs = new Channel<string>();`,
      options: { channels: documentedChannels },
      errors: [{ messageId: "customChannel", line: 2 }],
    },
    {
      name: "documented entry: a mailbox created without its capacity option",
      code: `import { createMailbox } from "@acme/chan";\nexport const jobs = createMailbox({ name: "jobs" });`,
      options: { channels: documentedChannels },
      errors: [{ messageId: "customChannel", line: 2 }],
    },
  ],
});
