import rule from "../../../rules/lock-across-await/index.js";
import { ruleTester } from "../../helpers/rule-tester.js";

const PG = `import { Pool } from "pg";\nconst pool = new Pool();\n`;
const MUTEX = `import { Mutex, Semaphore, withTimeout } from "async-mutex";\n`;
const DEPTH = 2_000;

ruleTester(rule, {
  valid: [
    {
      name: "pg transaction BEGIN/COMMIT on the held client",
      code: `${PG}export async function transfer(from: string, to: string) {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("UPDATE accounts SET balance = balance - 10 WHERE id = $1", [from]);
    await client.query("UPDATE accounts SET balance = balance + 10 WHERE id = $1", [to]);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  } finally {
    client.release();
  }
}`,
    },
    {
      name: "held client handed to a helper that queries on it",
      code: `${PG}declare function insertAudit(client: unknown, event: string): Promise<void>;
export async function audited(event: string) {
  const client = await pool.connect();
  try {
    await insertAudit(client, event);
    await Promise.all([client.query("SELECT 1"), client.query("SELECT 2")]);
  } finally {
    client.release();
  }
}`,
    },
    {
      name: "in-memory work and an unclassified local helper under the lock",
      code: `${MUTEX}const lock = new Mutex();
const state = new Map<string, number>();
async function recompute(key: string) { return (state.get(key) ?? 0) + 1; }
export async function bump(key: string) {
  const release = await lock.acquire();
  try {
    state.set(key, await recompute(key));
  } finally {
    release();
  }
}`,
    },
    {
      name: "writing the file the lock guards",
      code: `${MUTEX}import { writeFile, rename } from "node:fs/promises";
const fileLock = new Mutex();
export function save(path: string, data: object) {
  return fileLock.runExclusive(async () => {
    await writeFile(path + ".tmp", JSON.stringify(data));
    await rename(path + ".tmp", path);
  });
}`,
    },
    {
      name: "fetch after the lock is released",
      code: `${MUTEX}const lock = new Mutex();
const pending: string[] = [];
export async function flush(url: string) {
  const release = await lock.acquire();
  let batch: string[];
  try {
    batch = pending.splice(0);
  } finally {
    release();
  }
  await fetch(url, { method: "POST", body: JSON.stringify(batch), signal: AbortSignal.timeout(5000) });
}`,
    },
    {
      name: "fetch before taking the lock, publish under it",
      code: `${MUTEX}const cacheLock = new Mutex();
const cache = new Map<string, unknown>();
export async function refresh(id: string) {
  const response = await fetch("https://api.internal/items/" + id, { signal: AbortSignal.timeout(2000) });
  const item = await response.json();
  await cacheLock.runExclusive(() => cache.set(id, item));
}`,
    },
    {
      name: "semaphore limiting concurrent downloads holds its permit across the download on purpose",
      code: `${MUTEX}const downloads = new Semaphore(4);
export async function download(url: string) {
  const [, release] = await downloads.acquire();
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    return await response.arrayBuffer();
  } finally {
    release();
  }
}`,
    },
    {
      name: "semaphore runExclusive around a network call",
      code: `${MUTEX}import axios from "axios";
const limiter = new Semaphore(10);
export function getUser(id: string) {
  return limiter.runExclusive(() => axios.get("/users/" + id, { timeout: 3000 }));
}`,
    },
    {
      name: "promise returned from try/finally is not awaited under the lock",
      code: `${MUTEX}const lock = new Mutex();
export async function report(url: string) {
  const release = await lock.acquire();
  try {
    return fetch(url, { signal: AbortSignal.timeout(1000) });
  } finally {
    release();
  }
}`,
    },
    {
      name: "callback created under the lock awaits later, outside it",
      code: `${MUTEX}import { EventEmitter } from "node:events";
const lock = new Mutex();
export async function subscribe(bus: EventEmitter) {
  const release = await lock.acquire();
  try {
    bus.on("tick", async () => {
      await fetch("https://hooks.internal/tick", { signal: AbortSignal.timeout(1000) });
    });
  } finally {
    release();
  }
}`,
    },
    {
      name: "pool.query without holding a client",
      code: `${PG}import { setTimeout as sleep } from "node:timers/promises";
export async function poll() {
  for (;;) {
    const { rows } = await pool.query("SELECT * FROM outbox LIMIT 10");
    if (rows.length > 0) return rows;
    await sleep(1000);
  }
}`,
    },
    {
      name: "client released on the success path before notifying",
      code: `${PG}export async function complete(id: string) {
  const client = await pool.connect();
  try {
    await client.query("UPDATE jobs SET done = true WHERE id = $1", [id]);
  } finally {
    client.release();
  }
  await fetch("https://hooks.internal/done", { method: "POST", body: id, signal: AbortSignal.timeout(2000) });
}`,
    },
    {
      name: "a local Mutex class that is not async-mutex",
      code: `class Mutex { async acquire() { return () => {}; } }
const lock = new Mutex();
export async function run() {
  const release = await lock.acquire();
  try {
    await fetch("https://example.com", { signal: AbortSignal.timeout(1000) });
  } finally {
    release();
  }
}`,
    },
    {
      name: "reading the body of a response fetched before the lock",
      code: `${MUTEX}const lock = new Mutex();
const cache = new Map<string, unknown>();
export async function store(id: string, response: Response) {
  const release = await lock.acquire();
  try {
    cache.set(id, await response.json());
  } finally {
    release();
  }
}`,
    },
    {
      name: "a file handle is not a lock",
      code: `import { open } from "node:fs/promises";
export async function upload(path: string, url: string) {
  const file = await open(path);
  try {
    await fetch(url, { method: "PUT", body: await file.readFile(), signal: AbortSignal.timeout(5000) });
  } finally {
    await file.close();
  }
}`,
    },
    {
      name: "fire-and-forget ping started under the lock is not awaited",
      code: `${MUTEX}const lock = new Mutex();
let count = 0;
export async function hit() {
  const release = await lock.acquire();
  try {
    count += 1;
    void fetch("https://metrics.internal/hit", { signal: AbortSignal.timeout(500) });
  } finally {
    release();
  }
}`,
    },
    {
      name: "1,000 nested blocks under a held lock do not overflow",
      code: `${MUTEX}const lock = new Mutex();\nexport async function deep() {\n  const release = await lock.acquire();\n  try ${"{".repeat(DEPTH / 2)}await fetch("https://x.internal", { signal: AbortSignal.timeout(1) });${"}".repeat(DEPTH / 2)} finally { release(); }\n}`,
    },
    {
      name: "2,000 negations and a 2,000-long property chain do not overflow",
      code: `${MUTEX}const lock = new Mutex();\ndeclare const o: any;\nexport async function deep(release?: () => void) {\n  release = await lock.acquire();\n  try { if (${"!".repeat(DEPTH)}release) o${".x".repeat(DEPTH)}.release(); } finally { release(); }\n}`,
    },
    {
      name: "reportUnknownAwaits leaves semaphore permits alone: the limited work is the point",
      code: `${MUTEX}const slots = new Semaphore(3);
declare function render(page: string): Promise<string>;
export function renderLimited(page: string) {
  return slots.runExclusive(async () => await render(page));
}`,
      options: { reportUnknownAwaits: true },
    },
  ],
  invalid: [
    {
      name: "cache lock held across an HTTP call in runExclusive",
      code: `${MUTEX}const cacheLock = new Mutex();
const cache = new Map<string, unknown>();
export function getProfile(id: string) {
  return cacheLock.runExclusive(async () => {
    if (!cache.has(id)) {
      const response = await fetch("https://profiles.internal/" + id, { signal: AbortSignal.timeout(2000) });
      cache.set(id, await response.json());
    }
    return cache.get(id);
  });
}`,
      errors: [{ messageId: "heldAcrossAwait", line: 7 }],
    },
    {
      name: "cache lock acquired around an axios call",
      code: `${MUTEX}import axios from "axios";
const cacheLock = new Mutex();
const rates = new Map<string, number>();
export async function rate(currency: string) {
  const release = await cacheLock.acquire();
  try {
    if (!rates.has(currency)) {
      const { data } = await axios.get("https://fx.example.com/" + currency, { timeout: 5000 });
      rates.set(currency, data.rate);
    }
    return rates.get(currency);
  } finally {
    release();
  }
}`,
      errors: [{ messageId: "heldAcrossAwait", line: 9 }],
    },
    {
      name: "mutex held across await sleep() in a backoff retry",
      code: `${MUTEX}import { setTimeout as sleep } from "node:timers/promises";
const lock = new Mutex();
export async function writeWithRetry(write: () => Promise<void>) {
  const release = await lock.acquire();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        return await write();
      } catch (error) {
        if (attempt >= 5) throw error;
        await sleep(2 ** attempt * 100);
      }
    }
  } finally {
    release();
  }
}`,
      errors: [{ messageId: "heldAcrossAwait", line: 12 }],
    },
    {
      name: "mutex held across a new Promise setTimeout sleep",
      code: `${MUTEX}const lock = new Mutex();
export async function throttled(send: () => void) {
  await lock.runExclusive(async () => {
    send();
    await new Promise((resolve) => setTimeout(resolve, 1000));
  });
}`,
      errors: [{ messageId: "heldAcrossAwait", line: 6 }],
    },
    {
      name: "mutex held across a local sleep helper",
      code: `${MUTEX}const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const lock = new Mutex();
export async function tick(step: () => void) {
  const release = await lock.acquire();
  try {
    step();
    await sleep(250);
  } finally {
    release();
  }
}`,
      errors: [{ messageId: "heldAcrossAwait", line: 8 }],
    },
    {
      name: "pooled client held across a webhook fetch inside a transaction",
      code: `${PG}export async function placeOrder(order: { id: string }) {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("INSERT INTO orders VALUES ($1)", [order.id]);
    await fetch("https://payments.internal/charge", { method: "POST", body: order.id, signal: AbortSignal.timeout(5000) });
    await client.query("COMMIT");
  } finally {
    client.release();
  }
}`,
      errors: [{ messageId: "heldAcrossAwait", line: 8 }],
    },
    {
      name: "held client waits for another client from the same pool",
      code: `${PG}export async function copyUser(id: string) {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const { rows } = await pool.query("SELECT * FROM users WHERE id = $1", [id]);
    await client.query("INSERT INTO archive SELECT $1", [rows[0]]);
    await client.query("COMMIT");
  } finally {
    client.release();
  }
}`,
      errors: [{ messageId: "heldAcrossAwait", line: 7 }],
    },
    {
      name: "held client waits on Redis",
      code: `${PG}import Redis from "ioredis";
const redis = new Redis();
export async function syncCounter(key: string) {
  const client = await pool.connect();
  try {
    const value = await redis.get(key);
    await client.query("UPDATE counters SET value = $1 WHERE key = $2", [value, key]);
  } finally {
    client.release();
  }
}`,
      errors: [{ messageId: "heldAcrossAwait", line: 8 }],
    },
    {
      name: "mutex held while waiting for an event",
      code: `${MUTEX}import { once, EventEmitter } from "node:events";
const lock = new Mutex();
export async function nextMessage(socket: EventEmitter) {
  const release = await lock.acquire();
  try {
    const [message] = await once(socket, "message");
    return message;
  } finally {
    release();
  }
}`,
      errors: [{ messageId: "heldAcrossAwait", line: 7 }],
    },
    {
      name: "mutex held across a child process",
      code: `${MUTEX}import { promisify } from "node:util";
import { execFile } from "node:child_process";
const run = promisify(execFile);
const deployLock = new Mutex();
export async function deploy(tag: string) {
  await deployLock.runExclusive(async () => {
    await run("git", ["checkout", tag]);
  });
}`,
      errors: [{ messageId: "heldAcrossAwait", line: 8 }],
    },
    {
      name: "semaphore permit held through a backoff sleep",
      code: `${MUTEX}import { setTimeout as sleep } from "node:timers/promises";
const slots = new Semaphore(5);
export async function send(payload: string, post: (p: string) => Promise<Response>) {
  const [, release] = await slots.acquire();
  try {
    let response = await post(payload);
    while (response.status === 429) {
      await sleep(1000);
      response = await post(payload);
    }
    return response;
  } finally {
    release();
  }
}`,
      errors: [{ messageId: "heldAcrossAwait", line: 9 }],
    },
    {
      name: "axios instance field called under a class mutex",
      code: `${MUTEX}import axios from "axios";
export class TokenCache {
  private readonly lock = new Mutex();
  private readonly http = axios.create({ baseURL: "https://auth.internal", timeout: 3000 });
  private token?: string;
  async get() {
    const release = await this.lock.acquire();
    try {
      if (!this.token) this.token = (await this.http.post("/token")).data.token;
      return this.token;
    } finally {
      release();
    }
  }
}`,
      errors: [{ messageId: "heldAcrossAwait", line: 10 }],
    },
    {
      name: "Promise.all of fetches under the lock",
      code: `${MUTEX}const lock = new Mutex();
export async function warm(urls: string[], cache: Map<string, Response>) {
  await lock.runExclusive(async () => {
    const responses = await Promise.all(urls.map((url) => fetch(url, { signal: AbortSignal.timeout(1000) })));
    responses.forEach((response, i) => cache.set(urls[i]!, response));
  });
}`,
      errors: [{ messageId: "heldAcrossAwait", line: 5 }],
    },
    {
      name: "held client waits on a second pool",
      code: `${PG}const analytics = new Pool({ connectionString: process.env.ANALYTICS_URL });
export async function record(id: string) {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await analytics.query("INSERT INTO events VALUES ($1)", [id]);
    await client.query("COMMIT");
  } finally {
    client.release();
  }
}`,
      errors: [{ messageId: "heldAcrossAwait", line: 8 }],
    },
    {
      name: "owner-released mutex field held across fetch",
      code: `${MUTEX}export class Syncer {
  private readonly mutex = new Mutex();
  async sync() {
    await this.mutex.acquire();
    try {
      await fetch("https://api.internal/sync", { method: "POST", signal: AbortSignal.timeout(5000) });
    } finally {
      this.mutex.release();
    }
  }
}`,
      errors: [{ messageId: "heldAcrossAwait", line: 7 }],
    },
    {
      name: "Semaphore(1) is a mutex: held across an HTTP call",
      code: `${MUTEX}import got from "got";
const single = withTimeout(new Semaphore(1), 10_000);
export async function refresh() {
  const [, release] = await single.acquire();
  try {
    return await got("https://config.internal/v1").json();
  } finally {
    release();
  }
}`,
      errors: [{ messageId: "heldAcrossAwait", line: 7 }],
    },
    {
      name: "for await over events.on while holding the lock",
      code: `${MUTEX}import { on, EventEmitter } from "node:events";
const lock = new Mutex();
export async function consume(queue: EventEmitter, handle: (job: unknown) => void) {
  const release = await lock.acquire();
  try {
    for await (const [job] of on(queue, "job")) handle(job);
  } finally {
    release();
  }
}`,
      errors: [{ messageId: "heldAcrossAwait", line: 7 }],
    },
    {
      name: "pool from the project's db module held across fetch",
      code: `import { pool } from "./db.js";
export async function sync(id: string) {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await fetch("https://crm.internal/contacts/" + id, { signal: AbortSignal.timeout(2000) });
    await client.query("COMMIT");
  } finally {
    client.release();
  }
}`,
      files: { "src/db.ts": `import pg from "pg";\nexport const pool = new pg.Pool();\n` },
      errors: [{ messageId: "heldAcrossAwait", line: 6 }],
    },
    {
      name: "team lock bound with await using, held across an HTTP call",
      code: `import { Locker } from "@acme/locks";
const locker = new Locker();
export async function publish(id: string) {
  await using lease = await locker.acquire("publish:" + id);
  await fetch("https://cdn.internal/purge/" + id, { method: "POST", signal: AbortSignal.timeout(2000) });
}`,
      options: { resources: [{ module: "@acme/locks", export: "Locker", acquire: "acquire", release: "release" }] },
      errors: [{ messageId: "heldAcrossAwait", line: 5 }],
    },
    {
      name: "unknown awaited helper reported when reportUnknownAwaits is on",
      code: `${MUTEX}const lock = new Mutex();
declare function syncToCrm(id: string): Promise<void>;
export async function save(id: string) {
  await lock.runExclusive(async () => {
    await syncToCrm(id);
  });
}`,
      options: { reportUnknownAwaits: true },
      errors: [{ messageId: "heldAcrossUnknownAwait", line: 6 }],
    },
    {
      name: "team-registered redlock lock held across a sleep",
      code: `import Redlock from "redlock";
import { setTimeout as sleep } from "node:timers/promises";
declare const redis: never;
const redlock = new Redlock([redis]);
export async function leader(work: () => void) {
  const lock = await redlock.acquire(["leader"], 10_000);
  try {
    work();
    await sleep(5_000);
  } finally {
    await lock.release();
  }
}`,
      options: { resources: [{ module: "redlock", export: "default", acquire: "acquire", release: "release" }] },
      errors: [{ messageId: "heldAcrossAwait", line: 9 }],
    },
  ],
});
