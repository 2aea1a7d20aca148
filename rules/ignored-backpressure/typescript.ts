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
  getEnclosingFunction,
  identifiersNamed,
  isInside,
  isPerItemCallback,
  lineOf,
  memberName,
  repeatedEventListener,
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
  return isPerItemCallback(fn);
}

/**
 * How the statements after the write, in its own block, leave the loops around it: `return` or
 * `throw` leaves every loop of the function (the write runs at most once per call), an unlabelled
 * `break` leaves the innermost loop (unless a `switch` sits in between). `for (…) { if (match) {
 * sock.write(reply); return; } }` answers once: the loop searches, it does not produce.
 */
function exitAfterWrite(call: ts.CallExpression): { exits: "function" | "loop" } | undefined {
  const statement = outerExpression(call).parent;
  if (!statement || !ts.isExpressionStatement(statement) || !ts.isBlock(statement.parent)) return undefined;
  const block = statement.parent;
  const later = block.statements.slice(block.statements.indexOf(statement) + 1);
  if (later.some((next) => ts.isReturnStatement(next) || ts.isThrowStatement(next))) return { exits: "function" };
  if (later.some((next) => ts.isBreakStatement(next) && !next.label)) {
    for (let node: ts.Node = block.parent; node && !isFunctionNode(node); node = node.parent) {
      if (ts.isSwitchStatement(node)) return undefined;
      if (isLoop(node)) return { exits: "loop" };
    }
  }
  return undefined;
}

/** The loops that repeat this call within its function (a `forEach` callback counts as one), outermost last. */
function repeatingLoops(call: ts.CallExpression): { loops: ts.Node[]; scope: ts.Node } {
  const loops: ts.Node[] = [];
  // loops of the write's own function that are left right after it do not repeat it
  let exit = exitAfterWrite(call)?.exits;
  let previous: ts.Node = call;
  for (let node = call.parent; node; previous = node, node = node.parent) {
    if (isLoop(node) && previous === node.statement) {
      if (exit === "function") continue;
      if (exit === "loop") {
        exit = undefined;
        continue;
      }
      loops.push(node);
    }
    if (isFunctionNode(node)) {
      exit = undefined;
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

/**
 * `once(out, "drain")`, `out.once("drain", …)`, `out.on("drain", …)` anywhere in the scope; with
 * `orPause`, also a `source.pause()` (the producer is stopped while the buffer is full).
 */
function waitsForDrain(scope: ts.Node, orPause = false): boolean {
  let found = false;
  walk(scope, (node) => {
    if (found) return false;
    if (ts.isCallExpression(node)) {
      if (node.arguments.some((argument) => isStringLike(argument) && argument.text === "drain")) found = true;
      else if (orPause && memberName(unwrapExpression(node.expression)) === "pause") found = true;
    }
    return !found;
  });
  return found;
}

/** `function helper(…)` or `const helper = (…) => …`: the name and the node that declares it. */
function helperName(fn: ts.Node): { name: ts.Identifier; owner: ts.Node } | undefined {
  if (ts.isFunctionDeclaration(fn) && fn.name) return { name: fn.name, owner: fn };
  const parent = fn.parent;
  if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name))
    return { name: parent.name, owner: parent };
  return undefined;
}

/** A call whose result is dropped: `helper(out, row);` or `void helper(out, row)`. */
function isStatementCall(call: ts.CallExpression): boolean {
  const parent = outerExpression(call).parent;
  return ts.isExpressionStatement(parent) || ts.isVoidExpression(parent);
}

/** True when the write's receiver is declared inside `fn`: a stream opened per event is one write per destination. */
function receiverDeclaredIn(receiver: ts.Expression, fn: ts.Node): boolean {
  let root = unwrapExpression(receiver);
  while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root)) root = unwrapExpression(root.expression);
  if (!ts.isIdentifier(root)) return false;
  const declaration = findDeclaration(root);
  return !!declaration && isInside(declaration, fn);
}

/**
 * Does this loop iterate over the write's destinations? The receiver is the loop's own variable: the
 * element of a `for…of` (`for (const sock of socks) sock.write(buf)`) or the item parameter of a per-item
 * callback (`socks.forEach((sock) => sock.write(buf))`). Each turn writes to a different stream, once: a
 * broadcast, not a producer; whatever repeats the broadcast (an outer loop, a caller's loop, an event) is.
 */
function iteratesDestinations(loop: ts.Node, receiver: ts.Expression): boolean {
  const node = unwrapExpression(receiver);
  if (!ts.isIdentifier(node)) return false;
  const declaration = findDeclaration(node);
  if (!declaration) return false;
  if (ts.isForOfStatement(loop) || ts.isForInStatement(loop)) {
    const initializer = loop.initializer;
    return ts.isForOfStatement(loop) && ts.isVariableDeclarationList(initializer) && initializer.declarations[0] === declaration;
  }
  return isFunctionNode(loop) && (loop as ts.FunctionLikeDeclaration).parameters[0] === declaration;
}

type Producer =
  | { kind: "loop"; drainScopes: ts.Node[] }
  | { kind: "event"; event: string; drainScopes: ts.Node[] }
  | { kind: "helper"; helper: string; loop: ts.Node; drainScopes: ts.Node[] };

export default defineTypeScriptRule<Options>({
  instead:
    'Check the return value and wait for the buffer to drain (`if (!out.write(chunk)) await once(out, "drain")`), or let `stream.pipeline(Readable.from(source), out)` handle backpressure, as Tokio\'s `AsyncWriteExt::write_all` awaits the writer.',
  needsTypes: false,
  messages: {
    ignoredBackpressure:
      "`{{stream}}.write()` in a loop ignores its `false` return and never waits for 'drain': when the consumer is slower than the loop, every chunk piles up in memory.",
    perEvent:
      "`{{stream}}.write()` runs once per `'{{event}}'` event and ignores its `false` return, with no `pause()` of the source and no 'drain' handling: when the consumer is slower than the emitter, every chunk piles up in memory.",
    viaHelper:
      "`{{stream}}.write()` in `{{helper}}` runs once per item of the loop on line {{line}} and ignores its `false` return, never waiting for 'drain': when the consumer is slower than the loop, every item piles up in memory.",
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
    'Writes are checked when something repeats them: a loop or a per-item callback (`forEach`, `_.each`) in the same function, a loop around a call of a helper of the same file that does the write (one level, the helper\'s result dropped by the caller too), or a listener of a repeated event (`source.on("data", (chunk) => out.write(chunk))`, any event but lifecycle ones such as `end`, `close`, `error`). A write to a stream the listener opens itself is one write per destination and is not reported.',
    "A listener's write counts as handled when the function that registers the listener calls any `pause()` or listens for any `'drain'`.",
    "Without type information, writables are recognised by how they were created (`fs.createWriteStream`, `net.connect`, zlib, `http.request`, stream classes and classes of the file extending them), by type annotations, by `res`/`response` handler parameters and by names (`stream`, `socket`, `out`, `dest`, `…Stream`, `…Socket`); a custom object with a `write` method and such a name (a socket.io `socket`, whose `write` is `send`) is a false positive unless the type checker is on or the parameter is annotated.",
    "A loop over the destinations themselves (`for (const sock of socks) sock.write(buf)`, `socks.forEach((sock) => sock.write(buf))`: the receiver is the loop's variable) writes once per stream and is not a producer; a loop around it, or a loop around a call of its function in the same file, still is.",
    "A write followed in its own block by `return` or `throw` (or by an unlabelled `break`, for the innermost loop outside a `switch`) runs at most once per turn of the loops it leaves: a search loop that answers the match and stops (`for (const c of conns) if (c.port === port) { sock.write(reply); return; }`) is not a producer. Loops outside the write's function (a `forEach` the callback returns to, a caller's loop) still count.",
    "Any `'drain'` listener in the function is taken as waiting for drain.",
    "A loop paced by a timer (`await sleep(ms)` in its body, or `for await` over `timers/promises` `setInterval`) is taken as a heartbeat and not reported, though a peer that stops reading still lets its buffer grow slowly.",
    "An awaited `write()` is assumed to be a promise-returning writer (web streams, promisified sockets) and is not reported.",
  ],
  create(context) {
    const { checkStdio, smallLoopBound } = context.options;
    const isSmallOrPaced = (loop: ts.Node) => (isLoop(loop) && isSmallConstantLoop(loop, smallLoopBound)) || isPacedLoop(loop);

    /** A loop around a call of this helper, in this file, whose result the caller drops too. */
    function helperProducer(fn: ts.Node): Producer | undefined {
      const named = helperName(fn);
      if (!named) return undefined;
      for (const reference of identifiersNamed(context.sourceFile, named.name.text)) {
        if (reference === named.name || findDeclaration(reference) !== named.owner) continue;
        const call = outerExpression(reference).parent;
        if (
          !call ||
          !ts.isCallExpression(call) ||
          outerExpression(call.expression) !== outerExpression(reference) ||
          !isStatementCall(call)
        )
          continue;
        const { loops, scope } = repeatingLoops(call);
        if (loops.length === 0 || loops.every(isSmallOrPaced)) continue;
        return { kind: "helper", helper: named.name.text, loop: loops[0]!, drainScopes: [fn, scope] };
      }
      return undefined;
    }

    /** What repeats this write: a loop around it, the events of an emitter it listens to, or a loop around its helper. */
    function producerOf(call: ts.CallExpression, receiver: ts.Expression): Producer | undefined {
      const repeating = repeatingLoops(call);
      const { scope } = repeating;
      // the innermost loop runs over the destinations: one write per stream, not a producer
      const overDestinations = !!repeating.loops[0] && iteratesDestinations(repeating.loops[0], receiver);
      const loops = overDestinations ? repeating.loops.slice(1) : repeating.loops;
      if (loops.length > 0) return loops.every(isSmallOrPaced) ? undefined : { kind: "loop", drainScopes: [scope] };
      if (!isFunctionNode(scope)) return undefined;
      const listener = repeatedEventListener(scope);
      if (listener) {
        // a stream the listener opens itself is one write per destination; a broadcast to existing streams is not
        if (!overDestinations && receiverDeclaredIn(receiver, scope)) return undefined;
        const owner = getEnclosingFunction(listener.registration) ?? context.sourceFile;
        return { kind: "event", event: listener.event, drainScopes: [owner] };
      }
      return helperProducer(scope);
    }

    return {
      CallExpression(call) {
        const callee = unwrapExpression(call.expression);
        if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== "write") return;
        if (call.arguments.length === 0 || !resultIgnored(call)) return;
        const producer = producerOf(call, callee.expression);
        if (!producer) return;
        const verdict = receiverVerdict(callee.expression, context.getTypeChecker());
        if (verdict === "not-writable" || verdict === "unknown") return;
        if (verdict === "stdio" && !checkStdio) return;
        if (producer.drainScopes.some((scope) => waitsForDrain(scope, producer.kind === "event"))) return;
        const stream = dottedName(callee.expression) ?? "stream";
        if (producer.kind === "loop") context.report({ node: call, messageId: "ignoredBackpressure", data: { stream } });
        else if (producer.kind === "event") context.report({ node: call, messageId: "perEvent", data: { stream, event: producer.event } });
        else
          context.report({
            node: call,
            messageId: "viaHelper",
            data: { stream, helper: producer.helper, line: lineOf(producer.loop, context.sourceFile) },
          });
      },
    };
  },
});
