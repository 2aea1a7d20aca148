import rule from "../../../rules/missing-graceful-shutdown/index.js";
import { ruleTester } from "../../helpers/rule-tester.js";

ruleTester(rule, {
  valid: [
    {
      name: "http server closed on SIGTERM and SIGINT, exit in the close callback",
      code: `import { createServer } from "node:http";
const server = createServer(handler).listen(8080);
function shutdown() {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(1), 10_000).unref();
}
process.once("SIGTERM", shutdown);
process.once("SIGINT", shutdown);`,
    },
    {
      name: "server in src/server.ts, signals handled in src/main.ts that imports it",
      filename: "server.ts",
      code: `import express from "express";
export const app = express();
export function start(port: number) {
  return app.listen(port);
}`,
      files: {
        "src/main.ts": `import { start } from "./server.js";
const server = start(3000);
process.on("SIGTERM", () => server.close());`,
      },
    },
    {
      name: "signals handled in a sibling module imported by the entry point",
      filename: "server.ts",
      code: `import http from "node:http";\nexport const server = http.createServer(handler);\nserver.listen(80);`,
      files: {
        "src/main.ts": `import "./server.js";\nimport { installShutdown } from "./shutdown.js";\ninstallShutdown();`,
        "src/shutdown.ts": `export function installShutdown() {\n  process.on("SIGINT", () => { console.log("bye"); });\n}`,
      },
    },
    {
      name: "close-with-grace wraps the fastify app",
      code: `import Fastify from "fastify";
import closeWithGrace from "close-with-grace";
const app = Fastify({ logger: true });
closeWithGrace({ delay: 10_000 }, async () => { await app.close(); });
await app.listen({ port: 3000 });`,
    },
    {
      name: "@godaddy/terminus around an http server",
      code: `import http from "node:http";
import { createTerminus } from "@godaddy/terminus";
const server = http.createServer(app);
createTerminus(server, { signals: ["SIGTERM"], onSignal: cleanup });
server.listen(3000);`,
    },
    {
      name: "signals registered in a loop over a literal list",
      code: `import express from "express";
const app = express();
const server = app.listen(3000);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => server.close());
}`,
    },
    {
      name: "fastify close awaited before exit",
      code: `import Fastify from "fastify";
const app = Fastify();
await app.listen({ port: 8080 });
process.on("SIGTERM", async () => {
  await app.close();
  process.exit(0);
});`,
    },
    {
      name: "server.close wrapped in a promise and awaited before exit",
      code: `import { createServer } from "node:net";
const server = createServer().listen(7000);
process.on("SIGTERM", async () => {
  await new Promise((resolve) => server.close(resolve));
  process.exit(0);
});`,
    },
    {
      name: "test file starts a server for supertest",
      filename: "app.test.ts",
      code: `import express from "express";\nconst app = express();\nconst server = app.listen(0);\nafterAll(() => server.close());`,
    },
    {
      name: "listen on something that is not a server (a message queue consumer)",
      code: `import { connect } from "./queue.js";\nconst consumer = connect("amqp://localhost");\nconsumer.listen("orders");`,
    },
    {
      name: "WebSocketServer attached to an http server (the http server is the listener)",
      code: `import { WebSocketServer } from "ws";
import http from "node:http";
const server = http.createServer();
const wss = new WebSocketServer({ server });
server.listen(8080);
process.on("SIGTERM", () => { wss.close(); server.close(); });`,
    },
    {
      name: "NestJS app with enableShutdownHooks",
      code: `import { NestFactory } from "@nestjs/core";
const app = await NestFactory.create(AppModule);
app.enableShutdownHooks();
await app.listen(3000);`,
    },
    {
      name: "custom shutdown module configured",
      options: { shutdownModules: ["@acme/lifecycle"] },
      code: `import express from "express";\nimport { onShutdown } from "@acme/lifecycle";\nconst app = express();\nonShutdown(() => {});\napp.listen(3000);`,
    },
    {
      name: "db.close then exit is not a server close",
      code: `import Database from "better-sqlite3";
const db = new Database("app.db");
process.on("SIGINT", () => {
  db.close();
  process.exit(0);
});`,
    },
    {
      name: "signal handler in an importer reached through an import cycle",
      filename: "server.ts",
      code: `import http from "node:http";\nimport { config } from "./main.js";\nhttp.createServer().listen(config.port);`,
      files: {
        "src/main.ts": `import "./server.js";\nexport const config = { port: 80 };\nprocess.once("SIGTERM", () => process.exitCode = 0);`,
      },
    },
    {
      name: "koa app via require with exit after close callback",
      filename: "case.js",
      code: `const Koa = require("koa");
const app = new Koa();
const server = app.listen(3000);
process.on("SIGTERM", () => {
  server.close((err) => process.exit(err ? 1 : 0));
});`,
    },
    {
      name: "library exports start() and no file of the run calls it",
      code: `import express from "express";\nexport function start(port: number) {\n  const app = express();\n  return app.listen(port);\n}`,
    },
    {
      name: "library method on the prototype of an exported constructor (module.exports = new Container())",
      filename: "container.js",
      code: `const net = require("net");
const Container = function (options) { this.options = options; };
Container.prototype.listen = function (options) {
  const server = net.createServer();
  server.on("connection", (socket) => this.accept(socket));
  server.listen(options);
  return server;
};
module.exports = new Container();`,
    },
    {
      name: "library class whose only importer is an ESM facade that re-exports it",
      filename: "application.js",
      code: `const http = require("http");
module.exports = class Application {
  listen(...args) {
    const server = http.createServer(this.callback());
    return server.listen(...args);
  }
};`,
      files: {
        "dist/koa.mjs": `import mod from "../src/application.js";\nexport default mod;\nexport const HttpError = mod.HttpError;`,
      },
    },
    {
      name: "CommonJS library exporting a listen helper",
      filename: "case.js",
      code: `const http = require("http");\nmodule.exports = { listen(port, handler) { return http.createServer(handler).listen(port); } };`,
    },
    {
      name: "helper server in a test directory",
      filename: "../test/helpers/server.ts",
      code: `import http from "node:http";\nexport const server = http.createServer(echo);\nserver.listen(0);`,
    },
    {
      name: "await once(process, 'SIGTERM') from node:events, then close",
      code: `import { once } from "node:events";
import { createServer } from "node:http";
const server = createServer(handler).listen(8080);
await once(process, "SIGTERM");
await new Promise((resolve) => server.close(resolve));`,
    },
    {
      name: "CommonJS app required from ./app with a SIGTERM handler closing the server",
      filename: "server.js",
      code: `const app = require("./app");
const server = app.listen(process.env.PORT || 3000);
process.on("SIGTERM", () => {
  server.close(() => process.exit(0));
});
module.exports = server;`,
      files: {
        "src/app.js": `const express = require("express");\nmodule.exports = express();`,
      },
    },
    {
      name: "free-port probe: listen on port 0 and close in the listen callback (bullmq getFreePort)",
      code: `import { createServer } from "node:net";
export const getFreePort = () =>
  new Promise<number>((resolve) => {
    const server = createServer();
    server.listen(0, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
const port = await getFreePort();
console.log(port);`,
    },
    {
      name: "SIGINT and SIGTERM both handled by one shutdown function",
      code: `import http from "node:http";\nconst server = http.createServer(handler);\nserver.listen(8080);\nfunction shutdown() { server.close(); }\nprocess.on("SIGINT", shutdown);\nprocess.on("SIGTERM", shutdown);`,
    },
    {
      name: "app handed over by a promise, the program handles SIGTERM",
      code: `import getServer from "./server/index.js";\ngetServer().then((app) => app.listen(8080));\nprocess.on("SIGTERM", () => process.exit(0));`,
    },
    {
      name: "SIGINT handler that only logs and exits, no SIGTERM: SIGTERM's default kill ends the process the same way",
      code: `import http from "node:http";\nconst server = http.createServer(handler);\nserver.listen(8080);\nprocess.on("SIGINT", () => {\n  console.log("bye");\n  process.exit(0);\n});`,
    },
    {
      name: "exported server factory of a module that handles SIGTERM itself",
      filename: "server.js",
      code: `const Http = require("http");\nprocess.on("SIGTERM", () => process.exit(0));\nfunction StandAloneServer(app) {\n  const start = () => Http.createServer(app).listen(8080);\n  return { start };\n}\nmodule.exports = StandAloneServer;`,
    },
    {
      name: "a listen on a promise-handed value that is not named like a server",
      code: `import connect from "./queue.js";\nconnect().then((queue) => queue.listen(8080));`,
    },
  ],
  invalid: [
    {
      name: "SIGINT handler stops the servers gracefully, SIGTERM not handled: docker stop skips the shutdown",
      code: `const Http = require("http");\nconst servers = [];\nprocess.on("SIGINT", function () {\n  for (const server of servers) server.stop(() => process.exit(0));\n});\nfunction StandAloneServer(app) {\n  const httpServer = Http.createServer(app);\n  servers.push(httpServer);\n  httpServer.listen(8080);\n}\nmodule.exports = StandAloneServer;`,
      filename: "server.js",
      errors: [{ messageId: "sigtermNotHandled", line: 9 }],
    },
    {
      name: "SIGINT handler closes the server, SIGTERM not handled (reported without requireSigterm)",
      code: `import http from "node:http";\nconst server = http.createServer(handler);\nserver.listen(8080);\nprocess.on("SIGINT", () => server.close());`,
      errors: [{ messageId: "sigtermNotHandled", line: 3 }],
    },
    {
      name: "SIGINT handled but SIGTERM not (docker stop kills mid-request)",
      code: `import http from "node:http";\nconst server = http.createServer(handler);\nserver.listen(8080);\nprocess.on("SIGINT", () => server.close());`,
      options: { requireSigterm: true },
      errors: [{ messageId: "sigtermNotHandled", line: 3 }],
    },
    {
      name: "exported server factory that handles SIGINT itself: the module owns the process, SIGTERM missing",
      code: `const Http = require("http");\nprocess.on("SIGINT", () => process.exit(0));\nfunction StandAloneServer(app) {\n  let httpServer = null;\n  function start() {\n    httpServer = Http.createServer(app);\n    httpServer.listen(8080);\n  }\n  return { start };\n}\nmodule.exports = StandAloneServer;`,
      filename: "server.js",
      options: { requireSigterm: true },
      errors: [{ messageId: "sigtermNotHandled", line: 7 }],
    },
    {
      name: "ESM one-liner: app from another module's promise listens on a port, no signal handled",
      code: `import getServer from "./server/index.js";\nimport client from "./client.js";\ngetServer(client).then((app) => app.listen(8080, "0.0.0.0"));`,
      errors: [{ messageId: "noSignalHandler", line: 3 }],
    },
    {
      name: "server variable declared null and assigned createServer later",
      code: `import http from "node:http";\nlet server: http.Server | null = null;\nexport function main() {\n  server = http.createServer(handler);\n  server.listen(3000);\n}\nmain();`,
      errors: [{ messageId: "noSignalHandler", line: 5 }],
    },
    {
      name: "express app listening with no signal handling anywhere",
      code: `import express from "express";
const app = express();
app.get("/health", (_req, res) => res.send("ok"));
app.listen(Number(process.env.PORT ?? 3000));`,
      errors: [{ messageId: "noSignalHandler", line: 4 }],
    },
    {
      name: "server in src/server.ts, main imports it, no handler anywhere",
      filename: "server.ts",
      code: `import express from "express";
export const app = express();
export function start(port: number) {
  return app.listen(port);
}`,
      files: {
        "src/main.ts": `import { start } from "./server.js";\nstart(3000);`,
      },
      errors: [{ messageId: "noSignalHandler", line: 4 }],
    },
    {
      name: "signal handled only by an unrelated worker entry point",
      filename: "server.ts",
      code: `import http from "node:http";\nhttp.createServer(handler).listen(8080);`,
      files: {
        "src/worker.ts": `process.on("SIGTERM", () => queue.stop());`,
      },
      errors: [{ messageId: "noSignalHandler", line: 2 }],
    },
    {
      name: "http.createServer chained with listen",
      code: `import { createServer } from "node:http";\ncreateServer((req, res) => res.end("ok")).listen(8080);`,
      errors: [{ messageId: "noSignalHandler", line: 2 }],
    },
    {
      name: "fastify listen awaited at top level",
      code: `import Fastify from "fastify";\nconst app = Fastify({ logger: true });\napp.get("/", async () => ({ ok: true }));\nawait app.listen({ port: 3000, host: "0.0.0.0" });`,
      errors: [{ messageId: "noSignalHandler", line: 4 }],
    },
    {
      name: "koa via require",
      filename: "case.js",
      code: `const Koa = require("koa");\nconst app = new Koa();\napp.use(async (ctx) => { ctx.body = "hi"; });\napp.listen(3000);`,
      errors: [{ messageId: "noSignalHandler", line: 4 }],
    },
    {
      name: "net server for a TCP protocol",
      code: `import net from "node:net";\nconst server = net.createServer((socket) => socket.pipe(socket));\nserver.listen(7000, () => console.log("listening"));`,
      errors: [{ messageId: "noSignalHandler", line: 3 }],
    },
    {
      name: "https server with TLS options",
      code: `import https from "node:https";\nimport fs from "node:fs";\nconst server = https.createServer({ key: fs.readFileSync("k"), cert: fs.readFileSync("c") }, app);\nserver.listen(443);`,
      errors: [{ messageId: "noSignalHandler", line: 4 }],
    },
    {
      name: "standalone WebSocketServer on a port",
      code: `import { WebSocketServer } from "ws";\nconst wss = new WebSocketServer({ port: 8081 });\nwss.on("connection", (ws) => ws.send("hi"));`,
      errors: [{ messageId: "noSignalHandler", line: 2 }],
    },
    {
      name: "express app imported from app.ts and started in main.ts",
      filename: "main.ts",
      code: `import { app } from "./app.js";\napp.listen(3000, () => console.log("up"));`,
      files: {
        "src/app.ts": `import express from "express";\nexport const app = express();\napp.use(express.json());`,
      },
      errors: [{ messageId: "noSignalHandler", line: 2 }],
    },
    {
      name: "app default-exported by another file",
      filename: "index.ts",
      code: `import app from "./app.js";\napp.listen(8080);`,
      files: {
        "src/app.ts": `import express from "express";\nconst app = express();\nexport default app;`,
      },
      errors: [{ messageId: "noSignalHandler", line: 2 }],
    },
    {
      name: "start function with a parameter typed Express, called at top level",
      code: `import type { Express } from "express";\nimport { buildApp } from "./app.js";\nfunction start(app: Express, port: number) {\n  app.listen(port);\n}\nstart(buildApp(), 3000);`,
      errors: [{ messageId: "noSignalHandler", line: 4 }],
    },
    {
      name: "SIGTERM handler delegating to a shutdown function that exits right after close",
      code: `import http from "node:http";
const server = http.createServer(app).listen(80);
function shutdown(signal: string) {
  console.log("got", signal);
  server.close();
  process.exit(0);
}
process.on("SIGTERM", () => shutdown("SIGTERM"));`,
      errors: [{ messageId: "exitBeforeClose", line: 6 }],
    },
    {
      name: "process.exit right after server.close in a SIGTERM handler",
      code: `import { createServer } from "node:http";
const server = createServer(handler).listen(8080);
process.on("SIGTERM", () => {
  server.close();
  process.exit(0);
});`,
      errors: [{ messageId: "exitBeforeClose", line: 5 }],
    },
    {
      name: "close with a logging callback, then immediate exit in a named handler",
      code: `import express from "express";
const app = express();
const server = app.listen(3000);
function shutdown() {
  server.close(() => console.log("closed"));
  process.exit(0);
}
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);`,
      errors: [{ messageId: "exitBeforeClose", line: 6 }],
    },
    {
      name: "fastify close not awaited before exit",
      code: `import Fastify from "fastify";
const fastify = Fastify();
await fastify.listen({ port: 3000 });
process.once("SIGTERM", async () => {
  fastify.close();
  await flushMetrics();
  process.exit(0);
});`,
      errors: [{ messageId: "exitBeforeClose", line: 7 }],
    },
    {
      name: "NestJS app listening without shutdown hooks",
      code: `import { NestFactory } from "@nestjs/core";\nasync function bootstrap() {\n  const app = await NestFactory.create(AppModule);\n  await app.listen(3000);\n}\nbootstrap();`,
      errors: [{ messageId: "noSignalHandler", line: 4 }],
    },
    {
      name: "SIGHUP handler does not count as shutdown handling",
      code: `import http from "node:http";\nconst server = http.createServer(app);\nprocess.on("SIGHUP", () => reloadConfig());\nserver.listen(80);`,
      errors: [{ messageId: "noSignalHandler", line: 4 }],
    },
    {
      name: "only a type-only import ties the handler module to the server",
      filename: "server.ts",
      code: `import http from "node:http";\nexport type Port = number;\nhttp.createServer(handler).listen(8080);`,
      files: {
        "src/cli.ts": `import type { Port } from "./server.js";\nconst port: Port = 1;\nprocess.on("SIGINT", () => process.exit(port));`,
      },
      errors: [{ messageId: "noSignalHandler", line: 3 }],
    },
    {
      name: "prototype method of a constructor the module does not export (an app's own server)",
      filename: "server.js",
      code: `const http = require("http");
function App() {}
App.prototype.start = function (port) {
  http.createServer(handler).listen(port);
};
new App().start(8080);`,
      errors: [{ messageId: "noSignalHandler", line: 4 }],
    },
    {
      name: "prototype method of an exported constructor that a file of the run imports and starts",
      filename: "container.js",
      code: `const net = require("net");
function Container() {}
Container.prototype.listen = function (port) {
  return net.createServer().listen(port);
};
module.exports = Container;`,
      files: {
        "src/main.js": `const Container = require("./container");\nnew Container().listen(5672);`,
      },
      errors: [{ messageId: "noSignalHandler", line: 4 }],
    },
    {
      name: "library class re-exported by a facade that a file of the run imports and starts",
      filename: "application.js",
      code: `const http = require("http");
module.exports = class Application {
  listen(...args) {
    const server = http.createServer(this.callback());
    return server.listen(...args);
  }
};`,
      files: {
        "src/index.mjs": `import mod from "./application.js";\nexport default mod;`,
        "src/main.mjs": `import Application from "./index.mjs";\nnew Application().listen(3000);`,
      },
      errors: [{ messageId: "noSignalHandler", line: 5 }],
    },
    {
      name: "entry module exports main() and also calls it",
      code: `import express from "express";
export async function main() {
  const app = express();
  app.listen(8080);
}
main().catch((error) => { console.error(error); process.exitCode = 1; });`,
      errors: [{ messageId: "noSignalHandler", line: 4 }],
    },
    {
      name: "CommonJS app required from ./app and started in server.js",
      filename: "server.js",
      code: `const app = require("./app");\nconst PORT = process.env.PORT || 3000;\napp.listen(PORT, () => console.log("ready"));`,
      files: {
        "src/app.js": `const express = require("express");\nconst app = express();\napp.get("/", (req, res) => res.send("hi"));\nmodule.exports = app;`,
      },
      errors: [{ messageId: "noSignalHandler", line: 3 }],
    },
    {
      name: "hono app served by @hono/node-server",
      code: `import { Hono } from "hono";\nimport { serve } from "@hono/node-server";\nconst app = new Hono();\nserve({ fetch: app.fetch, port: 3000 });`,
      errors: [{ messageId: "noSignalHandler", line: 4 }],
    },
    {
      name: "server that logs in its listen callback and is closed only on a later request",
      code: `import { createServer } from "node:http";
const server = createServer((req, res) => {
  if (req.url === "/quit") server.close();
  res.end("ok");
});
server.listen(8080, () => {
  console.log("listening");
});`,
      errors: [{ messageId: "noSignalHandler", line: 6 }],
    },
  ],
});
