import {
  callDoesIo,
  isFileListing,
  isOnTransaction,
  runsInTransaction,
  findAncestor,
  loadsModule,
  usesOwnConnection,
  runsOnOwnConnection,
  resolveCalledFunction,
  countOrigin,
  INPUT_ORIGIN_TEXT,
  inputOrigin,
  collectAwaits,
  defineTypeScriptRule,
  dottedName,
  findDeclaration,
  functionValueOf,
  getEnclosingFunction,
  getPropertyValue,
  GLOBAL_MODULE,
  isApi,
  isAsyncFunction,
  isFunctionNode,
  isInside,
  isPromiseCall,
  lineOf,
  memberName,
  resolveApi,
  startsAsyncWork,
  ts,
  unwrapExpression,
  walk,
  type PromiseEnv,
} from "../../src/lint/api.js";

interface Options {
  maxFixedSize: number;
}

const COMBINATORS = new Set(["all", "allSettled", "any", "race"]);
const LIMITER_MODULES = new Set([
  "p-limit",
  "p-throttle",
  "bottleneck",
  "p-queue",
  "async-sema",
  "async-mutex",
  "@supercharge/promise-pool",
  "limiter",
]);
const LIMITER_METHODS = new Set(["acquire", "acquireAsync", "runExclusive", "withPermit", "schedule", "tryAcquire"]);
const LIMITER_NAME = /^(limit|limiter|throttle|throttled|sema|semaphore|pool|queue)$|(Limit|Limiter|Throttle|Semaphore|Queue)$/;
const LOOP_KINDS = new Set([
  ts.SyntaxKind.ForStatement,
  ts.SyntaxKind.ForOfStatement,
  ts.SyntaxKind.ForInStatement,
  ts.SyntaxKind.WhileStatement,
  ts.SyntaxKind.DoStatement,
]);

type Loop = ts.ForStatement | ts.ForOfStatement | ts.ForInStatement | ts.WhileStatement | ts.DoStatement;

function isLoop(node: ts.Node): node is Loop {
  return LOOP_KINDS.has(node.kind);
}

/** `Promise.all` / `allSettled` / `any` / `race`: the combinator's name, or undefined. */
function combinatorOf(call: ts.CallExpression): string | undefined {
  const method = memberName(unwrapExpression(call.expression));
  if (!method || !COMBINATORS.has(method)) return undefined;
  const ref = resolveApi(call.expression);
  if (!ref || ref.module !== GLOBAL_MODULE || ref.path.length !== 2 || ref.path[0] !== "Promise") return undefined;
  return COMBINATORS.has(ref.path[1]!) ? `Promise.${ref.path[1]}` : undefined;
}

/** The numeric value of a literal or of a `const` initialised with one. */
function constantNumber(expression: ts.Expression | undefined): number | undefined {
  if (!expression) return undefined;
  const node = unwrapExpression(expression);
  if (ts.isNumericLiteral(node)) return Number(node.text.replace(/_/g, ""));
  if (ts.isIdentifier(node)) {
    const declaration = findDeclaration(node);
    if (
      declaration &&
      ts.isVariableDeclaration(declaration) &&
      declaration.initializer &&
      (declaration.parent.flags & ts.NodeFlags.Const) !== 0
    ) {
      const init = unwrapExpression(declaration.initializer);
      if (ts.isNumericLiteral(init)) return Number(init.text.replace(/_/g, ""));
    }
  }
  return undefined;
}

/** `p(() => …)` where `p = pLimit(4)`, `sem.acquire()`, `limiter.schedule(…)`: a call that waits for a slot. */
function isLimiterCall(call: ts.CallExpression): boolean {
  const callee = unwrapExpression(call.expression);
  const name = memberName(callee) ?? (ts.isIdentifier(callee) ? callee.text : undefined);
  if (name && LIMITER_METHODS.has(name)) return true;
  const target = ts.isPropertyAccessExpression(callee) ? unwrapExpression(callee.expression) : callee;
  const targetName = ts.isIdentifier(target) ? target.text : ts.isPropertyAccessExpression(target) ? target.name.text : undefined;
  if (targetName && LIMITER_NAME.test(targetName)) return true;
  if (ts.isIdentifier(target)) {
    const declaration = findDeclaration(target);
    if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer) {
      const init = unwrapExpression(declaration.initializer);
      const factory = ts.isCallExpression(init) || ts.isNewExpression(init) ? init.expression : undefined;
      const ref = factory && resolveApi(factory);
      if (ref && LIMITER_MODULES.has(ref.module)) return true;
    }
  }
  return false;
}

function containsLimiterCall(root: ts.Node): boolean {
  let found = false;
  walk(root, (node) => {
    if (found) return false;
    if (ts.isCallExpression(node) && isLimiterCall(node)) found = true;
    return !found;
  });
  return found;
}

/** The identifier at the root of `a.b.c()` / `a[0].b()`, if any. */
function rootIdentifier(expression: ts.Expression): ts.Identifier | undefined {
  let node = unwrapExpression(expression);
  for (;;) {
    if (ts.isIdentifier(node)) return node;
    if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) node = unwrapExpression(node.expression);
    else if (ts.isCallExpression(node)) node = unwrapExpression(node.expression);
    else return undefined;
  }
}

/** Calls that end a resource's life rather than start one: they release sockets, descriptors or processes. */
const TEARDOWN_METHODS = new Set(["close", "destroy", "end", "kill", "terminate", "disconnect", "quit", "dispose", "unref"]);

/** `stopNode`, `closeConnection`, `destroySession`: a teardown verb followed by what it tears down. */
const TEARDOWN_PREFIX = /^(close|destroy|kill|terminate|disconnect|dispose|stop)[A-Z]/;

/** `c.close()`, `this.kill(child, "SIGTERM")`, `terminate(worker)`, `stopNode(node)`: a teardown, whatever it is called on. */
function isTeardownCall(call: ts.CallExpression): boolean {
  const callee = unwrapExpression(call.expression);
  const name = memberName(callee) ?? (ts.isIdentifier(callee) ? callee.text : undefined);
  return !!name && (TEARDOWN_METHODS.has(name) || name === "stop" || TEARDOWN_PREFIX.test(name));
}

/** True when a call operates on the callback's own element (`conn => conn.end()`): no new resource is opened. */
function callsOnElement(call: ts.CallExpression, fn: ts.FunctionLikeDeclaration): boolean {
  const callee = unwrapExpression(call.expression);
  if (!ts.isPropertyAccessExpression(callee) && !ts.isElementAccessExpression(callee)) return false;
  const root = rootIdentifier(callee.expression);
  if (!root) return false;
  const declaration = findDeclaration(root);
  return !!declaration && ts.isParameter(declaration) && declaration.parent === fn;
}

export default defineTypeScriptRule<Options>({
  instead:
    "Bound the fan-out: `p-limit` or `p-map` with `concurrency`, a semaphore acquired inside the callback, or batches of a constant size (`for (const batch of chunk(ids, 16)) await Promise.all(batch.map(load))`), as Tokio bounds spawned work with a `Semaphore`.",
  needsTypes: false,
  messages: {
    unboundedMap:
      "`{{combinator}}` starts the I/O for every element of `{{collection}}` ({{origin}}) at once, with no limit: a large input opens that many sockets or file descriptors together (EMFILE, an exhausted pool, rate limits).",
    unboundedLoop:
      "This loop over {{origin}} starts one promise per iteration into `{{array}}`, awaited together on line {{line}}, with no limit: a large input opens that many sockets or file descriptors together (EMFILE, an exhausted pool).",
  },
  options: {
    properties: {
      maxFixedSize: {
        type: "integer",
        minimum: 1,
        description:
          "Fan-outs over a constant size up to this many (`Array.from({ length: 8 })`, `for (let i = 0; i < 8; i++)`) are accepted as bounded: a constant chosen by the author is a limit.",
        default: 100,
      },
    },
    defaults: { maxFixedSize: 100 },
  },
  examples: {
    incorrect: [
      `import { readFile } from "node:fs/promises";\n\nexport async function loadAll(paths: string[]) {\n  return Promise.all(paths.map((path) => readFile(path, "utf8")));\n}`,
      `export async function notifyAll(userIds: string[]) {\n  const sends: Promise<Response>[] = [];\n  for (const id of userIds) {\n    sends.push(fetch(\`http://mailer/users/\${id}/notify\`, { method: "POST" }));\n  }\n  await Promise.all(sends);\n}`,
    ],
    correct: [
      `import pLimit from "p-limit";\nimport { readFile } from "node:fs/promises";\n\nconst limit = pLimit(16);\n\nexport async function loadAll(paths: string[]) {\n  return Promise.all(paths.map((path) => limit(() => readFile(path, "utf8"))));\n}`,
      `export async function page(id: string) {\n  const signal = AbortSignal.timeout(5_000);\n  const [user, orders] = await Promise.all([fetch(\`http://users/\${id}\`, { signal }), fetch(\`http://orders?user=\${id}\`, { signal })]);\n  return { user, orders };\n}`,
    ],
  },
  knownLimits: [
    "Only a collection shown to grow with the input is reported (positive evidence; anything else is taken as bounded). A collection is input-sized when it is traced (through `const` locals, destructuring, `await`, spread, `Array.from`, `Object.keys/values/entries`, `.filter`/`.map`/`.slice(start)`/`.concat`/`.sort` chains and a result's `rows`/`docs`/`items`) to: a listing of files (glob, globby, fast-glob, `fs.readdir`); the result of a query or find whose written-out arguments carry no `limit`/`take`/page size and whose builder chain has no `.limit()`/`.take()`/`.first()` (`readByQuery({ filter })`, `Model.findAll({ where })`, `pool.query(\"select … \")` without `LIMIT`, `find(q).toArray()`); what a request carries (`req.body`, `req.query`, `req.params`, `req.files`, `ctx.request.body`, hapi's `request.payload`, `await req.json()`); text split into lines; a broker's batch (`batch.messages`, `event.Records`, SQS `Messages`); the keys, values or entries of a Map, Set, array or object in a field or module variable that code outside the constructor adds to; or a list the function accepts from its caller (see the next point). A counted loop, `Array.from({ length: n })` or `while (queue.length)` is input-sized when its count is the `.length`/`.size` of such a collection or a number from a request; `Math.min(items.length, limit)` is bounded by `limit`, and a bare number (`concurrency`) is a worker count.",
    "A parameter's list is judged by the calls the file itself makes (`readAll(await readdir(dir))` is a listing, `pingAll([\"http://a\", \"http://b\"])` is a literal), also through `p.then(fn)` after a step that lists files. Only when the file never calls the function is an outside caller assumed: the parameter of an exported function (ES `export`, `module.exports`, `exports.x`) or of a method of an exported class (any method other than the constructor: a private one with no caller in view is called from code not in the file) counts as input-sized, unless the parameter is named as configuration (`options`, `config`, `settings`, `schema`, or a definition list such as `plugins`, `fields`, `include`, `migrations`). An exported function that other files of the run import (by a relative named import) is judged by what those calls pass instead, each argument judged in its own file: a helper that the package calls only with configured lists (an upload's image sizes) is not reported; one never imported within the run is the package's public API, and its callers are its users. Not input-sized: literals and module constants (also `Object.keys(CONST)` and `require()`d objects), configuration objects and their fields (`this.options.x`, `config.collections`, `upload.imageSizes`, `req.payload.config.collections` where Payload CMS hangs its configured instance on the request), schema and model definitions, a class's fields that its constructor assigns (the constructor's arguments are the object's settings), one entry of a parameter picked by a computed key (`doc[field.name]`), lists built from a fixed set, queries with a limit, per-address lists, the command line's arguments, and the variable of a loop over batches.",
    "Statements sent on one transaction or connection are not fan-out: a call on (or handed) a transaction named `trx`/`tx`/`transaction` (`trx(\"t\").del()`, `{ transaction }`, `{ knex: trx }`), a method of the linted files that runs on its object's `this.connection`, a call of a method on `this` in a class that holds one connection (one of its methods reads `this.connection`, `this.conn` or `this.databaseConnection`: TypeORM's query runners, whose `createIndices` maps `this.createIndex`), or anything inside a method decorated `@Transaction()`/`@Transactional()` (also compiled to `__decorate`, as in Vendure's resolvers), queues behind the others. A function of the linted files that makes a dynamic `import()` is module loading, not I/O per item.",
    "Calls on the element itself (`conns.map((c) => c.end())`) are not reported: they act on resources already open rather than opening new ones.",
    "Calls named like a teardown (`close`, `destroy`, `end`, `kill`, `terminate`, `disconnect`, `quit`, `dispose`, `unref`, `stop`, or one of `close`/`destroy`/`kill`/`terminate`/`disconnect`/`dispose`/`stop` followed by a noun: `stopNode`, `closeConnection`) are taken as releasing resources and are not reported, also when the element is an argument (`children.map((c) => this.kill(c))`) or the call goes over the network.",
    "Calls are followed for I/O (up to three calls deep, into functions of the linted files: same file, relative imports, or wherever the type checker resolves them): a call into fs, net, http, child_process, `fetch` or a common HTTP client, or a promisified one (`pify(fs.readFile)`), counts as I/O; synchronous `*Sync` calls do not. An async function of the linted files that awaits only promises that already exist (a value looked up with `get`, a stored promise) and returns no call, or has no `await` at all, is taken as in-memory work and not reported (a cache sweep over its keys, an async `add` that sets a map entry); one that awaits or returns any call still counts, so mapping an async method that builds data in memory through other async calls (BullMQ's `addNode`) is still reported, and so is a limiter's own implementation mapping its `add` (p-queue's `addAll`).",
    "A listing of files (the result of glob, globby, fast-glob or `fs.readdir`) counts as input-sized, and a callback that hands each entry to a call it returns or awaits counts as doing file I/O even when that call cannot be followed.",
    "An async callback counts as I/O when it awaits or returns any call (its async-ness is the evidence); a plain callback, and a promise pushed in a loop, only when the call is known to give a promise: a well-known promise API, an async function or method of the linted files, or per the type checker. Without types, `ids.map((id) => db.find(id))` is therefore not reported.",
    "A loop that awaits anything in its body is taken as throttled and not reported, even when the await does not bound the promises it starts.",
    "Limiters are recognised by import (p-limit, p-queue, bottleneck, async-sema, async-mutex), by method (`acquire`, `runExclusive`, `withPermit`, `schedule`) and by name (`limit`, `limiter`, `semaphore`, `pool`, `queue`): a call through an object named `pool` or `queue` (a pg or worker pool, a p-queue) counts as bounded, since those queue beyond their size.",
    "Test files are not checked by default: the presets turn this rule off for the `test` file role (see File roles in the README); turn it back on with `overrides`.",
    "Waiting for events or timers (`events.once`, `timers/promises`) holds no socket or descriptor and is not reported.",
  ],
  create(context) {
    const env: PromiseEnv = { getTypeChecker: () => context.getTypeChecker(), program: context.program, filePath: context.filePath };
    const maxFixed = context.options.maxFixedSize;

    /**
     * Why the collection grows with the input, as a phrase for the message (`a listing of files on
     * disk`), or undefined when nothing shows that it does: only positive evidence is reported.
     */
    function collectionOrigin(collection: ts.Expression): string | undefined {
      const node = unwrapExpression(collection);
      // the array-like of Array.from({ length: n }, …)
      if (ts.isObjectLiteralExpression(node)) return countText(getPropertyValue(node, "length"));
      if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
        const ref = resolveApi(node.expression);
        // Array(n), new Array(n)
        if (isApi(ref, GLOBAL_MODULE, "Array")) return countText(node.arguments?.[0]);
        if (isApi(ref, GLOBAL_MODULE, "Array", "of")) return undefined;
      }
      const origin = inputOrigin(collection, context.program);
      return origin && INPUT_ORIGIN_TEXT[origin];
    }

    /** A count of promises to start: a constant above `maxFixedSize`, or a size read from the input. */
    function countText(count: ts.Expression | undefined): string | undefined {
      if (!count) return undefined;
      const constant = constantNumber(count);
      if (constant !== undefined) return constant > maxFixed ? `a constant count above \`maxFixedSize\` (${maxFixed})` : undefined;
      const origin = countOrigin(count);
      return origin && `a count taken from ${INPUT_ORIGIN_TEXT[origin]}`;
    }

    /** The values a callback's promise settles with: what it returns, and (when async) what it awaits. */
    function resultExpressions(fn: ts.FunctionLikeDeclaration): ts.Expression[] {
      const body = fn.body;
      if (!body) return [];
      const returned: ts.Expression[] = [];
      if (ts.isBlock(body)) {
        walk(body, (node) => {
          if (node !== body && isFunctionNode(node)) return false;
          if (ts.isReturnStatement(node) && node.expression) returned.push(node.expression);
          return true;
        });
      } else {
        returned.push(body as ts.Expression);
      }
      const awaited = isAsyncFunction(fn)
        ? collectAwaits(body)
            .filter((node): node is ts.AwaitExpression => ts.isAwaitExpression(node))
            .map((node) => node.expression)
        : [];
      return [...awaited, ...returned];
    }

    /**
     * Does this callback start I/O? An async callback that awaits or returns a call (its own async-ness is
     * the evidence), or a plain callback that returns a call known to give a promise (a well-known API, an
     * async function of the run, or the type checker), or a call that does network, file or process I/O
     * (followed into the functions of the linted files). Limiter slots, calls on the element itself and
     * waits for events or timers do not count.
     */
    function startsIo(fn: ts.FunctionLikeDeclaration): boolean {
      if (!fn.body) return false;
      if (containsLimiterCall(fn.body)) return false;
      const isAsync = isAsyncFunction(fn);
      return resultExpressions(fn).some((expression) => expressionStartsIo(expression, fn, isAsync));
    }

    /**
     * For a listing of files: does the callback hand its element to a call it returns or awaits
     * (`files.map((file) => replaceAlias(config, file))`)? Per file of a directory, that is file I/O.
     */
    function passesElementToCall(fn: ts.FunctionLikeDeclaration): boolean {
      const parameter = fn.parameters[0];
      if (!fn.body || !parameter || !ts.isIdentifier(parameter.name) || containsLimiterCall(fn.body)) return false;
      return resultExpressions(fn).some((expression) => {
        let node = unwrapExpression(expression);
        if (ts.isAwaitExpression(node)) node = unwrapExpression(node.expression);
        if (!ts.isCallExpression(node) || isTeardownCall(node) || callsOnElement(node, fn)) return false;
        const ref = resolveApi(node.expression);
        if (ref && (ref.module === GLOBAL_MODULE || ref.module === "path")) return false;
        return node.arguments.some((argument) => {
          const value = unwrapExpression(argument);
          return ts.isIdentifier(value) && findDeclaration(value) === parameter;
        });
      });
    }

    function expressionStartsIo(
      expression: ts.Expression,
      fn: ts.FunctionLikeDeclaration | undefined,
      unknownCallsCount: boolean,
    ): boolean {
      const node = unwrapExpression(expression);
      if (ts.isAwaitExpression(node)) return expressionStartsIo(node.expression, fn, unknownCallsCount);
      if (!ts.isCallExpression(node)) return false;
      if ((fn && callsOnElement(node, fn)) || isTeardownCall(node)) return false;
      // loading modules (`plugins.map((name) => import(name))`) reads each file once into the module cache
      if (node.expression.kind === ts.SyntaxKind.ImportKeyword) return false;
      const ref = resolveApi(node.expression);
      if (ref && ref.module === GLOBAL_MODULE && ref.path[0] === "Promise") {
        // Promise.all(inner.map(…)) inside the callback: judged when that call is visited
        return false;
      }
      // waiting for an event or a timer holds no socket or file descriptor
      if (isApi(ref, "events", "once") || isApi(ref, "events", "EventEmitter", "once") || ref?.module === "timers/promises") return false;
      const callee = unwrapExpression(node.expression);
      const method = memberName(callee);
      if ((method === "then" || method === "catch" || method === "finally") && ts.isPropertyAccessExpression(callee)) {
        return expressionStartsIo(callee.expression, fn, unknownCallsCount);
      }
      // statements on one transaction run one after another on its single connection
      if (isOnTransaction(node)) return false;
      // a method of an object that holds one connection (a query runner) queues on that connection
      if (runsOnOwnConnection(node)) return false;
      // an async function of the linted files that only awaits promises that already exist (a cache
      // update, an in-memory registry) starts nothing per item
      const called = resolveCalledFunction(node, env);
      if (called && isAsyncFunction(called) && !startsAsyncWork(called, (inner) => resolveCalledFunction(inner, env))) return false;
      // a method that runs on its object's one connection queues there; a module loader opens nothing per item
      if (called && (usesOwnConnection(called) || loadsModule(called))) return false;
      const promise = isPromiseCall(node, env);
      if (promise === true || (promise === undefined && unknownCallsCount)) return true;
      return callDoesIo(node, (call) => resolveCalledFunction(call, env));
    }

    function checkMap(combinator: string, mapCall: ts.CallExpression, reportAt: ts.Node): void {
      const callee = unwrapExpression(mapCall.expression);
      const method = memberName(callee);
      let collection: ts.Expression | undefined;
      let callback: ts.FunctionLikeDeclaration | undefined;
      const ref = resolveApi(mapCall.expression);
      if (isApi(ref, GLOBAL_MODULE, "Array", "from") && mapCall.arguments.length >= 2) {
        collection = mapCall.arguments[0];
        callback = functionValueOf(mapCall.arguments[1]);
      } else if (
        (method === "map" || method === "flatMap") &&
        (ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee))
      ) {
        collection = callee.expression;
        callback = functionValueOf(mapCall.arguments[0]);
      }
      if (!collection || !callback) return;
      if (!startsIo(callback) && !(isFileListing(collection) && passesElementToCall(callback))) return;
      if (inTransactionMethod(mapCall)) return;
      const origin = collectionOrigin(collection);
      if (!origin) return;
      context.report({ node: reportAt, messageId: "unboundedMap", data: { combinator, collection: describe(collection), origin } });
    }

    function describe(expression: ts.Expression): string {
      const node = unwrapExpression(expression);
      const name = dottedName(node);
      if (name) return name;
      const text = node.getText(context.sourceFile).replace(/\s+/g, " ");
      return text.length > 40 ? `${text.slice(0, 37)}...` : text;
    }

    /** `const jobs = items.map(async …)` handed to `Promise.all(jobs)`: the `.map` call, if any. */
    function storedMap(identifier: ts.Identifier): ts.CallExpression | undefined {
      const declaration = findDeclaration(identifier);
      if (!declaration || !ts.isVariableDeclaration(declaration) || !declaration.initializer) return undefined;
      const init = unwrapExpression(declaration.initializer);
      return ts.isCallExpression(init) ? init : undefined;
    }

    function checkLoopPushes(combinator: string, all: ts.CallExpression, array: ts.Identifier): void {
      const declaration = findDeclaration(array);
      if (!declaration || !ts.isVariableDeclaration(declaration) || !declaration.initializer) return;
      const init = unwrapExpression(declaration.initializer);
      const isEmptyArray =
        (ts.isArrayLiteralExpression(init) && init.elements.length === 0) ||
        (ts.isNewExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === "Array" && !init.arguments?.length);
      if (!isEmptyArray) return;
      const fn = getEnclosingFunction(all);
      const scope: ts.Node = fn?.body ?? context.sourceFile;
      walk(scope, (node) => {
        if (node !== scope && isFunctionNode(node)) return false;
        if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression) || node.expression.name.text !== "push")
          return true;
        const target = unwrapExpression(node.expression.expression);
        if (!ts.isIdentifier(target) || target.text !== array.text || findDeclaration(target) !== declaration) return true;
        if (node.pos > all.pos) return true;
        const loop = enclosingLoop(node, scope);
        if (!loop || collectAwaits(loop.statement).length > 0) return true;
        const pushed = node.arguments[0];
        if (!pushed || !pushedStartsIo(pushed, loop)) return true;
        const origin = loopOrigin(loop);
        if (!origin || inTransactionMethod(node)) return true;
        context.report({
          node,
          messageId: "unboundedLoop",
          data: { array: array.text, line: lineOf(all, context.sourceFile), combinator, origin },
        });
        return true;
      });
    }

    function pushedStartsIo(pushed: ts.Expression, loop: Loop): boolean {
      const node = unwrapExpression(pushed);
      if (containsLimiterCall(node)) return false;
      if (!ts.isCallExpression(node)) return false;
      const callee = unwrapExpression(node.expression);
      if (isFunctionNode(callee)) return startsIo(callee); // (async () => { … })()
      if (callsOnLoopElement(callee, loop)) return false;
      return expressionStartsIo(node, undefined, false);
    }

    /** `for (const client of clients) closing.push(client.close())`: acting on resources already open. */
    function callsOnLoopElement(callee: ts.Expression, loop: Loop): boolean {
      if (!ts.isPropertyAccessExpression(callee) && !ts.isElementAccessExpression(callee)) return false;
      const root = rootIdentifier(callee.expression);
      const declaration = root && findDeclaration(root);
      return !!declaration && (ts.isVariableDeclaration(declaration) || ts.isBindingElement(declaration)) && isInside(declaration, loop);
    }

    function enclosingLoop(node: ts.Node, scope: ts.Node): Loop | undefined {
      for (let current = node.parent; current && current !== scope; current = current.parent) {
        if (isLoop(current) && !(ts.isForOfStatement(current) && current.awaitModifier)) return current;
      }
      return undefined;
    }

    /** Inside a method decorated `@Transaction()`: its queries share the request's one query runner. */
    function inTransactionMethod(node: ts.Node): boolean {
      const method = findAncestor(node, ts.isMethodDeclaration);
      return !!method && runsInTransaction(method);
    }

    /** What the loop iterates over, when that grows with the input (see `collectionOrigin`). */
    function loopOrigin(loop: Loop): string | undefined {
      if (ts.isForOfStatement(loop) || ts.isForInStatement(loop)) return collectionOrigin(loop.expression);
      const condition = ts.isForStatement(loop) ? loop.condition : loop.expression;
      if (!condition) return undefined;
      if (ts.isForStatement(loop) && ts.isBinaryExpression(condition)) {
        const kind = condition.operatorToken.kind;
        if (kind === ts.SyntaxKind.LessThanToken || kind === ts.SyntaxKind.LessThanEqualsToken) return countText(condition.right);
      }
      const origin = countOrigin(condition);
      return origin && `a count taken from ${INPUT_ORIGIN_TEXT[origin]}`;
    }

    // a test's fan-out over its fixtures exhausts nothing in production
    return {
      CallExpression(call) {
        const combinator = combinatorOf(call);
        if (!combinator) return;
        const argument = call.arguments[0] && unwrapExpression(call.arguments[0]);
        if (!argument) return;
        if (ts.isCallExpression(argument)) {
          checkMap(combinator, argument, argument);
        } else if (ts.isIdentifier(argument)) {
          const mapped = storedMap(argument);
          if (mapped) checkMap(combinator, mapped, mapped);
          else checkLoopPushes(combinator, call, argument);
        }
      },
    };
  },
});
