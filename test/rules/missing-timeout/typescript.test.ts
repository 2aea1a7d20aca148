import rule from "../../../rules/missing-timeout/index.js";
import { ruleTester } from "../../helpers/rule-tester.js";

ruleTester(rule, {
  valid: [
    {
      name: "self-driven event: once(out, 'drain') after a write() that returned false",
      code: `import { once } from "node:events";\nimport type { Writable } from "node:stream";\nexport async function writeAll(out: Writable, chunks: string[]) {\n  for (const chunk of chunks) {\n    if (!out.write(chunk)) await once(out, "drain");\n  }\n}`,
    },
    {
      name: "self-driven event: once(server, 'close') after this function's own server.close()",
      code: `import { once } from "node:events";\nimport type { Server } from "node:http";\nexport async function stop(server: Server) {\n  server.close();\n  await once(server, "close");\n}`,
    },
    {
      name: "always-firing event: once(stream, 'open') of a file stream created here",
      code: `import { once } from "node:events";\nimport fs from "node:fs";\nexport async function openLog(path: string) {\n  const stream = fs.createWriteStream(path, { flags: "a" });\n  await once(stream, "open");\n  return stream;\n}`,
    },
    {
      name: "local program: exec of tar on local folders, the command built in a variable (no peer to wait on)",
      code: `const { exec } = require("child_process");\nfunction pack(dir, out, cb) {\n  var cmd = \`tar zcf \${out} -C \${dir} .\`;\n  exec(cmd, (err) => cb(err));\n}\nmodule.exports = pack;`,
      filename: "pack.js",
    },
    {
      name: "local program: taskkill of a local process tree, the command concatenated",
      code: `import { exec } from "node:child_process";\nexport function killTree(pid: number, done: (err: Error | null) => void) {\n  exec("taskkill /pid " + pid + " /T /F", { windowsHide: true }, (err) => done(err));\n}`,
    },
    {
      name: "local program through sudo -n: kill of a process the server started",
      code: `import { exec } from "node:child_process";\nexport function stop(pid: number) {\n  exec(\`sudo -n kill -9 \${pid}\`);\n}`,
    },
    {
      name: "local program through sudo and an environment assignment (literal command)",
      code: `import { exec } from "node:child_process";\nexport function restart() {\n  exec("sudo LANG=C kill 1");\n}`,
    },
    {
      name: "local program: execFile of rm with an argument list",
      code: `import { execFile } from "node:child_process";\nexport function wipe(dir: string) {\n  execFile("rm", ["-rf", dir], () => {});\n}`,
    },
    {
      name: "fetch with AbortSignal.timeout",
      code: `export async function stock() {\n  const res = await fetch("https://inventory.internal/stock", { signal: AbortSignal.timeout(3000) });\n  return res.json();\n}`,
    },
    {
      name: "fetch with AbortSignal.any of the caller's signal and a timeout",
      code: `export async function proxy(req: Request) {\n  return fetch("https://upstream/api", { signal: AbortSignal.any([req.signal, AbortSignal.timeout(5000)]) });\n}`,
    },
    {
      name: "fetch with a signal held in a variable (shorthand)",
      code: `export async function load(url: string, signal: AbortSignal) {\n  const init = { method: "GET", signal };\n  return fetch(url, init);\n}`,
    },
    {
      name: "fetch with options spread from the caller may carry a signal",
      code: `export function api(path: string, init: RequestInit = {}) {\n  return fetch("https://api.example.com" + path, { ...init, headers: { accept: "application/json" } });\n}`,
    },
    {
      name: "fetch of an incoming Request object (carries the client's signal)",
      code: `export default {\n  async fetch(request: Request) {\n    return fetch(request);\n  },\n};`,
    },
    {
      name: "fetch wrapped by a team timeout wrapper",
      code: `import { withTimeout } from "./lib/timeout.js";\nexport const ping = () => withTimeout(fetch("https://status.example.com"), 2000);`,
    },
    {
      name: "fetch inside a callback handed to a configured wrapper",
      code: `import { deadline } from "./lib/deadline.js";\nexport const ping = () => deadline(() => fetch("https://status.example.com"), 2000);`,
      options: { timeoutWrappers: ["deadline"] },
    },
    {
      name: "fetch raced against a timer with Promise.race",
      code: `export async function ping() {\n  return Promise.race([fetch("https://status.example.com"), sleep(2000).then(() => { throw new Error("timeout"); })]);\n}`,
    },
    {
      name: "fetch promise stored and handed to p-timeout",
      code: `import pTimeout from "p-timeout";\nexport async function ping() {\n  const pending = fetch("https://status.example.com").then((r) => r.json());\n  return pTimeout(pending, { milliseconds: 2000 });\n}`,
    },
    {
      name: "fetches mapped inside Promise.all handed to a wrapper",
      code: `import { withTimeout } from "./lib/timeout.js";\nexport const all = (urls: string[]) => withTimeout(Promise.all(urls.map((u) => fetch(u))), 5000);`,
    },
    {
      name: "helper returning fetch whose call is wrapped",
      code: `import pTimeout from "p-timeout";\nfunction ping() {\n  return fetch("https://status.example.com");\n}\nexport const check = () => pTimeout(ping(), { milliseconds: 1000 });`,
    },
    {
      name: "a loader function handed by name to a configured wrapper",
      code: `const load = () => fetch("https://svc/config");\nexport const config = () => retryWithTimeout(load, { attempts: 3, timeoutMs: 2000 });`,
      options: { timeoutWrappers: ["retryWithTimeout"] },
    },
    {
      name: "fetch of a Request-typed parameter, known from the checker",
      code: `export async function forward(input: Request) {\n  return fetch(input);\n}`,
      // Request comes from the DOM lib (or @types/node) in a real project; the in-memory one has neither.
      files: {
        "src/globals.d.ts":
          "declare class Request { readonly url: string; readonly signal: AbortSignal; }\ndeclare function fetch(input: Request | string, init?: { signal?: AbortSignal }): Promise<unknown>;",
      },
      types: true,
    },
    {
      name: "axios instance created with a timeout",
      code: `import axios from "axios";\nconst rates = axios.create({ baseURL: "https://rates.example.com", timeout: 5000 });\nexport const latest = () => rates.get("/latest");`,
    },
    {
      name: "axios instance held in a class field with a timeout",
      code: `import axios from "axios";\nexport class Billing {\n  private http = axios.create({ timeout: 10_000 });\n  charge(id: string) { return this.http.post("/charges", { id }); }\n}`,
    },
    {
      name: "exported axios instance with a timeout set on its defaults",
      code: `import axios from "axios";\nconst api = axios.create({ baseURL: "/api" });\napi.defaults.timeout = 8000;\nexport default api;`,
    },
    {
      name: "axios call with a per-request timeout",
      code: `import axios from "axios";\nexport const latest = () => axios.get("https://rates.example.com/latest", { timeout: 5000 });`,
    },
    {
      name: "axios(config) with a signal",
      code: `import axios from "axios";\nexport const send = (signal: AbortSignal) => axios({ url: "/x", method: "post", signal });`,
    },
    {
      name: "axios defaults set in another file of the run",
      code: `import axios from "axios";\nexport const latest = () => axios.get("https://rates.example.com/latest");`,
      files: { "src/setup.ts": `import axios from "axios";\naxios.defaults.timeout = 10_000;` },
    },
    {
      name: "a get() on a Map is not axios",
      code: `const cache = new Map<string, string>();\nexport const read = (key: string) => cache.get(key);`,
    },
    {
      name: "https.get with a timeout option",
      code: `import https from "node:https";\nhttps.get("https://example.com", { timeout: 5000 }, (res) => res.resume()).on("timeout", function () { this.destroy(); });`,
    },
    {
      name: "http.request followed by req.setTimeout",
      code: `import http from "node:http";\nexport function post(body: string) {\n  const req = http.request({ host: "svc", path: "/", method: "POST" });\n  req.setTimeout(5000, () => req.destroy());\n  req.end(body);\n}`,
    },
    {
      name: "http.request with options built elsewhere",
      code: `import { request } from "node:http";\nexport const send = (options: RequestOptions) => request(options);`,
    },
    {
      name: "net.connect with timeout option",
      code: `import net from "node:net";\nconst socket = net.connect({ host: "cache", port: 6379, timeout: 2000 });\nsocket.on("timeout", () => socket.destroy());`,
    },
    {
      name: "net.createConnection with a later socket.setTimeout",
      code: `import { createConnection } from "node:net";\nexport function open(port: number, host: string) {\n  const socket = createConnection(port, host);\n  socket.setTimeout(3000, () => socket.destroy());\n  return socket;\n}`,
    },
    {
      name: "tls.connect returned to the caller who sets its deadline",
      code: `import tls from "node:tls";\nexport function secure(port: number, host: string) {\n  return tls.connect(port, host);\n}`,
    },
    {
      name: "promisified exec with a timeout",
      code: `import { exec } from "node:child_process";\nimport { promisify } from "node:util";\nconst sh = promisify(exec);\nexport const head = () => sh("git rev-parse HEAD", { timeout: 10_000 });`,
    },
    {
      name: "exec'd ChildProcess killed from a timer",
      code: `import { exec } from "node:child_process";\nexport function build() {\n  const child = exec("make all");\n  const timer = setTimeout(() => child.kill(), 60_000);\n  child.on("exit", () => clearTimeout(timer));\n}`,
    },
    {
      name: "execFile with a signal",
      code: `import { execFile } from "child_process";\nexport function thumb(file: string, signal: AbortSignal) {\n  execFile("convert", [file, "-resize", "64x64", "out.png"], { signal }, () => {});\n}`,
    },
    {
      name: "events.once with a signal",
      code: `import { once } from "node:events";\nexport async function ready(worker: Worker) {\n  await once(worker, "online", { signal: AbortSignal.timeout(10_000) });\n}`,
    },
    {
      name: "events.once for listening (listen emits it or rejects with error)",
      code: `import { once } from "node:events";\nexport async function start(server: Server) {\n  server.listen(0);\n  await once(server, "listening");\n}`,
    },
    {
      name: "emitter.once with a callback is not events.once",
      code: `export function onExit(child: ChildProcess) {\n  child.once("exit", (code) => console.log(code));\n}`,
    },
    {
      name: "pg Pool with connectionTimeoutMillis",
      code: `import pg from "pg";\nexport const pool = new pg.Pool({ max: 20, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 2000 });`,
    },
    {
      name: "pg Client built from a config object passed in",
      code: `import { Client } from "pg";\nexport const connect = (config: ClientConfig) => new Client(config);`,
    },
    {
      name: "ignore option turns a family off",
      code: `import { once } from "node:events";\nexport const exit = (child: ChildProcess) => once(child, "exit");`,
      options: { ignore: ["events.once"] },
    },
  ],
  invalid: [
    {
      name: "once(server, 'close') without a close() here: nothing this code does makes it fire",
      code: `import { once } from "node:events";\nimport type { Server } from "node:http";\nexport async function waitClosed(server: Server) {\n  await once(server, "close");\n}`,
      errors: [{ messageId: "once", line: 4 }],
    },
    {
      name: "once(out, 'drain') after a write() to another stream",
      code: `import { once } from "node:events";\nimport type { Writable } from "node:stream";\nexport async function copy(log: Writable, out: Writable, chunk: string) {\n  log.write(chunk);\n  await once(out, "drain");\n}`,
      errors: [{ messageId: "once", line: 5 }],
    },
    {
      name: "axios.get with the default timeout of 0 hanging for hours",
      code: `import axios from "axios";\nexport async function getRates() {\n  const { data } = await axios.get("https://rates.example.com/latest");\n  return data;\n}`,
      errors: [{ messageId: "axios", line: 3 }],
    },
    {
      name: "axios.post with data but a config without timeout",
      code: `const axios = require("axios");\nasync function notify(body) {\n  await axios.post("https://hooks.example.com", body, { headers: { "x-key": "k" } });\n}`,
      filename: "notify.js",
      errors: [{ messageId: "axios", line: 3 }],
    },
    {
      name: "axios(config) and axios.request(config) without timeout",
      code: `import axios from "axios";\nexport const a = () => axios({ url: "https://svc/a", method: "get" });\nexport const b = () => axios.request({ url: "https://svc/b" });`,
      errors: [
        { messageId: "axios", line: 2 },
        { messageId: "axios", line: 3 },
      ],
    },
    {
      name: "axios instance from axios.create without timeout",
      code: `import axios from "axios";\nconst github = axios.create({ baseURL: "https://api.github.com" });\nexport const repo = (name: string) => github.get("/repos/" + name);`,
      errors: [{ messageId: "axios", line: 3 }],
    },
    {
      name: "exported axios instance without timeout is reported once, where it is created",
      code: `import axios from "axios";\nexport const api = axios.create({\n  baseURL: process.env.API_URL,\n});\nexport const me = () => api.get("/me");`,
      errors: [{ messageId: "axiosCreate", line: 2 }],
    },
    {
      name: "client factory returning axios.create without timeout",
      code: `const axios = require("axios");\nfunction makeClient(token) {\n  return axios.create({ headers: { authorization: token } });\n}\nmodule.exports = { makeClient };`,
      filename: "client.js",
      errors: [{ messageId: "axiosCreate", line: 3 }],
    },
    {
      name: "axios with an explicit timeout: 0",
      code: `import axios from "axios";\nexport const slow = () => axios.get("https://reports/export", { timeout: 0 });`,
      errors: [{ messageId: "axios", line: 2 }],
    },
    {
      name: "fetch in a request handler with no deadline",
      code: `import express from "express";\nconst app = express();\napp.get("/stock", async (req, res) => {\n  const upstream = await fetch("https://inventory.internal/stock");\n  res.json(await upstream.json());\n});`,
      errors: [{ messageId: "fetch", line: 4 }],
    },
    {
      name: "fetch with init that has a method and headers but no signal",
      code: `export async function publish(event: unknown) {\n  await fetch(\`https://bus.internal/events\`, {\n    method: "POST",\n    body: JSON.stringify(event),\n  });\n}`,
      errors: [{ messageId: "fetch", line: 2 }],
    },
    {
      name: "fetch of a URL variable and a new Request without signal",
      code: `export async function poll(baseUrl: string) {\n  await fetch(baseUrl);\n  await fetch(new Request("https://svc/health"));\n}`,
      errors: [
        { messageId: "fetch", line: 2 },
        { messageId: "fetch", line: 3 },
      ],
    },
    {
      name: "a string named request is a URL, not a Request",
      code: `const request = "https://svc/health";\nexport const ping = () => fetch(request);`,
      errors: [{ messageId: "fetch", line: 2 }],
    },
    {
      name: "fetches mapped inside Promise.all without any deadline",
      code: `export const all = (urls: string[]) => Promise.all(urls.map((u) => fetch(u)));`,
      errors: [{ messageId: "fetch", line: 1 }],
    },
    {
      name: "node-fetch without timeout or signal",
      code: `import fetch from "node-fetch";\nexport const get = (url: string) => fetch(url).then((r) => r.text());`,
      errors: [{ messageId: "fetch", line: 2 }],
    },
    {
      name: "fetch handed to a function that is not a timeout wrapper",
      code: `export async function load() {\n  return retry(() => fetch("https://svc/data"));\n}`,
      errors: [{ messageId: "fetch", line: 2 }],
    },
    {
      name: "https.get with only a callback",
      code: `import https from "node:https";\nexport function download(url: string) {\n  https.get(url, (res) => res.pipe(process.stdout)).on("error", console.error);\n}`,
      errors: [{ messageId: "http", line: 3 }],
    },
    {
      name: "http.request with options lacking timeout",
      code: `import * as http from "http";\nconst req = http.request({ host: "billing", port: 80, path: "/charge", method: "POST" }, onResponse);\nreq.end(payload);`,
      errors: [{ messageId: "http", line: 2 }],
    },
    {
      name: "net.connect to a cache without a timeout",
      code: `import net from "node:net";\nconst socket = net.connect(6379, "cache.internal");\nsocket.write("PING\\r\\n");`,
      errors: [{ messageId: "net", line: 2 }],
    },
    {
      name: "tls.connect with options but no timeout",
      code: `import { connect } from "node:tls";\nconst socket = connect({ host: "smtp.example.com", port: 465, servername: "smtp.example.com" });\nsocket.on("data", onData);`,
      errors: [{ messageId: "net", line: 2 }],
    },
    {
      name: "promisified execFile running ffmpeg with no timeout",
      code: `import { execFile } from "node:child_process";\nimport { promisify } from "node:util";\nconst run = promisify(execFile);\nexport async function convert(input: string) {\n  await run("ffmpeg", ["-i", input, "out.mp4"]);\n}`,
      errors: [{ messageId: "childProcess", line: 5 }],
    },
    {
      name: "util.promisify(cp.exec) returned from an arrow: the promise cannot be killed later",
      code: `import util from "node:util";\nimport cp from "node:child_process";\nconst execP = util.promisify(cp.exec);\nexport const head = () => execP("git rev-parse HEAD");`,
      errors: [{ messageId: "childProcess", line: 4 }],
    },
    {
      name: "local program chained with && to a network upload: the upload can hang",
      code: `import { exec } from "node:child_process";\nexport function ship(dir: string) {\n  exec(\`tar zcf out.tgz \${dir} && curl -T out.tgz https://backup.example\`, () => {});\n}`,
      errors: [{ messageId: "childProcess", line: 3 }],
    },
    {
      name: "sudo runs a program spliced in from a value: not known to be local",
      code: `import { exec } from "node:child_process";\nexport function run(tool: string) {\n  exec("sudo -n " + tool, () => {});\n}`,
      errors: [{ messageId: "childProcess", line: 3 }],
    },
    {
      name: "sudo before a local program chained to a network upload: the upload can hang",
      code: `import { exec } from "node:child_process";\nexport function ship() {\n  exec("sudo -n tar zcf /tmp/out.tgz /etc && curl -T /tmp/out.tgz https://backup.example", () => {});\n}`,
      errors: [{ messageId: "childProcess", line: 3 }],
    },
    {
      name: "program name spliced in from a value: not known to be local",
      code: `import { exec } from "node:child_process";\nexport function run(tool: string) {\n  exec(\`\${tool} --sync\`, () => {});\n}`,
      errors: [{ messageId: "childProcess", line: 3 }],
    },
    {
      name: "a prefix of a local program's name with the rest spliced in",
      code: `import { exec } from "node:child_process";\nexport function run(suffix: string) {\n  exec("ta" + suffix, () => {});\n}`,
      errors: [{ messageId: "childProcess", line: 3 }],
    },
    {
      name: "exec with options but no timeout",
      code: `const cp = require("child_process");\ncp.exec("pg_dump app", { maxBuffer: 1 << 30 }, (err, out) => save(out));`,
      filename: "backup.js",
      errors: [{ messageId: "childProcess", line: 2 }],
    },
    {
      name: "events.once waiting for a child's exit forever",
      code: `import { once } from "node:events";\nexport async function waitForExit(child: ChildProcess) {\n  const [code] = await once(child, "exit");\n  return code;\n}`,
      errors: [{ messageId: "once", line: 3 }],
    },
    {
      name: "EventEmitter.once static for a queue message",
      code: `import { EventEmitter } from "events";\nexport async function nextJob(bus: EventEmitter) {\n  return EventEmitter.once(bus, "job");\n}`,
      errors: [{ messageId: "once", line: 3 }],
    },
    {
      name: "pg Pool whose connect waits forever when the pool is exhausted",
      code: `import { Pool } from "pg";\nexport const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });`,
      errors: [{ messageId: "pg", line: 2 }],
    },
    {
      name: "pg Client from a connection string and pg-pool with no config",
      code: `import pg from "pg";\nimport PgPool from "pg-pool";\nconst client = new pg.Client(process.env.DATABASE_URL);\nconst pool = new PgPool();`,
      errors: [
        { messageId: "pg", line: 3 },
        { messageId: "pg", line: 4 },
      ],
    },
    {
      name: "pg Pool with connectionTimeoutMillis: 0 spelled out",
      code: `const { Pool } = require("pg");\nconst config = { host: "db", connectionTimeoutMillis: 0 };\nmodule.exports = new Pool(config);`,
      filename: "db.js",
      errors: [{ messageId: "pg", line: 3 }],
    },
  ],
});
