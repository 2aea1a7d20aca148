import rule from "../../../rules/unreleased-resource/index.js";
import { ruleTester } from "../../helpers/rule-tester.js";

const PG = `import { Pool } from "pg";\nconst pool = new Pool();\n`;
const MUTEX = `import { Mutex, Semaphore, withTimeout } from "async-mutex";\n`;
const DEPTH = 1_000;
const deepBlocks = (inner: string) => "{".repeat(DEPTH) + inner + "}".repeat(DEPTH);
const MUTEX_TYPES = {
  "node_modules/async-mutex/package.json": JSON.stringify({ name: "async-mutex", version: "0.5.0", types: "index.d.ts" }),
  "node_modules/async-mutex/index.d.ts":
    "export declare class Mutex {\n  acquire(): Promise<() => void>;\n  release(): void;\n  runExclusive<T>(callback: () => T | Promise<T>): Promise<T>;\n}\n",
};

ruleTester(rule, {
  valid: [
    {
      name: "pg client released in finally",
      code: `${PG}export async function findUser(id: string) {
  const client = await pool.connect();
  try {
    const { rows } = await client.query("SELECT * FROM users WHERE id = $1", [id]);
    return rows[0];
  } finally {
    client.release();
  }
}`,
    },
    {
      name: "pg transaction with ROLLBACK in catch and release in finally",
      code: `${PG}export async function transfer(from: string, to: string, amount: number) {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("UPDATE accounts SET balance = balance - $1 WHERE id = $2", [amount, from]);
    await client.query("UPDATE accounts SET balance = balance + $1 WHERE id = $2", [amount, to]);
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
      name: "pool.query checks a client out and releases it by itself",
      code: `${PG}export async function count() {\n  const { rows } = await pool.query("SELECT count(*) FROM jobs");\n  return rows[0].count;\n}`,
    },
    {
      name: "client returned to the caller, who releases it",
      code: `${PG}export async function checkout() {\n  const client = await pool.connect();\n  return client;\n}`,
    },
    {
      name: "client assigned inside try, released with optional chaining in finally",
      code: `${PG}export async function migrate(sql: string) {
  let client: import("pg").PoolClient | undefined;
  try {
    client = await pool.connect();
    await client.query(sql);
  } finally {
    client?.release();
  }
}`,
    },
    {
      name: "client released under an if test in finally",
      code: `${PG}export async function migrate(sql: string) {
  let client;
  try {
    client = await pool.connect();
    await client.query(sql);
  } finally {
    if (client) client.release();
  }
}`,
    },
    {
      name: "pg error-path release with the error, success-path release at the end of try",
      code: `${PG}export async function touch(id: string) {
  const client = await pool.connect();
  try {
    await client.query("UPDATE sessions SET seen = now() WHERE id = $1", [id]);
    client.release();
  } catch (error) {
    client.release(error as Error);
    throw error;
  }
}`,
    },
    {
      name: "mutex.runExclusive releases even when the callback throws",
      code: `${MUTEX}const lock = new Mutex();\nexport function bump(store: Map<string, number>, key: string) {\n  return lock.runExclusive(async () => {\n    store.set(key, (store.get(key) ?? 0) + 1);\n  });\n}`,
    },
    {
      name: "semaphore permit released in finally",
      code: `${MUTEX}const limit = new Semaphore(4);
export async function download(url: string) {
  const [, release] = await limit.acquire();
  try {
    return await fetch(url, { signal: AbortSignal.timeout(5000) });
  } finally {
    release();
  }
}`,
    },
    {
      name: "nothing that can throw between acquire and release",
      code: `${MUTEX}const lock = new Mutex();\nlet counter = 0;\nexport async function next() {\n  const release = await lock.acquire();\n  counter += 1;\n  const value = counter;\n  release();\n  return value;\n}`,
    },
    {
      name: "lock() helper that leaves the release to its unlock() counterpart",
      code: `${MUTEX}export class Gate {
  private readonly mutex = new Mutex();
  async lock() {
    await this.mutex.acquire();
  }
  unlock() {
    this.mutex.release();
  }
}`,
    },
    {
      name: "releaser handed to a stream close event",
      code: `${MUTEX}import type { Readable } from "node:stream";\nconst lock = new Mutex();\nexport async function pipeExclusive(stream: Readable) {\n  const release = await lock.acquire();\n  stream.on("close", release);\n  stream.resume();\n}`,
    },
    {
      name: "client released by a response finish callback",
      code: `${PG}export async function attach(req: { db?: unknown }, res: { on(event: string, fn: () => void): void }) {\n  const client = await pool.connect();\n  res.on("finish", () => client.release());\n  req.db = client;\n}`,
    },
    {
      name: "client handed to a repository that owns it",
      code: `${PG}class Repository { constructor(readonly client: unknown) {} }\nexport async function repository() {\n  const client = await pool.connect();\n  return new Repository(client);\n}`,
    },
    {
      name: "file handle with await using",
      code: `import { open } from "node:fs/promises";\nexport async function header(path: string) {\n  await using file = await open(path);\n  const { buffer } = await file.read(Buffer.alloc(16), 0, 16, 0);\n  return buffer;\n}`,
    },
    {
      name: "file handle closed in finally",
      code: `import fs from "node:fs";\nexport async function append(path: string, line: string) {\n  const handle = await fs.promises.open(path, "a");\n  try {\n    await handle.appendFile(line + "\\n");\n  } finally {\n    await handle.close();\n  }\n}`,
    },
    {
      name: "per-item lock in a loop released in finally",
      code: `${MUTEX}const lock = new Mutex();
export async function drain(jobs: Array<() => Promise<void>>) {
  for (const job of jobs) {
    const release = await lock.acquire();
    try {
      await job();
    } finally {
      release();
    }
  }
}`,
    },
    {
      name: "pg Client.connect opens its own connection, not a pool checkout",
      code: `import { Client } from "pg";\nexport async function ping() {\n  const client = new Client();\n  await client.connect();\n  await client.query("SELECT 1");\n  await client.end();\n}`,
    },
    {
      name: "a local Pool class that is not pg",
      code: `class Pool { async connect() { return { release() {}, query: async (_: string) => 1 }; } }\nconst pool = new Pool();\nexport async function run() {\n  const client = await pool.connect();\n  await client.query("x");\n  client.release();\n}`,
    },
    {
      name: "releaser stored in a field for a later unlock",
      code: `${MUTEX}export class Session {\n  private readonly mutex = new Mutex();\n  private unlockFn?: () => void;\n  async begin() {\n    const release = await this.mutex.acquire();\n    this.unlockFn = release;\n  }\n}`,
    },
    {
      name: "top-level migration script: a throw ends the process anyway",
      code: `${PG}const client = await pool.connect();\nawait client.query("CREATE TABLE IF NOT EXISTS jobs (id text)");\nclient.release();\nawait pool.end();\nexport {};`,
    },
    {
      name: "1,000 nested blocks between acquire and a finally release do not overflow",
      code: `${MUTEX}const lock = new Mutex();\nexport async function deep(work: () => Promise<void>) {\n  const release = await lock.acquire();\n  try ${deepBlocks("await work();")} finally { release(); }\n}`,
    },
    {
      name: "a lock from a factory the syntax cannot see through is not guessed without types",
      code: `import { Mutex } from "async-mutex";\nfunction makeLock() { return new Mutex(); }\nconst lock = makeLock();\nexport async function save(write: () => Promise<void>) {\n  const release = await lock.acquire();\n  await write();\n  release();\n}`,
    },
    {
      name: "release skipped past 1,000 nested blocks: beyond the analysis, which gives up silently",
      code: `${MUTEX}const lock = new Mutex();\nexport async function deep(work: () => Promise<void>) {\n  const release = await lock.acquire();\n  ${deepBlocks("await work();")}\n  release();\n}`,
    },
    {
      name: "file handle closed in .finally() on the promise chain",
      code: `import { open } from "node:fs/promises";\nexport async function size(path: string) {\n  const file = await open(path);\n  const stats = await file.stat().finally(() => file.close());\n  return stats.size;\n}`,
    },
    {
      name: "released flag guards a double release in finally",
      code: `${PG}export async function once(id: string) {
  const client = await pool.connect();
  let released = false;
  try {
    await client.query("SELECT pg_advisory_lock($1)", [id]);
    client.release();
    released = true;
    await fetch("https://hooks.internal/" + id, { signal: AbortSignal.timeout(1000) });
  } finally {
    if (!released) client.release();
  }
}`,
    },
    {
      name: "dedicated LISTEN/NOTIFY client kept checked out on purpose",
      code: `${PG}export async function listen(onEvent: (payload?: string) => void) {
  const client = await pool.connect();
  client.on("notification", (message) => onEvent(message.payload));
  await client.query("LISTEN job_events");
}`,
    },
    {
      name: "errors swallowed and logged to the console, release after the try",
      code: `${PG}export async function bestEffort(sql: string) {
  const client = await pool.connect();
  try {
    await client.query(sql);
  } catch (error) {
    console.error("best-effort query failed", error);
  }
  client.release();
}`,
    },
    {
      name: "await-semaphore Mutex from require() released in finally",
      code: `const Mutex = require("await-semaphore").Mutex;
const mutex = new Mutex();
export async function update(fetchRate: () => Promise<number>) {
  const release = await mutex.acquire();
  try {
    return await fetchRate();
  } finally {
    release();
  }
}`,
    },
    {
      name: "semaphore permit of another package released with .release() in finally",
      code: `import { Semaphore } from "some-semaphore";
const slots = new Semaphore(4);
export async function run(job: () => Promise<void>) {
  const permit = await slots.acquire();
  try {
    await job();
  } finally {
    permit.release();
  }
}`,
    },
    {
      name: "async-lock style acquire with a callback releases by itself",
      code: `import { Lock } from "some-lock";
const lock = new Lock();
export async function run(job: () => Promise<void>) {
  const result = await lock.acquire("key", async () => job());
  return result;
}`,
    },
    {
      name: "a Mutex class of the project itself is not taken for a library lock",
      code: `import { Mutex } from "./mutex";
const mutex = new Mutex();
export async function update(fetchRate: () => Promise<number>) {
  const handle = await mutex.acquire();
  await fetchRate();
  handle.done();
}`,
    },
    {
      name: "ORM query runner released in finally",
      code: `export class Connection {
  async dropDatabase(): Promise<void> {
    const queryRunner = await this.createQueryRunner("master");
    try {
      await queryRunner.clearDatabase();
    } finally {
      await queryRunner.release();
    }
  }
}`,
    },
    {
      name: "pg pool destructured from a typed options object, released in nested finally after COMMIT",
      code: `import { Pool } from "pg";
export async function withClient(options: { pgPool: Pool }, callback: (client: unknown) => Promise<void>) {
  const { pgPool } = options;
  const pgClient = await pgPool.connect();
  try {
    await callback(pgClient);
  } finally {
    try {
      await pgClient.query("commit");
    } finally {
      pgClient.release();
    }
  }
}`,
    },
  ],
  invalid: [
    {
      name: "await-semaphore Mutex from require(): released after an awaited fetch on the success path only",
      code: `const Mutex = require("await-semaphore").Mutex;
export class RateController {
  private mutex = new Mutex();
  async update() {
    const releaseLock = await this.mutex.acquire();
    const rate = await this.fetchRate();
    this.rate = rate;
    releaseLock();
  }
}`,
      errors: [{ messageId: "notReleasedOnThrow", line: 5 }],
    },
    {
      name: "semaphore permit of another package released with .release() after work that can throw",
      code: `import { Semaphore } from "some-semaphore";
const slots = new Semaphore(4);
export async function run(job: () => Promise<void>) {
  const permit = await slots.acquire();
  await job();
  permit.release();
}`,
      errors: [{ messageId: "notReleasedOnThrow", line: 4 }],
    },
    {
      name: "ORM query runner released after the awaited work on the success path only",
      code: `export class Connection {
  async dropDatabase(): Promise<void> {
    const queryRunner = await this.createQueryRunner("master");
    await queryRunner.clearDatabase();
    await queryRunner.release();
  }
}`,
      errors: [{ messageId: "notReleasedOnThrow", line: 3 }],
    },
    {
      name: "pg pool destructured from a typed options object: release after an awaited COMMIT in the same finally",
      code: `import { Pool } from "pg";
export async function withClient(options: { pgPool: Pool }, callback: (client: unknown) => Promise<void>) {
  const { pgPool } = options;
  const pgClient = await pgPool.connect();
  try {
    await callback(pgClient);
  } finally {
    await pgClient.query("commit");
    pgClient.release();
  }
}`,
      errors: [{ messageId: "notReleasedOnThrow", line: 4 }],
    },
    {
      name: "lock from a factory, recognised by its type when type information is on",
      code: `import { Mutex } from "async-mutex";\nfunction makeLock() { return new Mutex(); }\nconst lock = makeLock();\nexport async function save(write: () => Promise<void>) {\n  const release = await lock.acquire();\n  await write();\n  release();\n}`,
      files: MUTEX_TYPES,
      types: true,
      errors: [{ messageId: "notReleasedOnThrow", line: 5 }],
    },
    {
      name: "pg client released only after a successful query",
      code: `${PG}export async function findUser(id: string) {
  const client = await pool.connect();
  const result = await client.query("SELECT * FROM users WHERE id = $1", [id]);
  client.release();
  return result.rows[0];
}`,
      errors: [{ messageId: "notReleasedOnThrow", line: 4 }],
    },
    {
      name: "pg transaction released after COMMIT without try",
      code: `${PG}export async function transfer(from: string, to: string) {
  const client = await pool.connect();
  await client.query("BEGIN");
  await client.query("UPDATE accounts SET balance = balance - 10 WHERE id = $1", [from]);
  await client.query("UPDATE accounts SET balance = balance + 10 WHERE id = $1", [to]);
  await client.query("COMMIT");
  client.release();
}`,
      errors: [{ messageId: "notReleasedOnThrow", line: 4 }],
    },
    {
      name: "mutex released after a call that can throw",
      code: `${MUTEX}const lock = new Mutex();
export async function save(state: object, write: (data: string) => Promise<void>) {
  const release = await lock.acquire();
  await write(JSON.stringify(state));
  release();
}`,
      errors: [{ messageId: "notReleasedOnThrow", line: 4 }],
    },
    {
      name: "early return inside the span without release",
      code: `${MUTEX}const lock = new Mutex();
const cache = new Map<string, string>();
let hits = 0;
export async function get(key: string, load: () => Promise<string>) {
  const release = await lock.acquire();
  if (hits > 100) return undefined;
  const value = await load();
  release();
  return value;
}`,
      errors: [{ messageId: "notReleasedOnExit", line: 6 }],
    },
    {
      name: "catch releases but the ROLLBACK that can throw comes first",
      code: `${PG}export async function transfer() {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("COMMIT");
    client.release();
  } catch (error) {
    await client.query("ROLLBACK");
    client.release();
    throw error;
  }
}`,
      errors: [{ messageId: "notReleasedOnThrow", line: 4 }],
    },
    {
      name: "catch releases only for retryable errors; the rethrow path misses",
      code: `${PG}declare function isRetryable(error: unknown): boolean;
export async function store(doc: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("INSERT INTO docs VALUES ($1)", [doc]);
    client.release();
  } catch (error) {
    if (isRetryable(error)) {
      client.release();
      return store(doc);
    }
    throw error;
  }
}`,
      errors: [{ messageId: "notReleasedOnThrow", line: 5 }],
    },
    {
      name: "semaphore permit leaked when the timeout race rejects",
      code: `${MUTEX}const limit = new Semaphore(8);
declare function timeout(ms: number): Promise<never>;
export async function render(page: () => Promise<string>) {
  const [, release] = await limit.acquire();
  const html = await Promise.race([page(), timeout(10_000)]);
  release();
  return html;
}`,
      errors: [{ messageId: "notReleasedOnThrow", line: 5 }],
    },
    {
      name: "semaphore permit leaked when a timeout is caught and turned into null",
      code: `${MUTEX}const limit = new Semaphore(8);
declare function withDeadline<T>(p: Promise<T>, ms: number): Promise<T>;
declare class TimeoutError extends Error {}
export async function probe(check: () => Promise<boolean>) {
  const [, release] = await limit.acquire();
  try {
    const ok = await withDeadline(check(), 2_000);
    release();
    return ok;
  } catch (error) {
    if (error instanceof TimeoutError) return null;
    release();
    throw error;
  }
}`,
      errors: [{ messageId: "notReleasedOnExit", line: 6 }],
    },
    {
      name: "pg client never released",
      code: `${PG}export async function listJobs() {\n  const client = await pool.connect();\n  const { rows } = await client.query("SELECT * FROM jobs");\n  return rows;\n}`,
      errors: [{ messageId: "neverReleased", line: 4 }],
    },
    {
      name: "mutex releaser never called",
      code: `${MUTEX}const lock = new Mutex();\nexport async function rotate(keys: string[]) {\n  const release = await lock.acquire();\n  keys.reverse();\n}`,
      errors: [{ messageId: "neverReleased", line: 4 }],
    },
    {
      name: "file handle closed only after a successful read",
      code: `import { open } from "node:fs/promises";
export async function readHeader(path: string) {
  const file = await open(path, "r");
  const { buffer } = await file.read(Buffer.alloc(64), 0, 64, 0);
  await file.close();
  return buffer;
}`,
      errors: [{ messageId: "notReleasedOnThrow", line: 3 }],
    },
    {
      name: "fs.promises.open handle closed after a write that can fail",
      code: `import * as fs from "node:fs";
export async function appendLog(path: string, line: string) {
  const handle = await fs.promises.open(path, "a");
  await handle.write(line);
  await handle.close();
}`,
      errors: [{ messageId: "notReleasedOnThrow", line: 3 }],
    },
    {
      name: "continue skips the release of a per-item lock",
      code: `${MUTEX}const lock = new Mutex();
export async function process(items: string[], handle: (item: string) => void) {
  for (const item of items) {
    const release = await lock.acquire();
    if (item === "") continue;
    handle(item);
    release();
  }
}`,
      errors: [{ messageId: "notReleasedOnExit", line: 5 }],
    },
    {
      name: "mutex field acquired and released through the owner around a flush",
      code: `${MUTEX}export class Writer {
  private readonly mutex = new Mutex();
  private buffer: string[] = [];
  constructor(private readonly sink: { write(lines: string[]): Promise<void> }) {}
  async flush() {
    await this.mutex.acquire();
    await this.sink.write(this.buffer);
    this.buffer = [];
    this.mutex.release();
  }
}`,
      errors: [{ messageId: "notReleasedOnThrow", line: 7 }],
    },
    {
      name: "pool imported from the project's db module",
      code: `import { pool } from "./db.js";
export async function audit(event: string) {
  const client = await pool.connect();
  await client.query("INSERT INTO audit VALUES ($1)", [event]);
  client.release();
}`,
      files: { "src/db.ts": `import pg from "pg";\nexport const pool = new pg.Pool({ max: 10 });\n` },
      errors: [{ messageId: "notReleasedOnThrow", line: 3 }],
    },
    {
      name: "pool injected through a typed constructor parameter",
      code: `import type { Pool } from "pg";
export class Users {
  constructor(private readonly pool: Pool) {}
  async rename(id: string, name: string) {
    const client = await this.pool.connect();
    await client.query("UPDATE users SET name = $1 WHERE id = $2", [name, id]);
    client.release();
  }
}`,
      errors: [{ messageId: "notReleasedOnThrow", line: 5 }],
    },
    {
      name: "withTimeout mutex released after work that can throw",
      code: `${MUTEX}const lock = withTimeout(new Mutex(), 5_000);
export async function refresh(load: () => Promise<void>) {
  const release = await lock.acquire();
  await load();
  release();
}`,
      errors: [{ messageId: "notReleasedOnThrow", line: 4 }],
    },
    {
      name: "async generator yields rows while holding the client",
      code: `${PG}export async function* streamUsers() {
  const client = await pool.connect();
  try {
    const { rows } = await client.query("SELECT * FROM users");
    for (const row of rows) yield row;
  } catch (error) {
    client.release();
    throw error;
  }
  client.release();
}`,
      errors: [{ messageId: "notReleasedOnExit", line: 4 }],
    },
    {
      name: "client released only when the update matched a row",
      code: `${PG}export async function claim(id: string) {
  const client = await pool.connect();
  try {
    const { rowCount } = await client.query("UPDATE jobs SET owner = 'me' WHERE id = $1", [id]);
    if (rowCount === 1) client.release();
  } catch (error) {
    client.release();
    throw error;
  }
}`,
      errors: [{ messageId: "notReleasedAtEnd", line: 4 }],
    },
    {
      name: "file handle closed in .then() on the success path only",
      code: `import { open } from "node:fs/promises";\nexport async function size(path: string) {\n  const file = await open(path);\n  const stats = await file.stat().then((s) => { void file.close(); return s; });\n  return stats.size;\n}`,
      errors: [{ messageId: "notReleasedOnThrow", line: 3 }],
    },
    {
      name: "explicit throw between acquire and release",
      code: `${MUTEX}const lock = new Mutex();
export async function withdraw(balance: { value: number }, amount: number) {
  const release = await lock.acquire();
  if (amount > balance.value) throw new Error("insufficient funds");
  balance.value -= amount;
  release();
}`,
      errors: [{ messageId: "notReleasedOnExit", line: 4 }],
    },
    {
      name: "team-registered proper-lockfile release function called after a write that can fail",
      code: `import lockfile from "proper-lockfile";
import { writeFile } from "node:fs/promises";
export async function persist(path: string, data: string) {
  const release = await lockfile.lock(path);
  await writeFile(path, data);
  await release();
}`,
      options: { resources: [{ module: "proper-lockfile", export: "lock", kind: "lock" }] },
      errors: [{ messageId: "notReleasedOnThrow", line: 4 }],
    },
    {
      name: "team-registered mysql2 pool connection released after a query",
      code: `import mysql from "mysql2/promise";
const pool = mysql.createPool({ uri: process.env.DATABASE_URL });
export async function load(id: number) {
  const conn = await pool.getConnection();
  const [rows] = await conn.query("SELECT * FROM t WHERE id = ?", [id]);
  conn.release();
  return rows;
}`,
      options: {
        resources: [{ module: "mysql2/promise", export: "createPool", acquire: "getConnection", release: "release", kind: "connection" }],
      },
      errors: [{ messageId: "notReleasedOnThrow", line: 4 }],
    },
  ],
});
