import rule from "../../../rules/unbounded-concurrency/index.js";
import { ruleTester } from "../../helpers/rule-tester.js";

ruleTester(rule, {
  valid: [
    {
      name: "bounded-by-construction: loading each pending migration of the project (migrations: files the developers wrote)",
      code: `import { readFile } from "node:fs/promises";\nexport async function validate(migrations: string[]) {\n  await Promise.all(migrations.map(async (migration) => {\n    await readFile("migrations/" + migration, "utf8");\n  }));\n}`,
    },
    {
      name: "teardown: stopping each node of a flow (stopNode(node)) releases what the nodes hold",
      code: `import { rm } from "node:fs/promises";\nasync function stopNode(node: { id: string }) {\n  await rm("/tmp/" + node.id, { force: true });\n}\nexport async function stopAll(nodes: { id: string }[]) {\n  const stopping: Promise<void>[] = [];\n  for (const node of nodes) stopping.push(stopNode(node).catch(() => {}));\n  await Promise.all(stopping);\n}`,
    },
    {
      name: "bounded-by-construction: one access check per configured collection of the CMS instance on the request (req.payload.config.collections)",
      code: `export async function getAccess({ req }: { req: { payload: { config: { collections: { slug: string }[] } } } }) {\n  const { payload } = req;\n  await Promise.all(payload.config.collections.map(async (collection) => {\n    await fetch("http://acl/" + collection.slug);\n  }));\n}`,
    },
    {
      name: "bounded-by-construction: one resize per image size destructured from the upload config (const { imageSizes } = config.upload)",
      code: `import { writeFile } from "node:fs/promises";\nexport async function createSizes(config: { upload: { imageSizes: { name: string }[] } }) {\n  const { imageSizes } = config.upload;\n  await Promise.all(imageSizes.map(async (size) => {\n    await writeFile("/tmp/" + size.name, "");\n  }));\n}`,
    },
    {
      name: "no-real-fan-out: an async cache sweep whose per-key method only awaits the promise already stored under the key",
      code: `export class DnsCache {\n  #cache = new Map<string, Promise<{ expires: number }> | { expires: number }>();\n  #keys = new Set<string>();\n  async sweep() {\n    const time = Date.now();\n    await Promise.all([...this.#keys].map(async (key) => this.#sweepKey(key, time)));\n  }\n  async #sweepKey(key: string, time: number) {\n    let cached = this.#cache.get(key);\n    if (cached instanceof Promise) cached = await cached;\n    if (cached && cached.expires <= time) {\n      this.#cache.delete(key);\n      this.#keys.delete(key);\n    }\n  }\n}`,
    },
    {
      name: "no-real-fan-out: an async method with no await that sets an in-memory entry, pushed per credential",
      code: `const cache: Record<string, unknown> = {};\nasync function add(id: string, creds: unknown) {\n  cache[id] = creds;\n}\nexport async function saveAll(all: Record<string, unknown>) {\n  const saves: Promise<void>[] = [];\n  for (const id in all) {\n    saves.push(add(id, all[id]));\n  }\n  await Promise.all(saves);\n}`,
    },
    {
      name: "bounded-by-construction: one query per include of the query definition (options.include)",
      code: `export async function findAll(options: { include: { model: string }[] }) {\n  await Promise.all(options.include.map(async (include) => {\n    await fetch("http://db/" + include.model);\n  }));\n}`,
    },
    {
      name: "bounded-by-construction: one load per installed extension (Array.from(extensions.entries()))",
      code: `export async function register(extensions: Map<string, { path: string }>) {\n  await Promise.all(Array.from(extensions.entries()).map(async ([folder, extension]) => {\n    await import(extension.path);\n    return folder;\n  }));\n}`,
    },
    {
      name: "bounded-by-construction: one write per field of a collection of the schema",
      code: `export class Collections {\n  schema: { collections: Record<string, { fields: Record<string, unknown> }> } = { collections: {} };\n  async update(key: string) {\n    await Promise.all(Object.keys(this.schema.collections[key]?.fields ?? {}).map(async (fieldKey) => {\n      await fetch("http://db/fields/" + fieldKey, { method: "PATCH" });\n    }));\n  }\n}`,
    },
    {
      name: "bounded-by-construction: one connection per configured broker host (config.hosts)",
      code: `import net from "node:net";\nexport async function connectAll(config: { hosts: string[] }) {\n  return Promise.all(config.hosts.map(async (host) => {\n    await fetch("http://" + host + "/health");\n  }));\n}`,
    },
    {
      name: "fixed pair of requests in a tuple",
      code: `export async function page(id: string) {\n  return Promise.all([fetch("http://users/" + id), fetch("http://orders?user=" + id)]);\n}`,
    },
    {
      name: "p-limit wraps every call",
      code: `import pLimit from "p-limit";\nimport { readFile } from "node:fs/promises";\nconst limit = pLimit(16);\nexport async function loadAll(paths: string[]) {\n  return Promise.all(paths.map((p) => limit(() => readFile(p, "utf8"))));\n}`,
    },
    {
      name: "semaphore acquired inside the callback",
      code: `import { Semaphore } from "./lib/semaphore.js";\nconst permits = new Semaphore(8);\nexport async function crawl(urls: string[]) {\n  return Promise.all(urls.map(async (url) => {\n    using _permit = await permits.acquire();\n    return fetch(url);\n  }));\n}`,
    },
    {
      name: "batches of a constant size from slice",
      code: `export async function importUsers(rows: string[]) {\n  for (let i = 0; i < rows.length; i += 50) {\n    const slice = rows.slice(i, i + 50);\n    await Promise.all(slice.map((row) => fetch("http://users", { method: "POST", body: row })));\n  }\n}`,
    },
    {
      name: "loop over chunks awaits each chunk",
      code: `import { chunk } from "lodash-es";\nexport async function warm(keys: string[]) {\n  for (const group of chunk(keys, 20)) {\n    await Promise.all(group.map((key) => fetch("http://cache/" + key)));\n  }\n}`,
    },
    {
      name: "constant list of shards",
      code: `const SHARDS = ["eu-1", "eu-2", "us-1"];\nexport async function pingAll() {\n  return Promise.all(SHARDS.map((shard) => fetch(\`http://\${shard}.internal/health\`)));\n}`,
    },
    {
      name: "constant-length range",
      code: `export async function startWorkers() {\n  await Promise.all(Array.from({ length: 4 }, (_, i) => fetch("http://worker/" + i)));\n}`,
    },
    {
      name: "pure callback over promises started elsewhere",
      code: `export async function settle(jobs: { done: Promise<void> }[]) {\n  await Promise.all(jobs.map((job) => job.done));\n}`,
    },
    {
      name: "closing connections that are already open",
      code: `export async function shutdown(conns: { end(): Promise<void> }[]) {\n  await Promise.all(conns.map((conn) => conn.end()));\n}`,
    },
    {
      name: "Promise.resolve of plain values",
      code: `export async function wrap(values: number[]) {\n  return Promise.all(values.map((v) => Promise.resolve(v * 2)));\n}`,
    },
    {
      name: "synchronous local mapper",
      code: `function toRow(user: { id: string }) { return [user.id]; }\nexport async function rows(users: { id: string }[]) {\n  return Promise.all(users.map(toRow));\n}`,
    },
    {
      name: "worker pool loop awaits a slot with Promise.race",
      code: `export async function run(urls: string[]) {\n  const running: Promise<unknown>[] = [];\n  for (const url of urls) {\n    if (running.length >= 8) await Promise.race(running);\n    running.push(fetch(url));\n  }\n  await Promise.all(running);\n}`,
    },
    {
      name: "fixed number of retries in a for loop",
      code: `export async function probe(url: string) {\n  const attempts = [];\n  for (let i = 0; i < 3; i++) attempts.push(fetch(url + "?attempt=" + i));\n  return Promise.any(attempts);\n}`,
    },
    {
      name: "p-map with a concurrency option is not Promise.all",
      code: `import pMap from "p-map";\nexport async function loadAll(ids: string[]) {\n  return pMap(ids, (id) => fetch("http://items/" + id), { concurrency: 8 });\n}`,
    },
    {
      name: "entries of a constant handler table",
      code: `const checks = { db: "http://db/health", cache: "http://cache/health" };\nexport async function health() {\n  return Promise.all(Object.values(checks).map((url) => fetch(url)));\n}`,
    },
    {
      name: "waiting for every child process to exit",
      code: `import { once } from "node:events";\nexport async function stopAll(children: import("node:child_process").ChildProcess[]) {\n  for (const child of children) child.kill();\n  await Promise.all(children.map((child) => once(child, "exit")));\n}`,
    },
    {
      name: "load test fires a constant number of requests",
      code: `it("serves 50 concurrent clients", async () => {\n  const responses = await Promise.all(Array.from({ length: 50 }, () => fetch("http://localhost:8080/health")));\n  expect(responses.every((r) => r.ok)).toBe(true);\n});`,
    },
    {
      name: "closing every pooled client in a loop",
      code: `export function closeClients(clients: { destroyed: boolean; close(): Promise<void> }[]) {\n  const closing = [];\n  for (let i = 0; i < clients.length; i++) {\n    const client = clients[i]!;\n    if (!client.destroyed) closing.push(client.close());\n  }\n  return Promise.all(closing);\n}`,
    },
    {
      name: "test file injecting one request per HTTP method",
      code: `import { supportedMethods } from "../lib/methods.js";\ntest("all methods", async () => {\n  await Promise.all(supportedMethods.map(async (method) => fetch("http://localhost:3000/", { method })));\n});`,
      filename: "all.test.ts",
    },
    {
      name: "unknown client method without types is not known to give a promise",
      code: `export async function handler(ids: string[], cache: any) {\n  return Promise.all(ids.map((id) => cache.lookup(id)));\n}`,
    },
    {
      name: "p-queue add inside the mapper",
      code: `import PQueue from "p-queue";\nconst queue = new PQueue({ concurrency: 4 });\nexport async function crawl(urls: string[]) {\n  return Promise.all(urls.map((url) => queue.add(() => fetch(url))));\n}`,
    },
    {
      name: "waiting for every worker to exit in a loop",
      code: `import { once } from "node:events";\nexport async function destroy(workers: Set<{ terminate(): void }>) {\n  const exits = [];\n  for (const worker of workers) {\n    exits.push(once(worker as never, "exit"));\n    worker.terminate();\n  }\n  await Promise.allSettled(exits);\n}`,
    },
    {
      name: "type checker says the mapper returns no promise",
      code: `function label(x: number): string { return String(x); }\nexport async function labels(xs: number[]) {\n  return Promise.all(xs.map((x) => label(x)));\n}`,
      types: true,
    },
    {
      name: "worker pool: a counted loop up to the concurrency option starts the workers",
      code: `async function worker(id: number, queue: string[]) {\n  for (let url = queue.shift(); url; url = queue.shift()) await fetch(url, { signal: AbortSignal.timeout(5000) });\n}\nexport async function crawl(queue: string[], concurrency: number) {\n  const workers: Promise<void>[] = [];\n  for (let i = 0; i < concurrency; i++) workers.push(worker(i, queue));\n  await Promise.all(workers);\n}`,
    },
    {
      name: "worker pool: one worker per core with Array.from",
      code: `import os from "node:os";\nasync function worker(id: number, queue: string[]) {\n  for (let url = queue.shift(); url; url = queue.shift()) await fetch(url, { signal: AbortSignal.timeout(5000) });\n}\nexport async function crawl(queue: string[]) {\n  await Promise.all(Array.from({ length: os.availableParallelism() }, (_, i) => worker(i, queue)));\n}`,
    },
    {
      name: "worker pool: no more workers than items, capped by the concurrency",
      code: `async function worker(id: number, queue: string[]) {\n  for (let url = queue.shift(); url; url = queue.shift()) await fetch(url, { signal: AbortSignal.timeout(5000) });\n}\nexport async function crawl(queue: string[], concurrency: number) {\n  await Promise.all(Array.from({ length: Math.min(queue.length, concurrency) }, (_, i) => worker(i, queue)));\n}`,
    },
    {
      name: "killing the pool's child processes through its own kill method (bullmq ChildPool.clean)",
      code: `export class ChildPool {\n  children: { pid: number }[] = [];\n  async kill(child: { pid: number }, signal: NodeJS.Signals) {\n    process.kill(child.pid, signal);\n  }\n  async clean() {\n    await Promise.all(this.children.map((child) => this.kill(child, "SIGTERM")));\n  }\n}`,
    },
    {
      name: "terminating every worker thread through a helper function in a loop",
      code: `import type { Worker } from "node:worker_threads";\nasync function terminate(worker: Worker) {\n  await worker.terminate();\n}\nexport async function stopAll(workers: Worker[]) {\n  const stopping: Promise<void>[] = [];\n  for (const worker of workers) stopping.push(terminate(worker));\n  await Promise.all(stopping);\n}`,
    },
    {
      name: "files of a glob mapped through a limiter (p-limit slot per file)",
      code: `import { sync } from "globby";
import pLimit from "p-limit";
import { replaceAlias } from "./helpers";
const openFilesLimit = pLimit(500);
export async function run(pattern: string) {
  const files = sync(pattern);
  await Promise.all(files.map((file) => openFilesLimit(() => replaceAlias(file))));
}`,
    },
    {
      name: "files of a glob mapped to a pure path transform",
      code: `import { sync } from "globby";
import path from "node:path";
export async function run(pattern: string) {
  const files = sync(pattern);
  return Promise.all(files.map((file) => path.resolve(file)));
}`,
    },
    {
      name: "plain callback into a local helper that only does synchronous file reads",
      code: `import fs from "node:fs";
function parse(file: string) {
  return Promise.resolve(JSON.parse(fs.readFileSync(file, "utf8")));
}
export function loadAll(files: string[]) {
  return Promise.all(files.map(parse));
}`,
    },
    {
      name: "plain callback into a local helper that does no I/O",
      code: `function shape(row: { id: string }) {
  return Promise.resolve({ ...row, key: row.id.toUpperCase() });
}
export function shapeAll(rows: { id: string }[]) {
  return Promise.all(rows.map(shape));
}`,
    },
    {
      name: "plugins loaded with dynamic import() per name (module loading, not I/O fan-out)",
      code: `export async function loadPlugins(names: string[]) {
  return Promise.all(names.map(async (name) => await import(name)));
}`,
    },
    {
      name: "one probe per address a host name resolves to",
      code: `import { resolve4 } from "node:dns/promises";
export async function probe(host: string) {
  const addresses = await resolve4(host);
  return Promise.all(addresses.map(async (address) => await fetch(\`http://\${address}/health\`)));
}`,
    },
    {
      name: "one fetch per command-line argument",
      code: `export async function main() {
  await Promise.all(process.argv.slice(2).map(async (url) => await fetch(url)));
}`,
    },
    {
      name: "not input-sized: a list under a config object (config.urls) is as long as the operator wrote it",
      code: `export async function pingAll(config: { urls: string[] }) {\n  await Promise.all(config.urls.map(async (url) => {\n    await fetch(url);\n  }));\n}`,
    },
    {
      name: "not input-sized: the keys of a module constant object (Object.keys(CONST))",
      code: `const ENDPOINTS = { users: "http://users/health", orders: "http://orders/health" };\nexport async function health() {\n  return Promise.all(Object.keys(ENDPOINTS).map(async (name) => await fetch(ENDPOINTS[name as keyof typeof ENDPOINTS])));\n}`,
    },
    {
      name: "not input-sized: the keys of a require()d constant object",
      code: `const defaults = require("./default-files.json");\nconst fs = require("node:fs/promises");\nasync function createProject(dir) {\n  await Promise.all(Object.keys(defaults).map(async (file) => await fs.writeFile(dir + "/" + file, defaults[file])));\n}\nmodule.exports = { createProject };`,
      filename: "project.js",
    },
    {
      name: "not input-sized: a class field the constructor assigns from its options (this.targets = options.targets)",
      code: `export class Notifier {\n  targets: string[];\n  constructor(options: { targets: string[] }) {\n    this.targets = options.targets;\n  }\n  async notify(event: string) {\n    await Promise.all(this.targets.map(async (url) => await fetch(url, { method: "POST", body: event })));\n  }\n}`,
    },
    {
      name: "not input-sized: a class field the constructor assigns from a parameter (the object's settings)",
      code: `export class Mirrors {\n  urls: string[];\n  constructor(urls: string[]) {\n    this.urls = urls;\n  }\n  async fetchAll(path: string) {\n    return Promise.all(this.urls.map(async (url) => await fetch(url + path)));\n  }\n}`,
    },
    {
      name: "not input-sized: a list the code builds from a fixed set (literal kinds mapped to URLs)",
      code: `export async function warm(region: string) {\n  const urls = ["users", "orders", "stock"].map((kind) => \`http://\${region}/\${kind}\`);\n  await Promise.all(urls.map(async (url) => await fetch(url)));\n}`,
    },
    {
      name: "not input-sized: the rows of a query with a limit (findAll({ limit }))",
      code: `declare const Job: { findAll(options: object): Promise<{ url: string }[]> };\nexport async function runDue() {\n  const jobs = await Job.findAll({ where: { due: true }, limit: 10 });\n  await Promise.all(jobs.map(async (job) => await fetch(job.url)));\n}`,
    },
    {
      name: "not input-sized: a query builder with .limit() in its chain",
      code: `declare const knex: (table: string) => any;\nexport async function runDue() {\n  const jobs = await knex("jobs").select("url").where({ due: true }).limit(20);\n  await Promise.all(jobs.map(async (job: { url: string }) => await fetch(job.url)));\n}`,
    },
    {
      name: "not input-sized: a SQL query with LIMIT",
      code: `declare const pool: { query(sql: string): Promise<{ rows: { url: string }[] }> };\nexport async function runDue() {\n  const { rows } = await pool.query("select url from jobs where due limit 25");\n  await Promise.all(rows.map(async (row) => await fetch(row.url)));\n}`,
    },
    {
      name: "not input-sized: an unexported helper whose only caller in the file passes a constant list",
      code: `async function pingAll(urls: string[]) {\n  await Promise.all(urls.map(async (url) => await fetch(url)));\n}\nexport async function start() {\n  await pingAll(["http://a/health", "http://b/health"]);\n}`,
    },
    {
      name: "not input-sized: the list an inline callback receives has no traceable origin",
      code: `declare function onGroups(handler: (urls: string[]) => Promise<void>): void;\nonGroups(async (urls) => {\n  await Promise.all(urls.map(async (url) => await fetch(url)));\n});`,
    },
    {
      name: "not input-sized: a parameter named as configuration of an exported function (plugins)",
      code: `export async function loadPlugins(plugins: { url: string }[]) {\n  await Promise.all(plugins.map(async (plugin) => await fetch(plugin.url)));\n}`,
    },
    {
      name: "no-real-fan-out: request data written on one transaction (trx) runs statement after statement",
      code: `declare const knex: { transaction(fn: (trx: any) => Promise<void>): Promise<void> };\nexport async function handler(req: { body: { ids: string[] } }) {\n  await knex.transaction(async (trx) => {\n    await Promise.all(req.body.ids.map(async (id) => await trx("items").where({ id }).del()));\n  });\n}`,
    },
    {
      name: "no-real-fan-out: request data saved with { transaction } handed to each call",
      code: `declare const Item: { create(row: object, options: object): Promise<unknown> };\nexport async function handler(req: { body: { rows: object[] } }, transaction: unknown) {\n  await Promise.all(req.body.rows.map(async (row) => await Item.create(row, { transaction })));\n}`,
    },
    {
      name: "no-real-fan-out: entries of a Map filled only by the constructor",
      code: `export class Shards {\n  #clients = new Map<string, string>();\n  constructor(urls: string[]) {\n    for (const url of urls) this.#clients.set(url, url);\n  }\n  async pingAll() {\n    await Promise.all([...this.#clients.values()].map(async (url) => await fetch(url)));\n  }\n}`,
    },
    {
      name: "no-real-fan-out: one statement per index through a method that runs on the object's one connection (sequelize Query#run)",
      code: `class Query {\n  connection: { all(sql: string): Promise<unknown[]> } = { all: async () => [] };\n  async run(sql: string) {\n    return this.connection.all(sql);\n  }\n  async handleShowIndexesQuery(data: { name: string }[]) {\n    return Promise.all(data.reverse().map(async (item) => await this.run("PRAGMA INDEX_INFO(" + item.name + ")")));\n  }\n}\nmodule.exports = Query;`,
      filename: "query.js",
    },
    {
      name: "no-real-fan-out: a query runner's schema helper maps a method of its own over the indices; every method queues on the runner's one databaseConnection (TypeORM createIndices)",
      code: `class MysqlQueryRunner {\n  databaseConnection: { query(sql: string): Promise<unknown> } | undefined;\n  constructor(private pool: { getConnection(): Promise<{ query(sql: string): Promise<unknown> }> }) {}\n  async connect() {\n    this.databaseConnection ??= await this.pool.getConnection();\n    return this.databaseConnection;\n  }\n  async query(sql: string) {\n    const connection = await this.connect();\n    return connection.query(sql);\n  }\n  async createIndex(table: string, index: { name: string }) {\n    await this.query("CREATE INDEX " + index.name + " ON " + table);\n  }\n  async createIndices(table: string, indices: { name: string }[]) {\n    const promises = indices.map((index) => this.createIndex(table, index));\n    await Promise.all(promises);\n  }\n}\nmodule.exports = MysqlQueryRunner;`,
      filename: "MysqlQueryRunner.js",
    },
    {
      name: "no-real-fan-out: one module load per migration file through a dynamic-import wrapper",
      code: `import fs from "node:fs";\nasync function dynamicImport(file: string) {\n  return await import(file);\n}\nexport async function readMigrationFiles(dir: string) {\n  const files = fs.readdirSync(dir).filter((f) => f.endsWith(".js"));\n  return Promise.all(files.map(async (file) => await dynamicImport(dir + "/" + file)));\n}`,
    },
    {
      name: "not input-sized: the entries of one value of a parameter picked by a schema field (a localized field's locales)",
      code: `export async function afterRead(siblingDoc: Record<string, Record<string, string>>, field: { name: string }) {\n  const localesAndValues = Object.entries(siblingDoc[field.name]!);\n  await Promise.all(localesAndValues.map(async ([locale, value]) => await fetch("http://cdn/" + locale + "/" + value)));\n}`,
    },
    {
      name: "not input-sized: an exported function that its own file calls with a constant list",
      code: `export async function pingAll(urls: string[]) {\n  await Promise.all(urls.map(async (url) => await fetch(url)));\n}\nexport const start = () => pingAll(["http://a/health", "http://b/health"]);`,
    },
    {
      name: "not input-sized: an exported helper whose only callers, in other files of the run, pass a configured list (payload uploadFiles)",
      code: `import { writeFile } from "node:fs/promises";\nexport const uploadFiles = async (files: { path: string; data: string }[]) => {\n  await Promise.all(files.map(async (file) => await writeFile(file.path, file.data)));\n};`,
      files: {
        "src/resize.ts": `import { uploadFiles } from "./case.js";\nexport async function resize(config: { imageSizes: { path: string; data: string }[] }) {\n  await uploadFiles(config.imageSizes);\n}`,
      },
    },
    {
      name: "not input-sized: an exported helper whose callers import it through a barrel and pass a constant list (payload getDependencies)",
      code: `import { realpath } from "node:fs/promises";\nexport async function getDependencies(baseDir: string, requiredPackages: string[]) {\n  await Promise.all(requiredPackages.map(async (pkg) => await realpath(baseDir + "/node_modules/" + pkg)));\n}`,
      files: {
        "src/index.ts": `export { getDependencies } from "./case.js";`,
        "src/check.ts": `import { getDependencies } from "./index.js";\nexport async function check(dir: string) {\n  await getDependencies(dir, ["next", "react"]);\n}`,
      },
    },
    {
      name: "no-real-fan-out: request ids deleted inside a @Transaction() resolver method (one query runner per request)",
      code: `declare function Transaction(): MethodDecorator;\nexport class CustomerResolver {\n  async deleteCustomer(id: string) {\n    await fetch("http://db/customers/" + id, { method: "DELETE" });\n  }\n  @Transaction()\n  async deleteCustomers(req: { body: { ids: string[] } }) {\n    return Promise.all(req.body.ids.map((id) => this.deleteCustomer(id)));\n  }\n}`,
    },
    {
      name: "no-real-fan-out: a @Transaction() method compiled to __decorate (Vendure dist)",
      code: `var __decorate = function (decorators, target, key, desc) { return desc; };\nconst transaction_decorator_1 = require("./transaction.decorator");\nclass CustomerResolver {\n  async deleteCustomer(id) {\n    await fetch("http://db/customers/" + id, { method: "DELETE" });\n  }\n  async deleteCustomers(ctx, args) {\n    return Promise.all(args.ids.map((id) => this.deleteCustomer(id)));\n  }\n}\n__decorate([(0, transaction_decorator_1.Transaction)()], CustomerResolver.prototype, "deleteCustomers", null);\nexports.CustomerResolver = CustomerResolver;`,
      filename: "customer.resolver.js",
    },
  ],
  invalid: [
    {
      name: "a method of its own per item, but the object holds a pool, not one connection: each item can take a connection",
      code: `class Store {\n  constructor(private pool: { query(sql: string): Promise<unknown> }) {}\n  async createIndex(table: string, index: { name: string }) {\n    await this.pool.query("CREATE INDEX " + index.name + " ON " + table);\n  }\n  async createIndices(table: string, indices: { name: string }[]) {\n    await Promise.all(indices.map((index) => this.createIndex(table, index)));\n  }\n}\nmodule.exports = Store;`,
      filename: "store.js",
      errors: [{ messageId: "unboundedMap", line: 7 }],
    },
    {
      name: "the object holds one connection, but each item makes its own HTTP request, not a call of the object's methods",
      code: `class Runner {\n  databaseConnection: { query(sql: string): Promise<unknown> } | undefined;\n  async query(sql: string) {\n    return this.databaseConnection!.query(sql);\n  }\n  async loadAll(names: string[]) {\n    await Promise.all(names.map((name) => fetch("http://registry/" + name)));\n  }\n}\nmodule.exports = Runner;`,
      filename: "runner.js",
      errors: [{ messageId: "unboundedMap", line: 7 }],
    },
    {
      name: "input-sized: migrations read from the request body (req.body.migrations) are input",
      code: `import { readFile } from "node:fs/promises";\nexport async function validate(req: { body: { migrations: string[] } }) {\n  await Promise.all(req.body.migrations.map(async (migration) => {\n    await readFile("migrations/" + migration, "utf8");\n  }));\n}`,
      errors: [{ messageId: "unboundedMap", line: 3 }],
    },
    {
      name: "a verb that only starts with a teardown word is not a teardown (stopwatch-like names: closest, endpointFetch)",
      code: `async function endpointFetch(url: string) {\n  return fetch(url);\n}\nexport async function probeAll(urls: string[]) {\n  await Promise.all(urls.map(async (url) => endpointFetch(url)));\n}`,
      errors: [{ messageId: "unboundedMap", line: 5 }],
    },
    {
      name: "input-sized: a list read from the request body, even under an options object (req.body.options.hosts)",
      code: `export async function pingAll(req: { body: { options: { hosts: string[] } } }) {\n  await Promise.all(req.body.options.hosts.map(async (host) => {\n    await fetch("http://" + host);\n  }));\n}`,
      errors: [{ messageId: "unboundedMap", line: 2 }],
    },
    {
      name: "input-sized: a list on the request payload with no configuration object under it (request.payload.targets)",
      code: `export async function notify(request: { payload: { targets: string[] } }) {\n  await Promise.all(request.payload.targets.map(async (target) => {\n    await fetch(target, { method: "POST" });\n  }));\n}`,
      errors: [{ messageId: "unboundedMap", line: 2 }],
    },
    {
      name: "input-sized: a const destructured from the request body (const { hosts } = req.body)",
      code: `export async function pingAll(req: { body: { hosts: string[] } }) {\n  const { hosts } = req.body;\n  await Promise.all(hosts.map(async (host) => {\n    await fetch("http://" + host);\n  }));\n}`,
      errors: [{ messageId: "unboundedMap", line: 3 }],
    },
    {
      name: "per-item async method that awaits a query it starts (const pending = db.query(...); await pending) is still I/O",
      code: `declare const db: { query(sql: string): Promise<unknown> };\nasync function load(id: string) {\n  const pending = db.query("select " + id);\n  return { id, row: await pending };\n}\nexport async function loadAll(ids: string[]) {\n  return Promise.all(ids.map(async (id) => load(id)));\n}`,
      errors: [{ messageId: "unboundedMap", line: 7 }],
    },
    {
      name: "per-item async method with no await that fires a fetch it does not wait for is still I/O",
      code: `async function ping(url: string) {\n  fetch(url).catch(() => {});\n}\nexport async function pingAll(urls: string[]) {\n  await Promise.all(urls.map(async (url) => ping(url)));\n}`,
      errors: [{ messageId: "unboundedMap", line: 5 }],
    },
    {
      name: "files mapped to a local helper that reads each through pify(fs.readFile), then Promise.all",
      code: `import fs from "fs";
import pify from "pify";
function readFileAsPromise(file) {
  return pify(fs.readFile)(file, "utf8").then((contents) => ({ file, contents }));
}
export function readAllFilesAsPromise(files) {
  const allPromises = files.map(readFileAsPromise);
  return Promise.all(allPromises);
}`,
      errors: [{ messageId: "unboundedMap", line: 7 }],
    },
    {
      name: "files mapped to a helper whose I/O is two calls deep (mkdirp then writeFile)",
      code: `import fs from "node:fs";
import { promisify } from "node:util";
function writeOne(file: string, contents: string) {
  return save(file, contents);
}
function save(file: string, contents: string) {
  return Promise.resolve().then(() => promisify(fs.writeFile)(file, contents));
}
export function saveAll(outputs: { file: string; contents: string }[]) {
  return Promise.all(outputs.map((o) => writeOne(o.file, o.contents)));
}`,
      errors: [{ messageId: "unboundedMap", line: 10 }],
    },
    {
      name: "Promise.all over every file a glob matched, each handed to an imported replaceAlias",
      code: `import { sync } from "globby";
import { replaceAlias } from "./helpers";
export async function replaceTscAliasPaths(pattern: string, config: object) {
  const files = sync(pattern, { dot: true });
  const replaceList = await Promise.all(files.map((file) => replaceAlias(config, file)));
  return replaceList.filter(Boolean).length;
}`,
      errors: [{ messageId: "unboundedMap", line: 5 }],
    },
    {
      name: "every entry of a directory processed at once (readdir listing)",
      code: `import { readdir } from "node:fs/promises";
import { compile } from "./compile";
export async function build(dir: string) {
  const entries = await readdir(dir);
  await Promise.all(entries.map((entry) => compile(dir, entry)));
}`,
      errors: [{ messageId: "unboundedMap", line: 5 }],
    },
    {
      name: "input-sized: one upload per file of the request body, even under options",
      code: `export async function uploadAll(req: { body: { options: { files: string[] } } }) {\n  await Promise.all(req.body.options.files.map(async (file) => {\n    await fetch("http://storage/" + file, { method: "PUT" });\n  }));\n}`,
      errors: [{ messageId: "unboundedMap", line: 2 }],
    },
    {
      name: "read every file at once (EMFILE)",
      code: `import { readFile } from "node:fs/promises";\nexport async function loadAll(paths: string[]) {\n  return Promise.all(paths.map((p) => readFile(p, "utf8")));\n}`,
      errors: [{ messageId: "unboundedMap", line: 3 }],
    },
    {
      name: "one DB query per id from the request body, typed",
      code: `export async function handler(req: { body: { ids: string[] } }, db: { user: { find(id: string): Promise<unknown> } }) {\n  const users = await Promise.all(req.body.ids.map((id) => db.user.find(id)));\n  return users;\n}`,
      types: true,
      errors: [{ messageId: "unboundedMap", line: 2 }],
    },
    {
      name: "async callback awaiting an HTTP call per user",
      code: `import axios from "axios";\nexport async function sync(users: { id: string }[]) {\n  await Promise.all(\n    users.map(async (user) => {\n      const { data } = await axios.get("http://crm/users/" + user.id);\n      return data;\n    }),\n  );\n}`,
      errors: [{ messageId: "unboundedMap", line: 4 }],
    },
    {
      name: "allSettled over webhook subscribers",
      code: `export async function broadcast(subscribers: string[], event: string) {\n  return Promise.allSettled(subscribers.map((url) => fetch(url, { method: "POST", body: event })));\n}`,
      errors: [{ messageId: "unboundedMap", line: 2 }],
    },
    {
      name: "loop pushing fetches awaited together",
      code: `export async function notifyAll(userIds: string[]) {\n  const sends: Promise<Response>[] = [];\n  for (const id of userIds) {\n    sends.push(fetch("http://mailer/" + id, { method: "POST" }));\n  }\n  await Promise.all(sends);\n}`,
      errors: [{ messageId: "unboundedLoop", line: 4 }],
    },
    {
      name: "jobs mapped first and awaited later",
      code: `import { unlink } from "node:fs/promises";\nexport async function purge(paths: string[]) {\n  const jobs = paths.map((p) => unlink(p));\n  await Promise.all(jobs);\n}`,
      errors: [{ messageId: "unboundedMap", line: 3 }],
    },
    {
      name: "in-project async function per item",
      code: `async function resize(path: string) { await fetch("http://imaging?src=" + path); }\nexport async function resizeAll(paths: string[]) {\n  await Promise.all(paths.map(resize));\n}`,
      errors: [{ messageId: "unboundedMap", line: 3 }],
    },
    {
      name: "async function imported from another file",
      code: `import { uploadFile } from "./s3.js";\nexport async function uploadAll(paths: string[]) {\n  await Promise.all(paths.map((p) => uploadFile(p)));\n}`,
      files: { "src/s3.ts": `export async function uploadFile(path: string) {\n  await fetch("http://s3/" + path, { method: "PUT" });\n}` },
      errors: [{ messageId: "unboundedMap", line: 3 }],
    },
    {
      name: "spread copy of an unbounded list",
      code: `import { stat } from "node:fs/promises";\nexport async function sizes(names: Set<string>) {\n  return Promise.all([...names].map((n) => stat(n)));\n}`,
      errors: [{ messageId: "unboundedMap", line: 3 }],
    },
    {
      name: "Array.from with a mapper over a Set",
      code: `export async function refresh(keys: Set<string>) {\n  await Promise.all(Array.from(keys, (key) => fetch("http://cache/" + key)));\n}`,
      errors: [{ messageId: "unboundedMap", line: 2 }],
    },
    {
      name: "while loop draining a queue into promises",
      code: `export async function drain(queue: string[]) {\n  const inflight = [];\n  while (queue.length > 0) {\n    const url = queue.shift()!;\n    inflight.push(fetch(url));\n  }\n  await Promise.all(inflight);\n}`,
      errors: [{ messageId: "unboundedLoop", line: 5 }],
    },
    {
      name: "for loop up to a runtime length",
      code: `import { writeFile } from "node:fs/promises";\nexport async function dump(items: string[]) {\n  const writes = [];\n  for (let i = 0; i < items.length; i++) writes.push(writeFile("out/" + i, items[i]!));\n  await Promise.all(writes);\n}`,
      errors: [{ messageId: "unboundedLoop", line: 4 }],
    },
    {
      name: "async IIFEs pushed from a loop",
      code: `export async function migrate(tables: string[]) {\n  const tasks = [];\n  for (const table of tables) {\n    tasks.push((async () => {\n      await fetch("http://db/migrate/" + table, { method: "POST" });\n    })());\n  }\n  await Promise.allSettled(tasks);\n}`,
      errors: [{ messageId: "unboundedLoop", line: 4 }],
    },
    {
      name: "filtered list of an unknown size",
      code: `import { readFile } from "node:fs/promises";\nexport async function loadJson(files: string[]) {\n  return Promise.all(files.filter((f) => f.endsWith(".json")).map((f) => readFile(f, "utf8")));\n}`,
      errors: [{ messageId: "unboundedMap", line: 3 }],
    },
    {
      name: "race over one request per mirror from config",
      code: `export async function fastest(mirrors: string[]) {\n  return Promise.race(mirrors.map((m) => fetch(m + "/pkg.tgz")));\n}`,
      errors: [{ messageId: "unboundedMap", line: 2 }],
    },
    {
      name: "maxFixedSize lowered below a constant range",
      code: `export async function warm() {\n  await Promise.all(Array.from({ length: 64 }, (_, i) => fetch("http://cache/warm/" + i)));\n}`,
      options: { maxFixedSize: 16 },
      errors: [{ messageId: "unboundedMap", line: 2 }],
    },
    {
      name: "async mapper awaiting an unknown client",
      code: `export async function enrich(rows: { id: string }[], client: any) {\n  return Promise.all(rows.map(async (row) => ({ ...row, extra: await client.get(row.id) })));\n}`,
      errors: [{ messageId: "unboundedMap", line: 2 }],
    },
    {
      name: "this.method per order in a service",
      code: `export class Orders {\n  async charge(id: string) { await fetch("http://payments/" + id, { method: "POST" }); }\n  async chargeAll(ids: string[]) {\n    await Promise.all(ids.map((id) => this.charge(id)));\n  }\n}`,
      errors: [{ messageId: "unboundedMap", line: 4 }],
    },
    {
      name: "Array.from over the input's length is fan-out, not a pool",
      code: `export async function fetchAll(urls: string[]) {\n  await Promise.all(Array.from({ length: urls.length }, (_, i) => fetch(urls[i]!)));\n}`,
      errors: [{ messageId: "unboundedMap", line: 2 }],
    },
    {
      name: "counted loop up to a variable holding the input's size",
      code: `import { unlink } from "node:fs/promises";\nexport async function purge(paths: Set<string>) {\n  const list = [...paths];\n  const total = paths.size;\n  const jobs = [];\n  for (let i = 0; i < total; i++) jobs.push(unlink(list[i]!));\n  await Promise.all(jobs);\n}`,
      errors: [{ messageId: "unboundedLoop", line: 6 }],
    },
    {
      name: "counted loop up to a number from the request",
      code: `export async function ping(req: { query: { n: number } }) {\n  const pings = [];\n  for (let i = 0; i < req.query.n; i++) pings.push(fetch("http://target/ping"));\n  await Promise.all(pings);\n}`,
      errors: [{ messageId: "unboundedLoop", line: 3 }],
    },
    {
      name: "an async method per element that opens a connection, named like setup rather than teardown",
      code: `export class Fleet {\n  hosts: string[] = [];\n  register(host: string) { this.hosts.push(host); }\n  async connect(host: string) {\n    await fetch("http://" + host + "/hello");\n  }\n  async connectAll() {\n    await Promise.all(this.hosts.map((host) => this.connect(host)));\n  }\n}`,
      errors: [{ messageId: "unboundedMap", line: 8 }],
    },
    {
      name: "input-sized: the rows of a query with no limit, one cleanup pushed per expired upload (directus tus deleteExpired)",
      code: `declare const service: { readByQuery(query: object): Promise<{ id: string; expired: boolean }[]> };\nexport class Store {\n  async remove(id: string) {\n    await fetch("http://storage/" + id, { method: "DELETE" });\n  }\n  async deleteExpired() {\n    const toDelete: Promise<void>[] = [];\n    const uploads = await service.readByQuery({ fields: ["id"], filter: { tus_id: { _nnull: true } } });\n    for (const upload of uploads) if (upload.expired) toDelete.push(this.remove(upload.id));\n    await Promise.allSettled(toDelete);\n  }\n}`,
      errors: [{ messageId: "unboundedLoop", line: 9 }],
    },
    {
      name: "input-sized: every row of a findAll with no limit",
      code: `declare const Webhook: { findAll(options?: object): Promise<{ url: string }[]> };\nasync function deliverAll(event: string) {\n  const hooks = await Webhook.findAll({ where: { event } });\n  await Promise.all(hooks.map(async (hook) => await fetch(hook.url, { method: "POST" })));\n}\ndeliverAll("x");`,
      errors: [{ messageId: "unboundedMap", line: 4 }],
    },
    {
      name: "input-sized: the rows destructured from a SQL query with no LIMIT",
      code: `declare const pool: { query(sql: string): Promise<{ rows: { url: string }[] }> };\nasync function runDue() {\n  const { rows } = await pool.query("select url from jobs where due");\n  await Promise.all(rows.map(async (row) => await fetch(row.url)));\n}\nrunDue();`,
      errors: [{ messageId: "unboundedMap", line: 4 }],
    },
    {
      name: "input-sized: a MongoDB find(…).toArray() with no limit",
      code: `declare const users: { find(q: object): { toArray(): Promise<{ email: string }[]> } };\nasync function mailAll() {\n  const all = await users.find({ active: true }).toArray();\n  await Promise.all(all.map(async (user) => await fetch("http://mailer/" + user.email, { method: "POST" })));\n}\nmailAll();`,
      errors: [{ messageId: "unboundedMap", line: 4 }],
    },
    {
      name: 'input-sized: the lines of a file (text.split("\\n"))',
      code: `import { readFile } from "node:fs/promises";\nasync function crawl(listFile: string) {\n  const urls = (await readFile(listFile, "utf8")).split("\\n").filter(Boolean);\n  await Promise.all(urls.map(async (url) => await fetch(url)));\n}\ncrawl("urls.txt");`,
      errors: [{ messageId: "unboundedMap", line: 4 }],
    },
    {
      name: "input-sized: a Koa request body (ctx.request.body)",
      code: `const handler = async (ctx: { request: { body: { urls: string[] } } }) => {\n  const { urls } = ctx.request.body;\n  await Promise.all(urls.map(async (url) => await fetch(url)));\n};\nvoid handler;`,
      errors: [{ messageId: "unboundedMap", line: 3 }],
    },
    {
      name: "input-sized: a list from the query string (req.query.ids)",
      code: `const route = async (req: { query: { ids: string[] } }) => {\n  return Promise.all(req.query.ids.map(async (id) => await fetch("http://items/" + id)));\n};\nvoid route;`,
      errors: [{ messageId: "unboundedMap", line: 2 }],
    },
    {
      name: "input-sized: a body parsed from a fetch-style request (await req.json())",
      code: `const route = async (req: Request) => {\n  const ids: string[] = await req.json();\n  return Promise.all(ids.map(async (id) => await fetch("http://items/" + id)));\n};\nvoid route;`,
      errors: [{ messageId: "unboundedMap", line: 3 }],
    },
    {
      name: "input-sized: a message batch from a broker (kafkajs eachBatch batch.messages)",
      code: `declare const consumer: { run(options: object): Promise<void> };\nconsumer.run({\n  eachBatch: async ({ batch }: { batch: { messages: { value: string }[] } }) => {\n    await Promise.all(batch.messages.map(async (message) => await fetch("http://sink", { method: "POST", body: message.value })));\n  },\n});`,
      errors: [{ messageId: "unboundedMap", line: 4 }],
    },
    {
      name: "input-sized: the records of a queue event (event.Records)",
      code: `export const handler = async (event: { Records: { body: string }[] }) => {\n  await Promise.all(event.Records.map(async (record) => await fetch("http://sink", { method: "POST", body: record.body })));\n};`,
      errors: [{ messageId: "unboundedMap", line: 2 }],
    },
    {
      name: "input-sized: the keys of a Map that a request path adds to (uploads registered per request, flushed together)",
      code: `export class Uploads {\n  #pending = new Map<string, string>();\n  track(id: string, url: string) {\n    this.#pending.set(id, url);\n  }\n  async flush() {\n    await Promise.all([...this.#pending.keys()].map(async (id) => await fetch("http://storage/" + id, { method: "PUT" })));\n  }\n}`,
      errors: [{ messageId: "unboundedMap", line: 7 }],
    },
    {
      name: "input-sized: a private method with no caller in the file, reading each file name it is given (stryker readFiles)",
      code: `import { promises as fs } from "node:fs";\nexport default class InputFileResolver {\n  private async readFiles(fileNames: string[]) {\n    return Promise.all(fileNames.map((fileName) => this.readFile(fileName)));\n  }\n  private async readFile(fileName: string) {\n    return fs.readFile(fileName);\n  }\n}`,
      errors: [{ messageId: "unboundedMap", line: 4 }],
    },
    {
      name: "input-sized: an unexported helper whose caller in the file passes a directory listing",
      code: `import { readdir, readFile } from "node:fs/promises";\nasync function readAll(names: string[]) {\n  return Promise.all(names.map(async (name) => await readFile(name, "utf8")));\n}\nexport async function load(dir: string) {\n  return readAll(await readdir(dir));\n}`,
      errors: [{ messageId: "unboundedMap", line: 3 }],
    },
    {
      name: "input-sized: a helper chained with .then after a step that globs files (split-guide)",
      code: `import glob from "glob";\nimport fs from "fs";\nimport pify from "pify";\nexport default function run(dir) {\n  return Promise.resolve().then(getFiles).then(readAll);\n  function getFiles() {\n    return pify(glob)(dir + "/**/*", { nodir: true });\n  }\n  function readAll(files) {\n    return Promise.all(files.map((file) => pify(fs.readFile)(file, "utf8")));\n  }\n}`,
      filename: "split.js",
      errors: [{ messageId: "unboundedMap", line: 10 }],
    },
    {
      name: "input-sized: a list under an input-sized parameter (input.files of an exported function)",
      code: `import { readFile } from "node:fs/promises";\nexport async function bundle(input: { files: string[] }) {\n  return Promise.all(input.files.map(async (file) => await readFile(file, "utf8")));\n}`,
      errors: [{ messageId: "unboundedMap", line: 3 }],
    },
    {
      name: "input-sized: an exported helper that another file of the run calls with request data",
      code: `import { writeFile } from "node:fs/promises";\nexport const uploadFiles = async (files: { path: string; data: string }[]) => {\n  await Promise.all(files.map(async (file) => await writeFile(file.path, file.data)));\n};`,
      files: {
        "src/route.ts": `import { uploadFiles } from "./case.js";\nexport async function handler(req: { body: { files: { path: string; data: string }[] } }) {\n  await uploadFiles(req.body.files);\n}`,
      },
      errors: [{ messageId: "unboundedMap", line: 3 }],
    },
  ],
});
