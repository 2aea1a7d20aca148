import {
  defineTypeScriptRule,
  dottedName,
  findDeclaration,
  getInitializer,
  GLOBAL_MODULE,
  isApi,
  isFunctionNode,
  isStringLike,
  resolveApi,
  ts,
  unwrapExpression,
  walk,
  type ApiRef,
  outerExpression,
  isTimerApi,
  isPromiseTimer,
} from "../../src/lint/api.js";

interface Options {
  checkStdio: boolean;
  smallLoopBound: number;
}

/** Last segment names that mean a writable stream in practice. */
const WRITABLE_NAMES = new Set(["stream", "socket", "writable", "out", "output", "dest", "destination", "sink", "sock", "gzip", "gz"]);
/** camelCase suffixes: fileStream, tcpSocket, outWritable. */
const WRITABLE_SUFFIX = /[a-z0-9](Stream|Socket|Writable|Sink)$/;
/** Names that are streams but not ones you write to. */
const READABLE_PREFIX = /^(read|input|in|src|source|readable)[A-Z]|^(readable|input|source|src)$/;
/** Type annotations of Node writables (and their common aliases). */
const WRITABLE_TYPE =
  /\b(Writable|WriteStream|WritableStream|Socket|TLSSocket|Duplex|Transform|PassThrough|ServerResponse|Response|ClientRequest|Http2ServerResponse|Gzip|BrotliCompress|Deflate)\b/;
const HANDLER_RESPONSE_NAMES = new Set(["res", "response"]);

/** Calls whose result is a Node writable stream. */
function createsWritable(ref: ApiRef | undefined): boolean {
  if (!ref) return false;
  const last = ref.path[ref.path.length - 1];
  switch (ref.module) {
    case "fs":
      return last === "createWriteStream";
    case "net":
      return last === "connect" || last === "createConnection" || last === "Socket";
    case "tls":
      return last === "connect" || last === "TLSSocket";
    case "zlib":
      return !!last && /^create(Gzip|Gunzip|Deflate|DeflateRaw|Inflate|InflateRaw|Unzip|BrotliCompress|BrotliDecompress)$/.test(last);
    case "http":
    case "https":
      return last === "request";
    case "stream":
      return last === "PassThrough" || last === "Writable" || last === "Duplex" || last === "Transform";
    default:
      return false;
  }
}

function isStdio(ref: ApiRef | undefined): boolean {
  return (
    isApi(ref, GLOBAL_MODULE, "process", "stdout") ||
    isApi(ref, GLOBAL_MODULE, "process", "stderr") ||
    isApi(ref, "process", "stdout") ||
    isApi(ref, "process", "stderr")
  );
}

type Verdict = "writable" | "stdio" | "not-writable" | "unknown";

function verdictOfInitializer(init: ts.Expression): Verdict {
  let node = unwrapExpression(init);
  if (ts.isAwaitExpression(node)) node = unwrapExpression(node.expression);
  if (isStdio(resolveApi(node))) return "stdio";
  if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
    const ref = resolveApi(node.expression);
    if (createsWritable(ref)) return "writable";
    const callee = unwrapExpression(node.expression);
    // fileHandle.createWriteStream()
    if (ts.isPropertyAccessExpression(callee) && callee.name.text === "createWriteStream") return "writable";
    if (ts.isNewExpression(node)) return ts.isIdentifier(callee) && extendsNodeStream(callee) ? "writable" : "not-writable";
    return "unknown";
  }
  if (ts.isPropertyAccessExpression(node) && node.name.text === "stdin") return "writable";
  if (ts.isObjectLiteralExpression(node) || ts.isArrayLiteralExpression(node) || ts.isLiteralExpression(node)) return "not-writable";
  return "unknown";
}

/** `new Upper()` where `class Upper extends Transform` (or Writable, Duplex, PassThrough from node:stream) in this file. */
function extendsNodeStream(name: ts.Identifier): boolean {
  const declaration = findDeclaration(name);
  if (!declaration || !ts.isClassDeclaration(declaration)) return false;
  return !!declaration.heritageClauses?.some(
    (clause) => clause.token === ts.SyntaxKind.ExtendsKeyword && clause.types.some((type) => createsWritable(resolveApi(type.expression))),
  );
}

function verdictOfTypeAnnotation(declaration: ts.Node): Verdict {
  if ((ts.isParameter(declaration) || ts.isVariableDeclaration(declaration) || ts.isPropertyDeclaration(declaration)) && declaration.type) {
    return WRITABLE_TYPE.test(declaration.type.getText()) ? "writable" : "not-writable";
  }
  return "unknown";
}

function nameVerdict(name: string): Verdict {
  if (READABLE_PREFIX.test(name)) return "not-writable";
  if (WRITABLE_NAMES.has(name) || WRITABLE_SUFFIX.test(name)) return "writable";
  return "unknown";
}

/** What the checker says about `receiver.write`: writable when it returns boolean (Node's backpressure signal). */
function verdictOfType(checker: ts.TypeChecker | undefined, receiver: ts.Expression): Verdict {
  if (!checker) return "unknown";
  try {
    const type = checker.getTypeAtLocation(receiver);
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return "unknown";
    const write = type.getProperty("write");
    if (!write) return "unknown";
    const signatures = checker.getTypeOfSymbol(write).getCallSignatures();
    if (signatures.length === 0) return "unknown";
    const returnsBoolean = signatures.every((signature) => checker.getReturnTypeOfSignature(signature).flags & ts.TypeFlags.BooleanLike);
    return returnsBoolean ? "writable" : "not-writable";
  } catch {
    return "unknown";
  }
}

function receiverVerdict(receiver: ts.Expression, checker: ts.TypeChecker | undefined): Verdict {
  const node = unwrapExpression(receiver);
  // before the type: process.stdout is a writable by type too, and the checkStdio option decides it
  if (isStdio(resolveApi(node))) return "stdio";
  const typed = verdictOfType(checker, receiver);
  if (typed !== "unknown") return typed;
  if (ts.isPropertyAccessExpression(node) && node.name.text === "stdin" && !isApi(resolveApi(node), GLOBAL_MODULE, "process", "stdin"))
    return "writable";
  if (ts.isCallExpression(node) || ts.isNewExpression(node)) return verdictOfInitializer(node);
  const init = getInitializer(node);
  if (init) {
    const verdict = verdictOfInitializer(init);
    if (verdict !== "unknown") return verdict;
  }
  if (ts.isIdentifier(node)) {
    const declaration = findDeclaration(node);
    if (declaration) {
      const annotated = verdictOfTypeAnnotation(declaration);
      if (annotated !== "unknown") return annotated;
      if (ts.isParameter(declaration) && HANDLER_RESPONSE_NAMES.has(node.text)) return "writable";
    }
  }
  const name = dottedName(node);
  const last = name?.split(".").pop();
  return last ? nameVerdict(last) : "unknown";
}

/** True when the `write(...)` result is dropped: a statement on its own, `void`ed, or the body of a `forEach` arrow. */
function resultIgnored(call: ts.CallExpression): boolean {
  const node = outerExpression(call);
  const parent = node.parent;
  if (ts.isArrowFunction(parent) && parent.body === node) return isForEachCallback(parent);
  return ts.isExpressionStatement(parent) || ts.isVoidExpression(parent);
}

function isLoop(node: ts.Node): node is ts.IterationStatement {
  return (
    ts.isForStatement(node) || ts.isForOfStatement(node) || ts.isForInStatement(node) || ts.isWhileStatement(node) || ts.isDoStatement(node)
  );
}

/** `for (let i = 0; i < 4; i++)` or `for (const x of [a, b])`: a loop that cannot outrun the consumer by much. */
function isSmallConstantLoop(loop: ts.IterationStatement, bound: number): boolean {
  if (ts.isForStatement(loop)) {
    const condition = loop.condition && unwrapExpression(loop.condition);
    if (!condition || !ts.isBinaryExpression(condition)) return false;
    const operator = condition.operatorToken.kind;
    if (operator !== ts.SyntaxKind.LessThanToken && operator !== ts.SyntaxKind.LessThanEqualsToken) return false;
    const limit = unwrapExpression(condition.right);
    return ts.isNumericLiteral(limit) && Number(limit.text.replace(/_/g, "")) <= bound;
  }
  if (ts.isForOfStatement(loop)) {
    let iterated = unwrapExpression(loop.expression);
    if (ts.isIdentifier(iterated)) iterated = getInitializer(iterated) ?? iterated;
    return ts.isArrayLiteralExpression(iterated) && iterated.elements.length <= bound && !iterated.elements.some(ts.isSpreadElement);
  }
  return false;
}

const SLEEP_NAMES = new Set(["sleep", "delay", "wait", "setTimeout"]);

function isTimerWait(expression: ts.Expression): boolean {
  const node = unwrapExpression(expression);
  if (ts.isCallExpression(node)) {
    const ref = resolveApi(node.expression);
    if (isPromiseTimer(ref)) return true;
    const callee = unwrapExpression(node.expression);
    return ts.isIdentifier(callee) && SLEEP_NAMES.has(callee.text);
  }
  if (ts.isNewExpression(node) && node.arguments?.[0]) {
    let found = false;
    walk(node.arguments[0], (child) => {
      if (found) return false;
      if (ts.isCallExpression(child) && isTimerApi(resolveApi(child.expression), "setTimeout")) found = true;
      return !found;
    });
    return found;
  }
  return false;
}

/**
 * A loop paced by a timer (`for await (const _ of setInterval(1000))`, `await sleep(1000)` each turn):
 * a heartbeat writer, which cannot outrun a reader by more than a chunk per period.
 */
function isPacedLoop(loop: ts.Node): boolean {
  if (ts.isForOfStatement(loop) && loop.awaitModifier && ts.isCallExpression(unwrapExpression(loop.expression))) {
    const ref = resolveApi((unwrapExpression(loop.expression) as ts.CallExpression).expression);
    if (isApi(ref, "timers/promises", "setInterval")) return true;
  }
  if (!isLoop(loop)) return false;
  let paced = false;
  walk(loop.statement, (node) => {
    if (paced || isFunctionNode(node)) return false;
    if (ts.isAwaitExpression(node) && isTimerWait(node.expression)) paced = true;
    return !paced;
  });
  return paced;
}

function isForEachCallback(fn: ts.Node): boolean {
  const parent = fn.parent;
  return (
    !!parent &&
    ts.isCallExpression(parent) &&
    parent.arguments[0] === fn &&
    ts.isPropertyAccessExpression(parent.expression) &&
    parent.expression.name.text === "forEach"
  );
}

/** The loops that repeat this call within its function (a `forEach` callback counts as one), outermost last. */
function repeatingLoops(call: ts.CallExpression): { loops: ts.Node[]; scope: ts.Node } {
  const loops: ts.Node[] = [];
  let previous: ts.Node = call;
  for (let node = call.parent; node; previous = node, node = node.parent) {
    if (isLoop(node) && previous === node.statement) loops.push(node);
    if (isFunctionNode(node)) {
      if (isForEachCallback(node)) {
        loops.push(node);
        continue;
      }
      return { loops, scope: node };
    }
    if (ts.isSourceFile(node)) return { loops, scope: node };
  }
  return { loops, scope: call.getSourceFile() };
}

/** `once(out, "drain")`, `out.once("drain", …)`, `out.on("drain", …)` anywhere in the scope. */
function waitsForDrain(scope: ts.Node): boolean {
  let found = false;
  walk(scope, (node) => {
    if (found) return false;
    if (ts.isCallExpression(node) && node.arguments.some((argument) => isStringLike(argument) && argument.text === "drain")) found = true;
    return !found;
  });
  return found;
}

export default defineTypeScriptRule<Options>({
  instead:
    'Check the return value and wait for the buffer to drain (`if (!out.write(chunk)) await once(out, "drain")`), or let `stream.pipeline(Readable.from(source), out)` handle backpressure, as Tokio\'s `AsyncWriteExt::write_all` awaits the writer.',
  needsTypes: false,
  messages: {
    ignoredBackpressure:
      "`{{stream}}.write()` in a loop ignores its `false` return and never waits for 'drain': when the consumer is slower than the loop, every chunk piles up in memory.",
  },
  options: {
    properties: {
      checkStdio: {
        description:
          "Also report loops writing to `process.stdout`/`process.stderr`. Off by default: on POSIX those writes are synchronous for files and terminals, and most CLI output is small; they buffer only when stdout is a pipe.",
        type: "boolean",
        default: false,
      },
      smallLoopBound: {
        description: "Loops with a constant bound up to this many iterations (`i < 4`, `of [a, b]`) are not reported.",
        type: "integer",
        minimum: 0,
        default: 100,
      },
    },
    defaults: { checkStdio: false, smallLoopBound: 100 },
  },
  examples: {
    incorrect: [
      `import { createWriteStream } from "node:fs";\n\nexport async function exportRows(rows: AsyncIterable<string[]>, path: string) {\n  const out = createWriteStream(path);\n  for await (const row of rows) {\n    out.write(row.join(",") + "\\n");\n  }\n  out.end();\n}`,
      `import { createServer } from "node:http";\n\ncreateServer((req, res) => {\n  for (const event of history) {\n    res.write(\`data: \${JSON.stringify(event)}\\n\\n\`);\n  }\n}).listen(8080);`,
    ],
    correct: [
      `import { createWriteStream } from "node:fs";\nimport { once } from "node:events";\n\nexport async function exportRows(rows: AsyncIterable<string[]>, path: string) {\n  const out = createWriteStream(path);\n  for await (const row of rows) {\n    if (!out.write(row.join(",") + "\\n")) await once(out, "drain", { signal: AbortSignal.timeout(30_000) });\n  }\n  out.end();\n}`,
      `import { createWriteStream } from "node:fs";\nimport { Readable } from "node:stream";\nimport { pipeline } from "node:stream/promises";\n\nexport async function exportRows(rows: AsyncIterable<string[]>, path: string) {\n  await pipeline(\n    Readable.from(rows, { objectMode: true }).map((row: string[]) => row.join(",") + "\\n"),\n    createWriteStream(path),\n  );\n}`,
    ],
  },
  knownLimits: [
    'Only writes repeated by a loop (or a `forEach` callback) in the same function are checked; `source.on("data", (chunk) => out.write(chunk))` also ignores backpressure but is not reported.',
    "Without type information, writables are recognised by how they were created (`fs.createWriteStream`, `net.connect`, zlib, `http.request`, stream classes and classes of the file extending them), by type annotations, by `res`/`response` handler parameters and by names (`stream`, `socket`, `out`, `dest`, `…Stream`, `…Socket`); a custom object with a `write` method and such a name (a socket.io `socket`, whose `write` is `send`) is a false positive unless the type checker is on or the parameter is annotated.",
    "Any `'drain'` listener in the function is taken as waiting for drain.",
    "A loop paced by a timer (`await sleep(ms)` in its body, or `for await` over `timers/promises` `setInterval`) is taken as a heartbeat and not reported, though a peer that stops reading still lets its buffer grow slowly.",
    "An awaited `write()` is assumed to be a promise-returning writer (web streams, promisified sockets) and is not reported.",
  ],
  create(context) {
    const { checkStdio, smallLoopBound } = context.options;
    return {
      CallExpression(call) {
        const callee = unwrapExpression(call.expression);
        if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== "write") return;
        if (call.arguments.length === 0 || !resultIgnored(call)) return;
        const { loops, scope } = repeatingLoops(call);
        if (loops.length === 0) return;
        if (loops.every((loop) => (isLoop(loop) && isSmallConstantLoop(loop, smallLoopBound)) || isPacedLoop(loop))) return;
        const verdict = receiverVerdict(callee.expression, context.getTypeChecker());
        if (verdict === "not-writable" || verdict === "unknown") return;
        if (verdict === "stdio" && !checkStdio) return;
        if (waitsForDrain(scope)) return;
        context.report({ node: call, messageId: "ignoredBackpressure", data: { stream: dottedName(callee.expression) ?? "stream" } });
      },
    };
  },
});
