import rule from "../../../rules/ignored-backpressure/index.js";
import { ruleTester } from "../../helpers/rule-tester.js";

ruleTester(rule, {
  valid: [
    {
      name: "a search loop that answers once: the write is followed by return (identd reply to the matching connection)",
      code: `function answer(socket: import("node:net").Socket, connections: { port: number; user: string }[], port: number) {
  for (const connection of connections) {
    if (connection.port === port) {
      socket.write(\`\${port} : USERID : \${connection.user}\\r\\n\`);
      return;
    }
  }
  socket.end();
}`,
    },
    {
      name: "a loop left by break right after the write: at most one write",
      code: `function firstReady(out: import("node:net").Socket, frames: Buffer[]) {
  for (const frame of frames) {
    if (frame.length > 0) {
      out.write(frame);
      break;
    }
  }
}`,
    },
    {
      name: "broadcast over the destinations: one write per subscriber socket (for-of over the sockets)",
      code: `const net = require("net");
function PubSocket() { this.socks = []; }
PubSocket.prototype.send = function (msg) {
  const buf = Buffer.from(JSON.stringify(msg));
  for (const sock of this.socks) {
    if (sock.writable) sock.write(buf);
  }
  return this;
};
module.exports = PubSocket;`,
    },
    {
      name: "broadcast over the destinations: one write per subscriber socket (forEach over the sockets)",
      code: `function broadcast(sockets: import("node:net").Socket[], buf: Buffer, cb: () => void) {
  let i = 0;
  sockets.forEach((socket) => {
    socket.write(buf, () => {
      if (++i === sockets.length) cb();
    });
  });
}`,
    },
    {
      name: "return value checked and drain awaited with events.once",
      code: `import { createWriteStream } from "node:fs";
import { once } from "node:events";
async function exportRows(rows: AsyncIterable<string>, path: string) {
  const out = createWriteStream(path);
  for await (const row of rows) {
    if (!out.write(row)) await once(out, "drain");
  }
  out.end();
}`,
    },
    {
      name: "drain awaited through a promise around stream.once",
      code: `async function send(socket: import("node:net").Socket, frames: Buffer[]) {
  for (const frame of frames) {
    const ok = socket.write(frame);
    if (!ok) await new Promise((resolve) => socket.once("drain", resolve));
  }
}`,
    },
    {
      name: "stream.pipeline with Readable.from instead of a write loop",
      code: `import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import { createWriteStream } from "node:fs";
async function save(lines: string[], path: string) {
  await pipeline(Readable.from(lines), createWriteStream(path));
}`,
    },
    {
      name: "single write outside any loop",
      code: `import { createServer } from "node:http";\ncreateServer((req, res) => {\n  res.write("hello");\n  res.end();\n}).listen(3000);`,
    },
    {
      name: "small constant loop writing a fixed header",
      code: `function header(out: NodeJS.WritableStream) {\n  for (let i = 0; i < 3; i++) out.write("=".repeat(80) + "\\n");\n}`,
    },
    {
      name: "for-of over a short array literal",
      code: `function greet(socket: import("node:net").Socket) {\n  for (const line of ["220 ready", "250 ok"]) socket.write(line + "\\r\\n");\n}`,
    },
    {
      name: "process.stdout in a CLI loop (stdio off by default)",
      code: `for (const file of files) {\n  process.stdout.write(file + "\\n");\n}`,
    },
    {
      name: "awaited write of a web stream writer",
      code: `async function pump(stream: WritableStreamDefaultWriter<Uint8Array>, chunks: Uint8Array[]) {\n  for (const chunk of chunks) await stream.write(chunk);\n}`,
    },
    {
      name: "string builder named out with a known constructor",
      code: `class StringBuilder { parts: string[] = []; write(s: string) { this.parts.push(s); } }
function render(items: string[]) {
  const out = new StringBuilder();
  for (const item of items) out.write(item);
  return out.parts.join("");
}`,
    },
    {
      name: "receiver whose name says nothing about streams",
      code: `function log(entries: string[], logger: { write(s: string): void }) {\n  for (const entry of entries) logger.write(entry);\n}`,
    },
    {
      name: "annotated parameter of a non-stream type",
      code: `interface Buffer2 { write(s: string): void }\nfunction fill(out: Buffer2, lines: string[]) {\n  for (const line of lines) out.write(line);\n}`,
    },
    {
      name: "write awaited through its callback inside the loop",
      code: `async function copy(chunks: Buffer[], socket: import("node:net").Socket) {
  for (const chunk of chunks) {
    await new Promise<void>((resolve, reject) => socket.write(chunk, (err) => (err ? reject(err) : resolve())));
  }
}`,
    },
    {
      name: "readable stream named readStream is not written to",
      code: `function f(readStream: { write(x: string): void }, xs: string[]) {\n  for (const x of xs) readStream.write(x);\n}`,
    },
    {
      name: "while loop guarded by the write result",
      code: `function fill(stream: import("node:stream").Writable, next: () => string | null) {
  let chunk: string | null;
  while ((chunk = next()) !== null) {
    if (!stream.write(chunk)) { stream.once("drain", () => fill(stream, next)); return; }
  }
}`,
    },
    {
      name: "type checker shows a stream-named sink whose write returns void",
      types: true,
      code: `class Sink { write(line: string): void { console.log(line); } }
function makeSink() { return new Sink(); }
const stream = makeSink();
export function flush(lines: string[]) {
  for (const line of lines) stream.write(line);
}`,
    },
    {
      name: "stdout as a variable alias stays off by default",
      code: `const out = process.stdout;\nfor (const row of rows) out.write(row.join("\\t") + "\\n");`,
    },
    {
      name: "heartbeat loop paced by a sleep each turn",
      code: `import { setTimeout as sleep } from "node:timers/promises";
async function keepAlive(socket: import("node:net").Socket, signal: AbortSignal) {
  while (!signal.aborted) {
    socket.write("PING\\r\\n");
    await sleep(30_000);
  }
}`,
    },
    {
      name: "SSE keep-alive over a timers/promises interval",
      code: `import { setInterval } from "node:timers/promises";
async function comments(res: import("node:http").ServerResponse) {
  for await (const _ of setInterval(15_000)) res.write(": keep-alive\\n\\n");
}`,
    },
    {
      name: "twenty NDJSON jobs fed to a child's stdin in a test",
      code: `for (let i = 0; i < 20; i += 1) {\n  child.stdin?.write(JSON.stringify({ id: i }) + "\\n");\n}`,
    },
    {
      name: "per-event write that pauses the source when write returns false",
      code: `export function forward(source: NodeJS.EventEmitter & { pause(): void; resume(): void }, outStream: NodeJS.WritableStream) {
  source.on("data", (chunk: string) => {
    if (!outStream.write(chunk)) source.pause();
  });
  outStream.on("drain", () => source.resume());
}`,
    },
    {
      name: "per-event write with a pause() and 'drain' handling elsewhere in the registering function",
      code: `export function forward(source: any, outStream: any) {
  source.on("data", (chunk: string) => {
    outStream.write(chunk);
  });
  outStream.on("drain", () => source.resume());
  source.pause();
}`,
    },
    {
      name: "write once per connection to the connection's own socket (one write per destination)",
      code: `import net from "node:net";
net.createServer().on("connection", (socket) => {
  socket.write("hello\\n");
});`,
    },
    {
      name: "write in an 'end' listener runs once",
      code: `export function finish(source: any, outStream: any) {
  source.on("end", () => {
    outStream.write("]\\n");
  });
}`,
    },
    {
      name: "write in a 'once' listener runs once",
      code: `export function header(source: any, outStream: any) {
  source.once("data", (first: string) => {
    outStream.write(first);
  });
}`,
    },
    {
      name: "per-event listener opens its own file stream: one write per destination",
      code: `import { createWriteStream } from "node:fs";
export function save(queue: any) {
  queue.on("job", (job: { id: string; body: string }) => {
    const outStream = createWriteStream(job.id + ".json");
    outStream.write(job.body);
    outStream.end();
  });
}`,
    },
    {
      name: "helper returns the write result to a per-item loop that waits for drain",
      code: `function writeRow(stream: any, row: object) {
  return stream.write(row);
}
export async function dump(items: object[], csvStream: any) {
  for (const item of items) {
    if (!writeRow(csvStream, item)) await new Promise((resolve) => csvStream.once("drain", resolve));
  }
}`,
    },
    {
      name: "helper that writes, called once (not from a loop)",
      code: `function writeHeader(stream: any, columns: string[]) {
  stream.write(columns.join(",") + "\\n");
}
export function start(csvStream: any, columns: string[]) {
  writeHeader(csvStream, columns);
}`,
    },
  ],
  invalid: [
    {
      name: "return after the write leaves only the forEach callback, not the forEach: every item is still written",
      code: `function dump(out: import("node:net").Socket, frames: Buffer[]) {
  frames.forEach((frame) => {
    out.write(frame);
    return;
  });
}`,
      errors: [{ messageId: "ignoredBackpressure", line: 3 }],
    },
    {
      name: "break after the write inside a switch leaves the switch, not the loop",
      code: `function pump(out: import("node:net").Socket, frames: { kind: string; data: Buffer }[]) {
  for (const frame of frames) {
    switch (frame.kind) {
      case "data": {
        out.write(frame.data);
        break;
      }
    }
  }
}`,
      errors: [{ messageId: "ignoredBackpressure", line: 5 }],
    },
    {
      name: "break leaves only the inner loop: the outer loop still repeats the write",
      code: `function send(out: import("node:net").Socket, batches: Buffer[][]) {
  for (const batch of batches) {
    for (const frame of batch) {
      out.write(frame);
      break;
    }
  }
}`,
      errors: [{ messageId: "ignoredBackpressure", line: 4 }],
    },
    {
      name: "broadcast repeated by an outer loop over messages: the outer loop is the producer",
      code: `function replay(sockets: import("node:net").Socket[], history: Buffer[]) {
  for (const frame of history) {
    for (const socket of sockets) socket.write(frame);
  }
}`,
      errors: [{ messageId: "ignoredBackpressure", line: 3 }],
    },
    {
      name: "broadcast once per data event to existing sockets: the emitter is the producer",
      code: `function relay(source: import("node:net").Socket, sockets: import("node:net").Socket[]) {
  source.on("data", (chunk) => {
    for (const socket of sockets) socket.write(chunk);
  });
}`,
      errors: [{ messageId: "perEvent", line: 3 }],
    },
    {
      name: "csv rows written through a helper from a _.each over every scanned item (write result dropped)",
      code: `const _ = require("lodash");
function writeItem(stream, item) {
  const row = {};
  _.each(item, function (value, key) { row[key] = value.S; });
  stream.write(row);
}
function scanAll(dynamodb, query, csvStream) {
  dynamodb.scan(query, function (err, data) {
    _.each(data.Items, function (item) {
      writeItem(csvStream, item);
    });
  });
}
module.exports = scanAll;`,
      errors: [{ messageId: "viaHelper", line: 5 }],
    },
    {
      name: "res.write per 'data' event of a result processor, no pause or drain",
      code: `export async function handle(req: Request, res: Response, server: any) {
  const processor = await server.createProcessor(req);
  processor.on("data", (chunk: string, encoding: string, done: () => void) => {
    res.write(chunk, encoding, done);
  });
  await processor.execute(req.body);
}`,
      errors: [{ messageId: "perEvent", line: 4 }],
    },
    {
      name: "targetStream.write once per 'received' event of a fetch queue, false ignored",
      code: `exports.backup = function (srcUrl, targetStream, opts) {
  backupFull(srcUrl, opts)
    .on("received", function (obj) {
      targetStream.write(JSON.stringify(obj.data) + "\\n");
    })
    .on("finished", function () {
      targetStream.end();
    });
};`,
      errors: [{ messageId: "perEvent", line: 4 }],
    },
    {
      name: "CSV export from a for-await DB cursor to a file stream",
      code: `import { createWriteStream } from "node:fs";
export async function exportRows(rows: AsyncIterable<string[]>, path: string) {
  const out = createWriteStream(path);
  for await (const row of rows) {
    out.write(row.join(",") + "\\n");
  }
  out.end();
}`,
      errors: [{ messageId: "ignoredBackpressure", line: 5 }],
    },
    {
      name: "server-sent events replayed to a slow client with res.write",
      code: `import { createServer } from "node:http";
createServer((req, res) => {
  res.writeHead(200, { "content-type": "text/event-stream" });
  for (const event of history) {
    res.write(\`data: \${JSON.stringify(event)}\\n\\n\`);
  }
}).listen(8080);`,
      errors: [{ messageId: "ignoredBackpressure", line: 5 }],
    },
    {
      name: "express handler streaming a big result set",
      code: `import express from "express";
const app = express();
app.get("/export", async (req, res) => {
  for await (const doc of db.collection("orders").find()) res.write(JSON.stringify(doc) + "\\n");
  res.end();
});`,
      errors: [{ messageId: "ignoredBackpressure", line: 4 }],
    },
    {
      name: "TCP client blasting frames at a socket from net.connect",
      code: `import net from "node:net";
const socket = net.connect(9000, "db.internal");
for (const frame of frames) {
  socket.write(frame);
}`,
      errors: [{ messageId: "ignoredBackpressure", line: 4 }],
    },
    {
      name: "while loop reading from a readable and writing to a gzip stream",
      code: `import { createGzip } from "node:zlib";
function compress(source: { read(): Buffer | null }) {
  const gzip = createGzip();
  let chunk: Buffer | null;
  while ((chunk = source.read()) !== null) gzip.write(chunk);
  return gzip;
}`,
      errors: [{ messageId: "ignoredBackpressure", line: 5 }],
    },
    {
      name: "forEach over lines writing to a parameter typed Writable",
      code: `import type { Writable } from "node:stream";
export function dump(lines: string[], target: Writable) {
  lines.forEach((line) => target.write(line + "\\n"));
}`,
      errors: [{ messageId: "ignoredBackpressure", line: 3 }],
    },
    {
      name: "child process stdin fed in a loop",
      code: `import { spawn } from "node:child_process";
const child = spawn("sort");
for (const word of words) child.stdin.write(word + "\\n");`,
      errors: [{ messageId: "ignoredBackpressure", line: 3 }],
    },
    {
      name: "socket parameter of a net server connection handler",
      code: `import { createServer } from "node:net";
createServer((socket) => {
  for (let i = 0; i < total; i++) {
    socket.write(render(i));
  }
}).listen(7000);`,
      errors: [{ messageId: "ignoredBackpressure", line: 4 }],
    },
    {
      name: "class field stream written in a loop",
      code: `import fs from "node:fs";
class AuditLog {
  private stream = fs.createWriteStream("/var/log/audit.log", { flags: "a" });
  flushAll(entries: string[]) {
    for (const entry of entries) this.stream.write(entry + "\\n");
  }
}`,
      errors: [{ messageId: "ignoredBackpressure", line: 5 }],
    },
    {
      name: "void write in a do-while loop",
      code: `function pump(stream: NodeJS.WritableStream, next: () => string | undefined) {
  let value: string | undefined;
  do {
    value = next();
    if (value) void stream.write(value);
  } while (value);
}`,
      errors: [{ messageId: "ignoredBackpressure", line: 5 }],
    },
    {
      name: "small inner loop inside an unbounded outer loop",
      code: `function writeGrid(out: NodeJS.WritableStream, rows: number[][]) {
  for (const row of rows) {
    for (let i = 0; i < 3; i++) out.write(String(row[i]));
  }
}`,
      errors: [{ messageId: "ignoredBackpressure", line: 3 }],
    },
    {
      name: "instance of a local Writable subclass fed in a loop",
      code: `import { Writable } from "node:stream";
class UpperCaseLogger extends Writable {
  _write(chunk: Buffer, _encoding: string, callback: () => void) { process.stdout.write(chunk.toString().toUpperCase(), callback); }
}
const logger = new UpperCaseLogger({ highWaterMark: 10 });
for (const line of lines) logger.write(line);`,
      errors: [{ messageId: "ignoredBackpressure", line: 6 }],
    },
    {
      name: "a million generated benchmark lines written to a file",
      code: `import fs from "node:fs";
const out = fs.createWriteStream("bench.csv");
for (let i = 0; i < 1_000_000; i++) out.write(\`\${i},\${Math.random()}\\n\`);
out.end();`,
      errors: [{ messageId: "ignoredBackpressure", line: 3 }],
    },
    {
      name: "loop bound is a variable, not a small constant",
      code: `function spam(socket: import("node:net").Socket, n: number) {\n  for (let i = 0; i < n; i++) socket.write("ping\\n");\n}`,
      errors: [{ messageId: "ignoredBackpressure", line: 2 }],
    },
    {
      name: "http.request body uploaded chunk by chunk",
      code: `import https from "node:https";
const req = https.request("https://upload.example.com", { method: "PUT" });
for (const part of parts) req.write(part);
req.end();`,
      errors: [{ messageId: "ignoredBackpressure", line: 3 }],
    },
    {
      name: "stdout write loop with checkStdio enabled",
      options: { checkStdio: true },
      code: `for (const record of records) {\n  process.stdout.write(JSON.stringify(record) + "\\n");\n}`,
      errors: [{ messageId: "ignoredBackpressure", line: 2 }],
    },
    {
      name: "for-in over a big object writing to a fileStream",
      code: `function dumpEnv(fileStream: import("node:fs").WriteStream, env: Record<string, string>) {\n  for (const key in env) fileStream.write(\`\${key}=\${env[key]}\\n\`);\n}`,
      errors: [{ messageId: "ignoredBackpressure", line: 2 }],
    },
    {
      name: "PassThrough fed in a loop before being returned",
      code: `import { PassThrough } from "node:stream";
export function toStream(items: string[]) {
  const pass = new PassThrough();
  for (const item of items) pass.write(item);
  pass.end();
  return pass;
}`,
      errors: [{ messageId: "ignoredBackpressure", line: 4 }],
    },
    {
      name: "type checker finds a boolean write on a value with no telling name",
      types: true,
      code: `class Channel { write(chunk: string): boolean { return chunk.length < 1024; } }
function open() { return new Channel(); }
const ch = open();
export function flush(lines: string[]) {
  for (const line of lines) ch.write(line);
}`,
      errors: [{ messageId: "ignoredBackpressure", line: 5 }],
    },
  ],
});
