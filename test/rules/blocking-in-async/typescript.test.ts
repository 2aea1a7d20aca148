import rule from "../../../rules/blocking-in-async/index.js";
import { ruleTester } from "../../helpers/rule-tester.js";

ruleTester(rule, {
  valid: [
    {
      name: "startup-code (cross-file): an exported loader reached only from a provider's register() through another file's loader",
      filename: "loaders/apis.ts",
      code: `import fs from "node:fs";\nexport async function loadApis(dir: string) {\n  if (!fs.existsSync(dir)) return [];\n  return fs.promises.readdir(dir);\n}`,
      files: {
        "src/loaders/index.ts": `import { loadApis } from "./apis.js";\nexport async function loadContext(dir: string) {\n  await Promise.all([loadApis(dir)]);\n}`,
        "src/providers.ts": `import { loadContext } from "./loaders/index.js";\nexport const registries = {\n  async register(app: { dir: string }) {\n    await loadContext(app.dir);\n  },\n};`,
      },
    },
    {
      name: "startup-code (cross-file): a CommonJS default export required under another name and called only from bootstrap() at top level",
      filename: "apis.js",
      code: `const fs = require("fs");\nasync function loadApis(dir) {\n  if (!fs.existsSync(dir)) return [];\n  return fs.promises.readdir(dir);\n}\nmodule.exports = loadApis;`,
      files: {
        "src/boot.js": `const apis = require("./apis.js");\nasync function bootstrap() {\n  await apis("api");\n}\nbootstrap();`,
      },
    },
    {
      name: "startup-code (cross-file): a method of a decorator-compiled class expression (`let C = C_1 = class C`) created and called only in bootstrap()",
      filename: "ssl.js",
      code: `import { existsSync } from "node:fs";\nvar CertService_1;\nlet CertService = CertService_1 = class CertService {\n  async loadOrCreate() {\n    return existsSync("key.pem");\n  }\n};\nexport { CertService };`,
      files: {
        "src/main.js": `import { CertService } from "./ssl.js";\nasync function bootstrap() {\n  const certs = new CertService();\n  return certs.loadOrCreate();\n}\nexport const app = bootstrap();`,
      },
    },
    {
      name: "startup-code (cross-file): a certificate generator's method called only from start-up config built before the server listens",
      filename: "ssl.ts",
      code: `import { existsSync } from "node:fs";\nimport { readFile } from "node:fs/promises";\nexport class CertService {\n  async loadOrCreate() {\n    if (existsSync("key.pem")) return readFile("key.pem");\n    return undefined;\n  }\n}`,
      files: {
        "src/startup.ts": `import { CertService } from "./ssl.js";\nexport async function getStartupConfig() {\n  const certs = new CertService();\n  return { key: await certs.loadOrCreate() };\n}`,
        "src/main.ts": `import http from "node:http";\nimport { getStartupConfig } from "./startup.js";\nasync function start() {\n  const config = await getStartupConfig();\n  http.createServer((req, res) => res.end(String(config.key))).listen(8443);\n}\nstart();`,
      },
    },
    {
      name: "startup-code: an exported migration runner lists the migration directory synchronously (readMigrationFiles)",
      code: `import fs from "node:fs";\nexport const readMigrationFiles = async (dir: string) => {\n  if (!fs.existsSync(dir)) return [];\n  return fs.readdirSync(dir).filter((f) => f.endsWith(".js"));\n};`,
    },
    {
      name: "startup-code: a storage module's async init() checks its files synchronously through a helper called only from init",
      code: `import fs from "node:fs";\nfunction hasConfig(dir: string) {\n  return fs.existsSync(dir + "/.config.json");\n}\nexport const storage = {\n  init: async function (settings: { userDir: string }) {\n    fs.statSync(settings.userDir);\n    return hasConfig(settings.userDir);\n  },\n};`,
    },
    {
      name: "startup-code: an async migration of the settings file called only from the settings module's init()",
      code: `import fs from "node:fs";\nasync function migrateSettings() {\n  if (fs.existsSync("settings.json")) return;\n}\nexport const settings = {\n  init(dir: string) {\n    return migrateSettings();\n  },\n};`,
    },
    {
      name: "startup-code: a service class's async initialize() reads its certificate synchronously",
      code: `import { readFileSync } from "node:fs";\nexport class Service {\n  cert = "";\n  async initialize() {\n    this.cert = readFileSync("cert.pem", "utf8");\n  }\n}`,
    },
    {
      name: "config read synchronously at module top level",
      code: `import fs from "node:fs";\nconst config = JSON.parse(fs.readFileSync("config.json", "utf8"));\nexport default config;`,
    },
    {
      name: "async main reads config before listen",
      code: `import { readFileSync } from "node:fs";\nimport http from "node:http";\nasync function main() {\n  const tls = readFileSync("cert.pem");\n  const server = http.createServer((req, res) => res.end("ok"));\n  server.listen(8443);\n}\nmain().catch((e) => { console.error(e); process.exit(1); });`,
    },
    {
      name: "CLI entry only called from top level",
      code: `import { execSync } from "node:child_process";\nasync function run() {\n  const sha = execSync("git rev-parse HEAD").toString();\n  await fetch("http://deploy", { method: "POST", body: sha });\n}\nrun();`,
    },
    {
      name: "top-level async IIFE",
      code: `import fs from "fs";\n(async () => {\n  const schema = fs.readFileSync("schema.sql", "utf8");\n  await migrate(schema);\n})();`,
    },
    {
      name: "fs.promises in a request handler",
      code: `import { readFile } from "node:fs/promises";\nimport http from "node:http";\nhttp.createServer(async (req, res) => {\n  res.end(await readFile("index.html"));\n}).listen(8080);`,
    },
    {
      name: "sync helper called from top-level start-up code",
      code: `import { readFileSync } from "node:fs";\nfunction loadKeys() {\n  return readFileSync("keys.json", "utf8");\n}\nconst keys = loadKeys();\nexport async function verify(token: string) {\n  return keys.includes(token);\n}`,
    },
    {
      name: "exported sync helper called only from module start-up in its file",
      code: `import { readFileSync } from "node:fs";\nexport function loadKeys() {\n  return readFileSync("keys.json", "utf8");\n}\nconst keys = loadKeys();\nexport async function verify(token: string) {\n  return keys.includes(token);\n}`,
    },
    {
      name: "exported sync helper with a sync caller in its file",
      code: `import { readFileSync } from "node:fs";\nexport function read(path: string) { return readFileSync(path, "utf8"); }\nexport async function handle() { return read("a"); }\nexport function build() { return read("b"); }`,
    },
    {
      name: "sync helper with a caller outside any serving context",
      code: `import { readFileSync } from "node:fs";\nfunction read(path: string) { return readFileSync(path, "utf8"); }\nexport async function handle() { return read("a"); }\nexport function build() { return read("b"); }`,
    },
    {
      name: "process exit handler writes synchronously",
      code: `import fs from "node:fs";\nprocess.on("exit", () => {\n  fs.writeFileSync("/tmp/app.state", JSON.stringify(state));\n});`,
    },
    {
      name: "crash handler flushes a log synchronously",
      code: `import { appendFileSync } from "node:fs";\nprocess.on("uncaughtException", (error) => {\n  appendFileSync("crash.log", String(error));\n  process.exit(1);\n});`,
    },
    {
      name: "crypto.pbkdf2 promisified in a handler",
      code: `import { pbkdf2 } from "node:crypto";\nimport { promisify } from "node:util";\nconst derive = promisify(pbkdf2);\nexport async function login(pw: string, salt: Buffer) {\n  return derive(pw, salt, 310000, 32, "sha256");\n}`,
    },
    {
      name: "a local function named readFileSync",
      code: `function readFileSync(path: string) { return cache.get(path); }\nexport async function handle() { return readFileSync("x"); }`,
    },
    {
      name: "polling loop that awaits between clock reads",
      code: `import { setTimeout as sleep } from "node:timers/promises";\nexport async function waitReady(deadline: number) {\n  while (Date.now() < deadline) {\n    if (await ready()) return;\n    await sleep(100);\n  }\n}`,
    },
    {
      name: "allow option accepts fs.existsSync",
      code: `import fs from "node:fs";\nexport async function hasUpload(path: string) {\n  return fs.existsSync(path);\n}`,
      options: { allow: ["fs.existsSync"] },
    },
    {
      name: "sync fs inside an async test",
      code: `import { readFileSync } from "node:fs";\nit("renders the fixture", async () => {\n  const expected = readFileSync("fixture.html", "utf8");\n  expect(await render()).toBe(expected);\n});`,
    },
    {
      name: "synchronous build script function",
      code: `import { readdirSync, statSync } from "node:fs";\nexport function sizeOf(dir: string) {\n  return readdirSync(dir).reduce((total, f) => total + statSync(dir + "/" + f).size, 0);\n}`,
    },
    {
      name: "Next.js getStaticProps reads posts at build time",
      code: `import fs from "fs";\nexport async function getStaticProps() {\n  const posts = fs.readdirSync("posts").map((f) => fs.readFileSync("posts/" + f, "utf8"));\n  return { props: { posts } };\n}`,
    },
    {
      name: "template loaded once into a lazy cache",
      code: `import { readFileSync } from "node:fs";\nlet template: string | undefined;\nfunction layout() {\n  if (!template) {\n    template = readFileSync("layout.html", "utf8");\n  }\n  return template;\n}\nexport async function render(body: string) {\n  return layout().replace("{{body}}", body);\n}`,
    },
    {
      name: "per-key cache filled with ??=",
      code: `import { readFileSync } from "node:fs";\nconst schemas: Record<string, string> = {};\nexport async function validate(kind: string) {\n  schemas[kind] ??= readFileSync("schemas/" + kind + ".json", "utf8");\n  return schemas[kind];\n}`,
    },
    {
      name: "pid file written when the server starts listening",
      code: `import { writeFileSync } from "node:fs";\nimport http from "node:http";\nconst server = http.createServer(handler);\nserver.on("listening", () => writeFileSync("/run/app.pid", String(process.pid)));\nserver.listen(8080);`,
    },
    {
      name: "test file helpers may block",
      code: `import { readFileSync } from "node:fs";\nasync function fixture(name: string) {\n  return JSON.parse(readFileSync("fixtures/" + name, "utf8"));\n}\nbeforeAll(async () => { await seed(await fixture("users.json")); });`,
      filename: "users.test.ts",
    },
    {
      name: "build tool config",
      code: `import { readFileSync } from "node:fs";\nexport default defineConfig(async () => ({\n  define: { VERSION: JSON.stringify(JSON.parse(readFileSync("package.json", "utf8")).version) },\n}));`,
      filename: "vite.config.ts",
    },
    {
      name: "commander action of a CLI",
      code: `import { Command } from "commander";\nimport { readdirSync, readFileSync, writeFileSync } from "node:fs";\nconst program = new Command();\nprogram.command("build").action(async () => {\n  for (const f of readdirSync("src")) writeFileSync("dist/" + f, readFileSync("src/" + f));\n});\nawait program.parseAsync(process.argv);`,
    },
    {
      name: "piscina worker file compresses synchronously",
      code: `import zlib from "node:zlib";\nexport default async function compress({ data }: { data: Buffer }) {\n  return zlib.brotliCompressSync(data);\n}`,
      filename: "workers/compress.ts",
    },
    {
      name: "worker_threads worker hashing passwords",
      code: `import { parentPort } from "node:worker_threads";\nimport { scryptSync } from "node:crypto";\nparentPort!.on("message", (pw: string) => {\n  parentPort!.postMessage(scryptSync(pw, "salt", 64));\n});`,
    },
    {
      name: "busy loop at top level of a script",
      code: `const end = Date.now() + 50;\nwhile (Date.now() < end) {}\nconsole.log("done");`,
    },
    {
      name: "a plain generator not run by a coroutine runner reads synchronously",
      code: `import fs from "node:fs";\nexport function* lines(path: string) {\n  yield* fs.readFileSync(path, "utf8").split("\\n");\n}`,
    },
    {
      name: "a coroutine handler yields the promise form of fs-promise",
      code: `const fs = require("fs-promise");\nconst { coroutine } = require("bluebird");\nmodule.exports = coroutine(function* (req, res) {\n  const exists = yield fs.exists(req.url);\n  res.end(String(exists));\n});`,
    },
  ],
  invalid: [
    {
      name: "cross-file: an exported loader called at start-up and also from a route handler in another file is reported",
      filename: "loaders/apis.ts",
      code: `import fs from "node:fs";\nexport async function loadApis(dir: string) {\n  if (!fs.existsSync(dir)) return [];\n  return fs.promises.readdir(dir);\n}`,
      files: {
        "src/providers.ts": `import { loadApis } from "./loaders/apis.js";\nexport const registries = {\n  async register(app: { dir: string }) {\n    await loadApis(app.dir);\n  },\n};`,
        "src/routes.ts": `import express from "express";\nimport { loadApis } from "./loaders/apis.js";\nconst app = express();\napp.get("/apis", async (req, res) => {\n  res.json(await loadApis(String(req.query.dir)));\n});`,
      },
      errors: [{ messageId: "blockingCall", line: 3 }],
    },
    {
      name: "cross-file: an exported function called from bootstrap() but also passed as a value elsewhere is reported",
      filename: "loaders/apis.ts",
      code: `import fs from "node:fs";\nexport async function loadApis(dir: string) {\n  if (!fs.existsSync(dir)) return [];\n  return fs.promises.readdir(dir);\n}`,
      files: {
        "src/boot.ts": `import { loadApis } from "./loaders/apis.js";\nexport async function bootstrap() {\n  await loadApis("api");\n}\nexport const handlers = [loadApis];`,
      },
      errors: [{ messageId: "blockingCall", line: 3 }],
    },
    {
      name: "a name that merely contains a start-up word (readInitials) is not a start-up phase",
      code: `import fs from "node:fs";\nexport async function readInitials(dir: string) {\n  return fs.readdirSync(dir);\n}`,
      errors: [{ messageId: "blockingCall", line: 3 }],
    },
    {
      name: "an async helper called from init() and also from a request handler still blocks while serving",
      code: `import fs from "node:fs";\nimport http from "node:http";\nasync function loadPage() {\n  return fs.readFileSync("page.html");\n}\nexport const site = {\n  init() {\n    return loadPage();\n  },\n};\nhttp.createServer(async (req, res) => res.end(await loadPage())).listen(8080);`,
      errors: [{ messageId: "blockingCall", line: 4 }],
    },
    {
      name: "an async method that is not a start-up phase (reload) reads synchronously",
      code: `import { readFileSync } from "node:fs";\nexport class Service {\n  cert = "";\n  async reload() {\n    this.cert = readFileSync("cert.pem", "utf8");\n  }\n}`,
      errors: [{ messageId: "blockingCall", line: 5 }],
    },
    {
      name: "sync fs in a bluebird coroutine(function*) request handler (fs-promise, path-type)",
      code: `const fs = require("fs-promise");\nconst pathType = require("path-type");\nconst { coroutine } = require("bluebird");\nmodule.exports = coroutine(function* (req, res) {\n  const exists = fs.existsSync(req.url);\n  if (exists && pathType.dirSync(req.url)) res.end("dir");\n  res.end(yield fs.readFile(req.url));\n});`,
      errors: [
        { messageId: "blockingCall", line: 5 },
        { messageId: "blockingCall", line: 6 },
      ],
    },
    {
      name: "readFileSync in a co.wrap generator",
      code: `import co from "co";\nimport { readFileSync } from "fs-extra";\nexport const load = co.wrap(function* (name: string) {\n  return readFileSync(name, "utf8");\n});`,
      errors: [{ messageId: "blockingCall", line: 4 }],
    },
    {
      name: "index.html read synchronously per request",
      code: `import fs from "node:fs";\nimport http from "node:http";\nhttp.createServer((req, res) => {\n  const page = fs.readFileSync("./public/index.html");\n  res.end(page);\n}).listen(8080);`,
      errors: [{ messageId: "blockingCall", line: 4 }],
    },
    {
      name: "password hashing with pbkdf2Sync in an async login",
      code: `import { pbkdf2Sync } from "node:crypto";\nexport async function login(pw: string, salt: Buffer) {\n  return pbkdf2Sync(pw, salt, 310000, 32, "sha256");\n}`,
      errors: [{ messageId: "blockingCall", line: 3 }],
    },
    {
      name: "bcrypt hashSync in an express route",
      code: `import express from "express";\nimport bcrypt from "bcrypt";\nconst app = express();\napp.post("/signup", (req, res) => {\n  const hash = bcrypt.hashSync(req.body.password, 12);\n  res.json({ hash });\n});`,
      errors: [{ messageId: "blockingCall", line: 5 }],
    },
    {
      name: "execSync in an async status endpoint",
      code: `const { execSync } = require("child_process");\nmodule.exports.status = async function status() {\n  return execSync("git rev-parse HEAD").toString();\n};`,
      errors: [{ messageId: "blockingCall", line: 3 }],
    },
    {
      name: "gzipSync of a response body in a fastify handler",
      code: `import Fastify from "fastify";\nimport zlib from "node:zlib";\nconst app = Fastify();\napp.get("/report", async (req, reply) => {\n  const body = zlib.gzipSync(JSON.stringify(await buildReport()));\n  reply.header("content-encoding", "gzip").send(body);\n});`,
      errors: [{ messageId: "blockingCall", line: 5 }],
    },
    {
      name: "socket data listener appends to a file synchronously",
      code: `import net from "node:net";\nimport { appendFileSync } from "node:fs";\nconst server = net.createServer((socket) => {\n  socket.on("data", (chunk) => {\n    appendFileSync("ingest.log", chunk);\n  });\n});\nserver.listen(9000);`,
      errors: [{ messageId: "blockingCall", line: 5 }],
    },
    {
      name: "sync helper only called from an async handler",
      code: `import { execSync } from "node:child_process";\nfunction currentBranch() {\n  return execSync("git rev-parse --abbrev-ref HEAD").toString().trim();\n}\nexport async function status() {\n  return { branch: currentBranch() };\n}`,
      errors: [{ messageId: "blockingCall", line: 3 }],
    },
    {
      name: "two-level helper chain from a route handler",
      code: `import * as fs from "node:fs";\nconst readTemplate = (name: string) => fs.readFileSync("views/" + name, "utf8");\nfunction render(name: string) { return readTemplate(name).replace("{{x}}", "1"); }\napp.get("/page", (req, res) => res.send(render("page.html")));`,
      errors: [{ messageId: "blockingCall", line: 2 }],
    },
    {
      name: "spawnSync of ImageMagick in a queue consumer",
      code: `import { spawnSync } from "node:child_process";\nexport async function onJob(job: { file: string }) {\n  spawnSync("convert", [job.file, "-resize", "200x200", job.file + ".thumb.png"]);\n}`,
      errors: [{ messageId: "blockingCall", line: 3 }],
    },
    {
      name: "sync read inside a map callback of an async function",
      code: `import { readFileSync } from "fs";\nexport async function bundle(files: string[]) {\n  const parts = files.map((f) => readFileSync(f, "utf8"));\n  return parts.join("\\n");\n}`,
      errors: [{ messageId: "blockingCall", line: 3 }],
    },
    {
      name: "Atomics.wait used as a sleep in an async retry",
      code: `export async function retry(fn: () => Promise<void>) {\n  const lock = new Int32Array(new SharedArrayBuffer(4));\n  Atomics.wait(lock, 0, 0, 500);\n  await fn();\n}`,
      errors: [{ messageId: "blockingCall", line: 3 }],
    },
    {
      name: "busy-wait backoff in an async function",
      code: `export async function backoff(ms: number) {\n  const end = Date.now() + ms;\n  while (Date.now() < end) {}\n}`,
      errors: [{ messageId: "busyWait", line: 3 }],
    },
    {
      name: "performance.now spin in a message listener",
      code: `import { EventEmitter } from "node:events";\nconst bus = new EventEmitter();\nbus.on("tick", () => {\n  const start = performance.now();\n  for (; performance.now() - start < 5; ) {}\n});`,
      errors: [{ messageId: "busyWait", line: 5 }],
    },
    {
      name: "sync write after listen in async main",
      code: `import fs from "node:fs";\nimport http from "node:http";\nasync function main() {\n  const server = http.createServer(async (req, res) => {\n    fs.writeFileSync("last-request.txt", req.url ?? "");\n    res.end();\n  });\n  server.listen(8080);\n}\nmain();`,
      errors: [{ messageId: "blockingCall", line: 5 }],
    },
    {
      name: "scryptSync in a method of a service",
      code: `import crypto from "node:crypto";\nexport class Users {\n  async create(pw: string) {\n    const key = crypto.scryptSync(pw, "salt", 64);\n    return key.toString("hex");\n  }\n}`,
      errors: [{ messageId: "blockingCall", line: 4 }],
    },
    {
      name: "sync read inside a .then callback of an async function",
      code: `import fs from "node:fs";\nexport async function load(url: string) {\n  const res = await fetch(url);\n  return res.json().then(() => fs.readFileSync("cache.json", "utf8"));\n}`,
      errors: [{ messageId: "blockingCall", line: 4 }],
    },
    {
      name: "a CLI that serves: handlers still count",
      code: `#!/usr/bin/env node\nimport http from "node:http";\nimport { readFileSync } from "node:fs";\nhttp.createServer((req, res) => res.end(readFileSync("index.html"))).listen(8080);`,
      errors: [{ messageId: "blockingCall", line: 4 }],
    },
    {
      name: "main thread that starts workers still counts",
      code: `import { Worker } from "node:worker_threads";\nimport { readFileSync } from "node:fs";\nexport async function runJob(path: string) {\n  const input = readFileSync(path);\n  return new Worker("./job.js", { workerData: input });\n}`,
      errors: [{ messageId: "blockingCall", line: 4 }],
    },
    {
      name: "getServerSideProps runs per request",
      code: `import fs from "fs";\nexport async function getServerSideProps() {\n  return { props: { motd: fs.readFileSync("motd.txt", "utf8") } };\n}`,
      errors: [{ messageId: "blockingCall", line: 3 }],
    },
    {
      name: "cache check that does not guard the read",
      code: `import { readFileSync } from "node:fs";\nlet hits = 0;\nexport async function page() {\n  if (!hits) hits++;\n  return readFileSync("page.html", "utf8");\n}`,
      errors: [{ messageId: "blockingCall", line: 5 }],
    },
    {
      name: "generateKeyPairSync per connection",
      code: `import { generateKeyPairSync } from "node:crypto";\nimport { WebSocketServer } from "ws";\nconst wss = new WebSocketServer({ port: 8080 });\nwss.on("connection", (ws) => {\n  const { publicKey } = generateKeyPairSync("ed25519");\n  ws.send(publicKey.export({ type: "spki", format: "pem" }));\n});`,
      errors: [{ messageId: "blockingCall", line: 5 }],
    },
    {
      name: "exported rate-limit helper busy-waits, called from an async handler in its file",
      code: `export function throttle(ms: number) {\n  const until = Date.now() + ms;\n  while (Date.now() < until) {}\n}\nexport async function handle(req: { id: string }) {\n  throttle(50);\n  return { id: req.id };\n}`,
      errors: [{ messageId: "busyWait", line: 3 }],
    },
    {
      name: "exported template loader with readFileSync, called from a request handler in its file",
      code: `import fs from "node:fs";\nimport http from "node:http";\nexport function loadTemplate(name: string) {\n  return fs.readFileSync("views/" + name + ".html", "utf8");\n}\nhttp.createServer((req, res) => {\n  res.end(loadTemplate("index"));\n}).listen(8080);`,
      errors: [{ messageId: "blockingCall", line: 4 }],
    },
  ],
});
