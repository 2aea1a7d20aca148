import {
  enclosingClass,
  isAsyncFunction,
  calleeName,
  canReject,
  functionCanReject,
  hasUnhandledRejectionHandler,
  defineTypeScriptRule,
  dottedName,
  findDeclaration,
  GLOBAL_MODULE,
  getInitializer,
  getPropertyValue,
  hasRejectionHandler,
  isApi,
  isFunctionNode,
  isInside,
  isCallOfAwaitedModule,
  isNativePromiseTyped,
  isPromiseExpression,
  lineOf,
  listenerRegistration,
  memberName,
  resolveApi,
  resolveCalledFunction,
  returnsPromise,
  serverFactoryOf,
  functionValueOf,
  ts,
  unwrapExpression,
  walk,
  type PromiseEnv,
  hasExportModifier,
  identifiersNamed,
  isTestFile,
  rolePath,
  type Suggestion,
} from "../../src/lint/api.js";

interface Options {
  allowVoid: boolean;
}

/** `fetchUser`, `db.save`, `Promise.all`: how a promise-producing expression is named in messages. */
function describe(expression: ts.Expression): string {
  let node = unwrapExpression(expression);
  // name the operation, not the `.then`/`.finally` that follows it
  while (ts.isCallExpression(node)) {
    const callee = unwrapExpression(node.expression);
    const method = memberName(callee);
    if (
      (method === "then" || method === "finally" || method === "catch") &&
      (ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee))
    ) {
      node = unwrapExpression(callee.expression);
      continue;
    }
    if (isFunctionNode(callee)) return "this async IIFE";
    return dottedName(callee) ?? calleeName(node) ?? "this call";
  }
  if (ts.isNewExpression(node)) return `new ${dottedName(node.expression) ?? "Promise"}`;
  return dottedName(node) ?? "this expression";
}

/**
 * The callback form of a dual API, known from the checker: the call passes a function as its last
 * argument and is typed as a union of a promise and something that is not a thenable (`Promise<…> |
 * undefined`: undici's `request(opts, callback)` returns a promise only when no callback is given;
 * `Promise<…> | this`: mssql's `query(sql, callback)` returns the request), so the error goes to the callback.
 */
function isCallbackFormOfDualApi(call: ts.CallExpression, checker: ts.TypeChecker | undefined): boolean {
  const last = call.arguments[call.arguments.length - 1];
  if (!checker || !last || !functionValueOf(last)) return false;
  let type: ts.Type;
  try {
    type = checker.getTypeAtLocation(call);
  } catch {
    return false;
  }
  if (!type.isUnion()) return false;
  // `Promise<…> | undefined` (undici), `Promise<…> | this` (mssql's `request.query(sql, callback)`): with a
  // callback the call gives something else than the promise
  const isPromise = (member: ts.Type) => {
    const name = (member.getSymbol() ?? member.aliasSymbol)?.name;
    return name === "Promise" || name === "PromiseLike";
  };
  const other = type.types.some(
    (member) =>
      !isPromise(member) &&
      ((member.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)) !== 0 ||
        (!(member.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) && !member.getProperty("then"))),
  );
  return other && type.types.some(isPromise);
}

/**
 * The callback form of a dual API of the linted code, known from its body: the call passes a function
 * as its last argument, and the called function tests a callback parameter (`if (!callback)`,
 * `typeof callback !== "function"`) to decide whether to make a promise (nodemailer's
 * `resolveContent(data, key, options, callback)`), so with a callback the error goes to the callback.
 */
function isCallbackFormOfOwnDualApi(call: ts.CallExpression, env: PromiseEnv): boolean {
  const last = call.arguments[call.arguments.length - 1];
  if (!last || !functionValueOf(last)) return false;
  const fn = resolveCalledFunction(call, env);
  if (!fn?.body) return false;
  const names = new Set(
    fn.parameters.flatMap((parameter) =>
      ts.isIdentifier(parameter.name) && /^(cb|callback|done|next|fn)$/i.test(parameter.name.text) ? [parameter.name.text] : [],
    ),
  );
  if (names.size === 0) return false;
  let tested = false;
  walk(fn.body, (node) => {
    if (tested || (node !== fn.body && isFunctionNode(node))) return false;
    if ((ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.ExclamationToken) || ts.isTypeOfExpression(node)) {
      const operand = unwrapExpression(ts.isPrefixUnaryExpression(node) ? node.operand : node.expression);
      if (ts.isIdentifier(operand) && names.has(operand.text)) tested = true;
    }
    return !tested;
  });
  return tested;
}

/** Libraries whose `on(…)` awaits async handlers and routes their errors (Telegraf, grammY). */
const AWAITING_EMITTERS = ["telegraf", "grammy"];

/**
 * An emitter of the linted code whose own `emit` is async: it awaits what its listeners return, so
 * their promises are handed on (an object literal `{ async emit(…) {…}, on(…) {…} }`, an instance of
 * such a class, or `this` inside one).
 */
function hasAsyncEmit(receiver: ts.Expression): boolean {
  const node = unwrapExpression(receiver);
  let members: readonly (ts.ObjectLiteralElementLike | ts.ClassElement)[] | undefined;
  if (node.kind === ts.SyntaxKind.ThisKeyword) {
    members = enclosingClass(node)?.members;
  } else {
    const init = getInitializer(node);
    if (init && ts.isObjectLiteralExpression(init)) members = init.properties;
    else if (init && ts.isNewExpression(init) && ts.isIdentifier(init.expression)) {
      const declaration = findDeclaration(init.expression);
      if (declaration && ts.isClassDeclaration(declaration)) members = declaration.members;
    }
  }
  return (members ?? []).some((member) => {
    if (!member.name || !ts.isIdentifier(member.name) || member.name.text !== "emit") return false;
    if (ts.isMethodDeclaration(member)) return isAsyncFunction(member);
    if ((ts.isPropertyAssignment(member) || ts.isPropertyDeclaration(member)) && member.initializer) {
      const value = unwrapExpression(member.initializer);
      return isFunctionNode(value) && isAsyncFunction(value);
    }
    return false;
  });
}

function isAwaitingEmitter(receiver: ts.Expression): boolean {
  if (hasAsyncEmit(receiver)) return true;
  const init = getInitializer(receiver);
  if (!init || !(ts.isNewExpression(init) || ts.isCallExpression(init))) return false;
  const options = init.arguments?.[0] && unwrapExpression(init.arguments[0]);
  // new EventEmitter({ captureRejections: true }) routes a listener's rejection to 'error'
  if (options && ts.isObjectLiteralExpression(options)) {
    const capture = getPropertyValue(options, "captureRejections");
    if (capture && capture.kind === ts.SyntaxKind.TrueKeyword) return true;
  }
  const ref = resolveApi(init.expression);
  return !!ref && AWAITING_EMITTERS.includes(ref.module);
}

/** `EventEmitter.captureRejections = true` (or `events.captureRejections = true`) anywhere in the file. */
function capturesRejectionsGlobally(sourceFile: ts.SourceFile): boolean {
  if (!sourceFile.text.includes("captureRejections")) return false;
  let found = false;
  walk(sourceFile, (node) => {
    if (found) return false;
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      memberName(node.left) === "captureRejections" &&
      node.right.kind === ts.SyntaxKind.TrueKeyword
    ) {
      found = true;
    }
    return !found;
  });
  return found;
}

/** With types: does the parameter this callback is passed to accept a promise-returning function? */
function parameterAcceptsPromise(checker: ts.TypeChecker | undefined, argument: ts.Expression): boolean {
  if (!checker) return false;
  let contextual: ts.Type | undefined;
  try {
    contextual = checker.getContextualType(argument);
  } catch {
    return false;
  }
  if (!contextual) return false;
  const signatures = contextual.getCallSignatures();
  if (signatures.length === 0) return false;
  return signatures.every((signature) => {
    const returned = signature.getReturnType();
    if (returned.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return true;
    const members = returned.isUnion() ? returned.types : [returned];
    return members.some((member) => {
      const symbol = member.getSymbol() ?? member.aliasSymbol;
      return !!symbol && (symbol.name === "Promise" || symbol.name === "PromiseLike");
    });
  });
}

const TIMER_NAMES = new Set(["setTimeout", "setImmediate", "queueMicrotask", "nextTick"]);

function timerName(call: ts.CallExpression): string | undefined {
  const callee = unwrapExpression(call.expression);
  if (!TIMER_NAMES.has((ts.isIdentifier(callee) ? callee.text : memberName(callee)) ?? "")) return undefined;
  const ref = resolveApi(call.expression);
  for (const name of ["setTimeout", "setImmediate", "queueMicrotask"]) {
    if (isApi(ref, GLOBAL_MODULE, name) || isApi(ref, "timers", name)) return name;
  }
  if (isApi(ref, GLOBAL_MODULE, "process", "nextTick") || isApi(ref, "process", "nextTick")) return "process.nextTick";
  return undefined;
}

export default defineTypeScriptRule<Options>({
  instead:
    "Await it, return it, or hand it to something that awaits it (`Promise.all`, a task group); for deliberate background work attach `.catch(handler)` that logs, as a Tokio `JoinSet` is joined and its errors are looked at.",
  needsTypes: false,
  hasSuggestions: true,
  messages: {
    floating:
      "The promise of `{{name}}` is neither awaited, returned nor given a rejection handler: nothing waits for it and a rejection becomes an unhandled rejection that crashes Node.",
    voided:
      "`void` discards the promise of `{{name}}` without a rejection handler: if it rejects, the process gets an unhandled rejection.",
    asyncCallback:
      "{{api}} ignores the promise this callback returns: nothing waits for it and a rejection becomes an unhandled rejection that crashes Node.",
    asyncForEach:
      "`forEach` does not wait for this async callback: the loop and its caller finish before the work does, and rejections go unhandled.",
    droppedArray: "The promises returned by `.{{method}}(async …)` are dropped: nothing waits for them and their rejections go unhandled.",
    lateHandler:
      "`{{name}}` is started here but only handled after the `await` on line {{line}}: if it rejects meanwhile, Node reports an unhandled rejection (and crashes by default).",
    floatingToHandler:
      'The promise of `{{name}}` is neither awaited, returned nor given a rejection handler: nothing waits for it, and a rejection ends up in the package\'s `process.on("unhandledRejection")` handler, far from this call and its context.',
    voidedToHandler:
      '`void` discards the promise of `{{name}}` without a rejection handler: a rejection ends up in the package\'s `process.on("unhandledRejection")` handler, far from this call.',
    asyncCallbackToHandler:
      '{{api}} ignores the promise this callback returns: nothing waits for it, and a rejection ends up in the package\'s `process.on("unhandledRejection")` handler, far from this callback.',
    asyncForEachToHandler:
      '`forEach` does not wait for this async callback: the loop and its caller finish before the work does, and rejections end up in the package\'s `process.on("unhandledRejection")` handler.',
    droppedArrayToHandler:
      'The promises returned by `.{{method}}(async …)` are dropped: nothing waits for them, and their rejections end up in the package\'s `process.on("unhandledRejection")` handler.',
    lateHandlerToHandler:
      '`{{name}}` is started here but only handled after the `await` on line {{line}}: if it rejects meanwhile, the rejection goes to the package\'s `process.on("unhandledRejection")` handler instead of to this code.',
  },
  options: {
    properties: {
      allowVoid: {
        type: "boolean",
        description:
          "Accept `void promise` as a deliberate fire-and-forget. Off by default: `void` hides the promise but not its rejection.",
        default: false,
      },
    },
    defaults: { allowVoid: false },
  },
  examples: {
    incorrect: [
      `async function saveAudit(entry: string) {\n  await fetch("http://audit/entries", { method: "POST", body: entry, signal: AbortSignal.timeout(5_000) });\n}\n\nexport async function handle(entry: string) {\n  saveAudit(entry);\n  return { ok: true };\n}`,
      `import { EventEmitter } from "node:events";\nimport { writeFile } from "node:fs/promises";\n\nconst bus = new EventEmitter();\nbus.on("order", async (order: { id: string }) => {\n  await writeFile(\`/var/orders/\${order.id}.json\`, JSON.stringify(order));\n});`,
      `export async function load(ids: string[]) {\n  const users = fetch("http://users/" + ids.join(","));\n  const prefs = await fetch("http://prefs");\n  return [await users, await prefs];\n}`,
    ],
    correct: [
      `async function saveAudit(entry: string) {\n  await fetch("http://audit/entries", { method: "POST", body: entry, signal: AbortSignal.timeout(5_000) });\n}\n\nexport async function handle(entry: string) {\n  saveAudit(entry).catch((error) => console.error("audit failed", error));\n  return { ok: true };\n}`,
      `export async function load(ids: string[]) {\n  const signal = AbortSignal.timeout(5_000);\n  const [users, prefs] = await Promise.all([fetch("http://users/" + ids.join(","), { signal }), fetch("http://prefs", { signal })]);\n  return [users, prefs];\n}`,
    ],
  },
  knownLimits: [
    "Without type information, a call is known to return a promise only when it is an async function or method declared in the linted files (or annotated `Promise<…>`), an async IIFE, `new Promise`, a `Promise.*` combinator or a well-known promise API (fetch, fs/promises, timers/promises, events.once, util.promisify, axios, got, undici); methods of objects of unknown type (a `pg` pool, an ORM) need `--types`.",
    "A `.then(onFulfilled)` chain on a value of unknown type is not reported without type information, so Cypress-style chains stay quiet.",
    "A method of a well-known client class (`@google-cloud/pubsub` `PubSub`/`Topic`/`Subscription`, `pg` `Pool`/`Client`/`PoolClient`) is known to return a promise, without types, only when its receiver's type annotation names the class: a parameter, variable or class property (also a constructor parameter property), or the return type of a function of the file it calls (`this.getTopic(name).publish(…)`).",
    '`void call()` is reported only when the call is known to give a promise (as for a dropped call: an async function of the linted files, a `Promise<…>` annotation, a well-known promise API, or with `--types` a promise type) and it can reject. A call not known either way (a function of a package, `any` to the checker, a method of an object of unknown type) is not guessed to be a promise, except a function of a relative module outside the run when the same file awaits another function of that module (`await getCachedProfile(…)` and `void setCachedProfile(…)` from `../lib/profile-cache.js`); even that guess is not made when the package installs a `process.on("unhandledRejection")` handler. When the checker types the call as something else (`void`, `undefined`, a value that is not a thenable), nothing is reported.',
    "VS Code's `window.withProgress(options, task)` returns the task's promise: it is reported when dropped and the task can reject (a surrounding `try`/`catch` does not see that rejection).",
    "Express route handlers are not checked: Express 5 handles their rejections and the version is not visible to the rule. Libraries whose `on()` awaits handlers are recognised for Telegraf and grammY, or through types; an emitter of the linted code counts as awaiting its listeners when its own `emit` is async (an object literal, an instance of a local class, or `this` inside one).",
    "A promise dropped at the top level of an executable entry point (a file with a `#!` line, or under `if (require.main === module)` / `if (import.meta.url === …process.argv[1]…)`), outside any function, is not reported: its rejection ends the command with the error printed. A call of an `Object` function that returns its first argument (`Object.defineProperties(promise, …)`, `Object.assign`, `Object.freeze`) creates no promise and is not reported.",
    "A stored promise is followed to its first use only; a first use in one branch and none in another is not reported.",
    "`items.map(async …)` (or `.flatMap`) as a statement of its own is reported unless the callback's promises cannot reject (the same analysis as for a dropped call: `strings.map((s) => this.send(s))` where `send` is async with a synchronous body is not reported).",
    "A call with a function as its last argument to a function of the linted files that tests a callback parameter (`if (!callback)`, `typeof callback`) is taken as the callback form of a dual API and not reported. With types, a call with a function as its last argument that is typed as a union of `Promise<…>` and something that is not a thenable (`Promise<…> | undefined`, `Promise<…> | this`) is taken as the callback form of a dual API (undici's `request(opts, callback)`, mssql's `query(sql, callback)`) and not reported.",
    "A promise is taken as unable to reject (and not reported) when the shared analysis shows it: `new Promise` whose executor never uses `reject` and cannot throw, `Promise.resolve(value)` of a plain value (also a `const` holding an object or array literal, or with `--types` a value whose type has no `then`), `Promise.allSettled`, `Promise.all`/`race`/`any` over such promises (an array literal, an array variable only ever filled with `push` of such promises, or `items.map(fn)` / `Array.from(items, fn)` whose callback's promises cannot reject: `Promise.all(names.map(async (name) => …))` is judged by the callback's body), a `timers/promises` wait without an abort signal, a `const` holding one of those, `.then`/`.finally` chains on one whose callbacks return no rejecting promise (a synchronous throw in a callback is not counted), and calls of functions of the linted files whose bodies cannot reject: same file, relative imports (through re-exports), methods of `this` or of an instance of a known class (`new C()` held in a variable, a field or a constructor assignment `this.queue = new C()`; `C` a class declaration or a class expression `var C = class {…}`, of this file or exported by a file of the run; inherited methods followed up the `extends` chain), or what the checker resolves. With `--types`, a call through an interface or an abstract method cannot reject when every class (or object literal declared as the type) of the run that implements it has that member and none of them can reject; with no implementation in the run (callers supply it), or more than 24, it is taken as able to reject.",
    'An async function (or async callback, or async IIFE) cannot reject when every `await` of a promise that can reject, every `throw` and every call that may throw sits in a `try` with a `catch` that does not rethrow, and no promise that can reject is returned (a returned `.then`/`.catch`/`.finally` chain, or a `const` holding one, counts as a promise whatever its receiver: `const result = locks[path].then(async () => …); return result`). Calls and `await`s inside the `catch` or `finally` are the function\'s chosen handling and are not counted; nor is `await import("pkg")` of a module named by a literal (it fails only when the installation is broken, as a static import would); the call a handled chain starts from (`db.put(x)` of `return db.put(x).catch(log)`) is taken to reject rather than throw. Calls outside the `try` count as non-throwing when they are logging (`console.*`, `logger.*`, `log_1.default.info(…)` as TypeScript compiles a default import, `debug(…)`, a debug namespace made and called on the spot `log.extend("x")(…)`, `useLogger()`), listener (un)registration and counting (`listenerCount`, `removeAllListeners`, …), `node:assert`, `Math.*`, `String`/`Number`/`Boolean`, clocks and timers, a table of standard built-ins that do not throw on well-typed input (`Object.keys`/`values`/`entries`/`getOwnPropertyNames`/`freeze`/`create`, `parseInt`/`parseFloat`/`isNaN`, the `Promise` combinators (they reject instead), `process.exit`/`cwd`/`getuid`/`memoryUsage`, `process.kill(process.pid, …)`, the `node:path` string functions (`join`, `resolve`, `parse`, `basename`, …), `util.format`/`inspect`, the `os` queries, `fs.existsSync`; not `JSON.parse`, `JSON.stringify`, `decodeURIComponent`, `url.fileURLToPath` nor other `fs` functions), `config.get(…)`, methods of a `Map`/`Set`/array the code shows (`get`, `set`, `has`, `delete`, `includes`, `indexOf`, `keys`, `values`, `entries`, `slice`, `concat`, `join`, … on a variable or field initialised with `new Map()`/`new Set()`/`[]`, also assigned in the constructor, a parameter defaulting to one, a rest parameter, `Object.keys(…)`, `s.split(",")`, or with `--types` a value typed as an array, `Map` or `Set`; `Array.from` of one), async functions (they reject instead of throwing), promise APIs, functions of the linted files whose own bodies cannot throw (followed a few levels deep; recursion counts as throwing), and, for a call the linted files do not declare, what by convention does not throw: a predicate (`isStream(x)`, `is.string(x)`, `hasOwn(…)`), the stream control methods (`destroy`, `pause`, `resume`, `cork`, `uncork`, `unpipe`, `setEncoding`, `ref`, `unref`), methods only strings have (`trim`, `toLowerCase`, `padStart`, `startsWith`, …, and `split` on a literal), a regular expression literal\'s `exec`/`test`, an array iteration method (`map`, `forEach`, `some`, …) whose callback is written in place and cannot throw (an async callback does not throw: its promises are judged where they are awaited), `emit` of a named event other than `error` on any receiver (it throws only if a listener does), `emit("error")` on an emitter the code registers an `error` listener on (the same variable in its function, or `this` in the same class), the methods of a `readline.createInterface(…)` interface (`prompt`, `close`, `write`, …, also held in a field assigned outside the constructor, `this.#rl = readline.createInterface(…)`), and on a receiver known to be an event emitter or a stream (`this` in a class extending `EventEmitter`, `Duplex` or another emitter from outside the run, an instance `new EventEmitter()` in a variable or field, or with `--types` a value typed with `on`/`emit`/`removeListener`) `end`, `push` and `close` (also an object a Node module\'s factory makes: `net.createServer()`, `spawn(…)`): a stream reports its failures through its `error` event. `new` expressions and property access on a possibly-undefined value are not considered.',
    "In a test file (`*.test.*`, `*.spec.*`, under `test/`, `tests/`, `__tests__/`), a promise dropped while tearing down is not reported: inside the callback of a teardown hook (`after`, `afterEach`, `afterAll`, `teardown`, `t.after(…)`, `onTestFinished`), or a closing call without arguments (`close()`, `destroy()`, `stop()`, `disconnect()`, `quit()`, `shutdown()`, `terminate()`, `dispose()`, `end()`): the test's verdict is decided, and the runners (node:test, Mocha, Jest, Vitest, tap) turn an unhandled rejection into a failure with its error. Other dropped promises of test files (an assertion not awaited) are reported.",
    'Functions of another file of the run are followed through module objects too, without `--types`: `import * as ns from "./m"; ns.f()`, `const m = require("./m"); m.f()` (also as TypeScript compiles it, `(0, m.f)()`, `__importStar(require(…))`, `__importDefault(require(…)).default.f()`), and a default import of a module that sets `module.exports = { … }`.',
    'When a file of the same package (nearest package.json) installs `process.on("unhandledRejection", …)`, the messages say the rejection goes to that handler instead of claiming a crash; the finding stays, since the handler sees the error far from its cause.',
  ],
  create(context) {
    let captures: boolean | undefined;
    const capturesRejections = () => (captures ??= capturesRejectionsGlobally(context.sourceFile));
    const env: PromiseEnv = {
      getTypeChecker: () => context.getTypeChecker(),
      program: context.program,
      filePath: context.filePath,
    };
    let handlerInstalled: boolean | undefined;
    /** The message id, or its variant when the package routes unhandled rejections to a handler of its own. */
    const id = <Base extends "floating" | "voided" | "asyncCallback" | "asyncForEach" | "droppedArray" | "lateHandler">(
      base: Base,
    ): Base | `${Base}ToHandler` =>
      (handlerInstalled ??= hasUnhandledRejectionHandler(env, context.sourceFile)) ? `${base}ToHandler` : base;

    /** The statement's value and, through `&&`, `||`, `??`, `,` and `?:`, every operand whose value is dropped. */
    function checkStatementExpression(statementExpression: ts.Expression): void {
      const pending: ts.Expression[] = [statementExpression];
      while (pending.length > 0) {
        const node = unwrapExpression(pending.pop()!);
        if (ts.isBinaryExpression(node)) {
          const operator = node.operatorToken.kind;
          if (
            operator === ts.SyntaxKind.AmpersandAmpersandToken ||
            operator === ts.SyntaxKind.BarBarToken ||
            operator === ts.SyntaxKind.QuestionQuestionToken
          ) {
            pending.push(node.right);
          } else if (operator === ts.SyntaxKind.CommaToken) {
            pending.push(node.right, node.left);
          }
        } else if (ts.isConditionalExpression(node)) {
          pending.push(node.whenFalse, node.whenTrue);
        } else {
          checkDroppedValue(node);
        }
      }
    }

    let testFile: boolean | undefined;
    const inTestFile = () => (testFile ??= isTestFile(rolePath(context.filePath)));

    function checkDroppedValue(node: ts.Expression): void {
      if (isEntryPointStatement(node, context.sourceFile)) return;
      if (inTestFile() && isTestTeardown(node)) return;
      if (ts.isVoidExpression(node)) {
        if (context.options.allowVoid) return;
        const inner = unwrapExpression(node.expression);
        if (!(ts.isCallExpression(inner) || ts.isNewExpression(inner)) || hasRejectionHandler(inner)) return;
        // whether it is a promise first: it asks the checker about this call only, while `canReject`
        // follows the calls of the callee's body
        const promise = isPromiseExpression(inner, env);
        if (promise === false) return;
        // A call not known either way (a package's function, `any` to the checker) is not guessed to
        // be a promise, as typescript-eslint does not: only where this file awaits other functions of
        // the same module of the project (not among the linted files), and the package routes no
        // unhandled rejections to a handler of its own.
        const guessed =
          promise === undefined &&
          ts.isCallExpression(inner) &&
          isCallOfAwaitedModule(inner, env) &&
          !hasUnhandledRejectionHandler(env, context.sourceFile);
        if ((promise === true || guessed) && canReject(inner, env)) {
          context.report({ node, messageId: id("voided"), data: { name: describe(inner) } });
        }
        return;
      }
      if (!ts.isCallExpression(node) && !ts.isNewExpression(node)) return;
      if (ts.isCallExpression(node) && (isDroppedArrayOfPromises(node) || isTestRunnerRegistration(node) || returnsItsArgument(node)))
        return;
      // cheapest first: whether it is a promise asks about this call only, `canReject` follows the callee's calls
      if (hasRejectionHandler(node) || isPromiseExpression(node, env) !== true || !canReject(node, env)) return;
      if (ts.isCallExpression(node) && (isCallbackFormOfDualApi(node, context.getTypeChecker()) || isCallbackFormOfOwnDualApi(node, env)))
        return;
      context.report({ node, messageId: id("floating"), data: { name: describe(node) }, suggest: suggestionsFor(node) });
    }

    /** For a promise dropped as a statement of its own: await it, return it, or catch its rejection. */
    function suggestionsFor(node: ts.CallExpression | ts.NewExpression): Suggestion[] {
      const statement = node.parent;
      if (!ts.isExpressionStatement(statement)) return [];
      const start = node.getStart(context.sourceFile);
      const suggestions: Suggestion[] = [];
      const fn = ts.findAncestor(statement, isFunctionNode);
      if (fn && isAsyncFunction(fn)) suggestions.push({ desc: "Await it", fix: { range: [start, start], text: "await " } });
      if (
        fn &&
        fn.body &&
        ts.isBlock(fn.body) &&
        fn.body.statements[fn.body.statements.length - 1] === statement &&
        !fn.type &&
        !fn.asteriskToken &&
        !ts.isConstructorDeclaration(fn) &&
        !ts.isSetAccessorDeclaration(fn)
      ) {
        suggestions.push({ desc: "Return it, so the caller awaits it", fix: { range: [start, start], text: "return " } });
      }
      const typed = /\.[cm]?tsx?$/.test(context.filePath);
      suggestions.push({
        desc: "Handle its rejection with .catch and mark it deliberately not awaited",
        fix: {
          range: [start, node.getEnd()],
          text: `void ${ts.isNewExpression(node) ? `(${node.getText(context.sourceFile)})` : node.getText(context.sourceFile)}.catch((error${typed ? ": unknown" : ""}) => console.error(error))`,
        },
      });
      return suggestions;
    }

    /** `items.map(async …)` as a statement: reported here (unless the callback's promises cannot reject), and never as a plain floating call. */
    function isDroppedArrayOfPromises(call: ts.CallExpression): boolean {
      const method = memberName(unwrapExpression(call.expression));
      if (method !== "map" && method !== "flatMap") return false;
      const callback = call.arguments[0] && functionValueOf(call.arguments[0]);
      if (!callback || !returnsPromise(callback, env)) return false;
      // promises that cannot reject (an async callback that catches everything, or does nothing that can fail) are not reported
      if (!functionCanReject(callback, env)) return true;
      context.report({ node: call, messageId: id("droppedArray"), data: { method } });
      return true;
    }

    function checkCallbacks(call: ts.CallExpression): void {
      const method = memberName(unwrapExpression(call.expression));
      call.arguments.forEach((argument, index) => {
        const site = { call, index };
        // cheap position checks first: resolving the callback walks scopes
        const isForEach = method === "forEach" && index === 0;
        const listener = isForEach ? undefined : listenerRegistration(site);
        const scheduler = !isForEach && !listener && index === 0 ? (timerName(call) ?? serverFactoryOf(site)) : undefined;
        if (!isForEach && !listener && !scheduler) return;
        const fn = functionValueOf(argument);
        if (!fn || !returnsPromise(fn, env)) return;
        if (isForEach) {
          context.report({ node: argument, messageId: id("asyncForEach") });
          return;
        }
        let api: string;
        if (listener) {
          if (isAwaitingEmitter(listener.receiver) || capturesRejections()) return;
          const receiver = dottedName(listener.receiver) ?? "the emitter";
          api = listener.event === undefined ? `\`${receiver}.${method}\`` : `\`${receiver}.${method}("${listener.event}")\``;
        } else {
          api = `\`${scheduler}\``;
        }
        if (!functionCanReject(fn, env)) return;
        if (parameterAcceptsPromise(context.getTypeChecker(), argument)) return;
        context.report({ node: argument, messageId: id("asyncCallback"), data: { api } });
      });
    }

    function checkStoredPromise(declaration: ts.VariableDeclaration): void {
      if (!ts.isIdentifier(declaration.name) || !declaration.initializer) return;
      const list = declaration.parent;
      if (!ts.isVariableDeclarationList(list) || !ts.isVariableStatement(list.parent) || hasExportModifier(list.parent)) return;
      const init = unwrapExpression(declaration.initializer);
      if (!ts.isCallExpression(init) && !ts.isNewExpression(init)) return;
      if (hasRejectionHandler(init)) return;
      // the syntax decides first (the first use, the awaits before it): most stored values are used
      // before any await, and then the checker is not asked whether the value is a promise
      const rejectingPromise = () => isPromiseExpression(init, env) === true && canReject(init, env);
      let container: ts.Node = context.sourceFile;
      for (let current: ts.Node | undefined = list.parent; current; current = current.parent) {
        if (isFunctionNode(current)) {
          container = current.body ?? current;
          break;
        }
      }
      const name = declaration.name.text;
      // pre-order: the first reference found is the first in the source (from the file's index of names, not a walk per declaration)
      const first = identifiersNamed(container, name).find((node) => node !== declaration.name && findDeclaration(node) === declaration);
      if (!first) {
        if (rejectingPromise()) context.report({ node: declaration, messageId: id("floating"), data: { name: describe(init) } });
        return;
      }
      for (let current: ts.Node = first; current !== container && current.parent; current = current.parent) {
        if (isFunctionNode(current)) return; // handed to a callback: whoever runs it decides
      }
      const reference = first;
      // the awaits between the declaration and the first use (a walk that skips what lies outside that span)
      const awaits: ts.Node[] = [];
      walk(container, (node) => {
        if (node.end <= declaration.end || node.pos >= reference.pos) return false;
        if (node !== container && isFunctionNode(node)) return false;
        if (
          (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier)) &&
          node.pos >= declaration.end &&
          node.end <= reference.pos &&
          !isInside(reference, node)
        )
          awaits.push(node);
        return true;
      });
      if (awaits.length === 0 || !rejectingPromise()) return;
      // a lazy thenable (query builders, PrismaPromise) starts nothing before it is awaited
      if (isNativePromiseTyped(context.getTypeChecker(), init) === false) return;
      context.report({
        node: declaration.name,
        messageId: id("lateHandler"),
        data: { name, line: lineOf(awaits[0]!, context.sourceFile) },
      });
    }

    return {
      ExpressionStatement(statement) {
        checkStatementExpression(statement.expression);
      },
      CallExpression(call) {
        checkCallbacks(call);
      },
      VariableDeclaration(declaration) {
        checkStoredPromise(declaration);
      },
    };
  },
});

/** `Object` functions that return their first argument: the promise is the argument's, and whoever holds it answers for it. */
const RETURNS_FIRST_ARGUMENT = new Set([
  "assign",
  "defineProperty",
  "defineProperties",
  "freeze",
  "seal",
  "preventExtensions",
  "setPrototypeOf",
]);

function returnsItsArgument(call: ts.CallExpression): boolean {
  const ref = resolveApi(call.expression);
  return (
    !!ref && ref.module === GLOBAL_MODULE && ref.path.length === 2 && ref.path[0] === "Object" && RETURNS_FIRST_ARGUMENT.has(ref.path[1]!)
  );
}

/**
 * A statement at the top level of an executable entry point (a file with a `#!` line, or under an
 * `if` that asks whether this module is the one Node was started with: `require.main === module`,
 * `import.meta.url === …process.argv[1]…`), outside any function: its rejection ends the process with
 * the error printed, which is what a failed command should do.
 */
function isEntryPointStatement(node: ts.Node, sourceFile: ts.SourceFile): boolean {
  let guarded = sourceFile.text.startsWith("#!");
  for (let current = node.parent; current && current !== sourceFile; current = current.parent) {
    if (isFunctionNode(current) || ts.isClassLike(current)) return false;
    if (ts.isIfStatement(current) && isMainModuleTest(current.expression, sourceFile)) guarded = true;
  }
  return guarded;
}

function isMainModuleTest(condition: ts.Expression, sourceFile: ts.SourceFile): boolean {
  const text = condition.getText(sourceFile).replace(/\s+/g, "");
  return (
    /require\.main===module|module===require\.main/.test(text) || (text.includes("import.meta.url") && text.includes("process.argv[1]"))
  );
}

/** Test-runner hooks that run after a test's verdict (node:test, Mocha, Jest, Vitest, tap, AVA). */
const TEARDOWN_HOOKS = new Set(["after", "afterEach", "afterAll", "teardown", "onTestFinished", "onTestFailed", "cleanup"]);

/** Methods that release what a test set up: a server, a client, a pool. */
const TEARDOWN_METHODS = new Set(["close", "destroy", "stop", "disconnect", "quit", "shutdown", "terminate", "dispose", "end"]);

/**
 * In a test file, a promise dropped while tearing down: inside a teardown hook's callback
 * (`t.after(() => { app.close() })`, `afterEach(() => { server.close() })`), or a call that closes what
 * the test set up (`fastify.close()` after the assertions). The test's verdict is already decided,
 * and a rejection is not a silent crash: every runner (node:test, Mocha, Jest, Vitest, tap) catches
 * unhandled rejections and fails the file with the error, so nothing is lost that a report would add.
 * A dropped promise that carries an assertion (`expect(p).rejects…`, `request.then(check)`) is still reported.
 */
function isTestTeardown(node: ts.Expression): boolean {
  let call = unwrapExpression(ts.isVoidExpression(node) ? node.expression : node);
  // the operation, not the `.then`/`.finally` chained on it
  while (ts.isCallExpression(call)) {
    const callee = unwrapExpression(call.expression);
    const method = memberName(callee);
    if (!(method === "then" || method === "finally") || !ts.isPropertyAccessExpression(callee)) break;
    call = unwrapExpression(callee.expression);
  }
  if (ts.isCallExpression(call) && TEARDOWN_METHODS.has(memberName(unwrapExpression(call.expression)) ?? "") && call.arguments.length === 0)
    return true;
  for (let current: ts.Node | undefined = node.parent; current; current = current.parent) {
    if (!isFunctionNode(current)) continue;
    const registration = current.parent;
    if (!registration || !ts.isCallExpression(registration) || !registration.arguments.includes(current as ts.Expression)) return false;
    const hook = unwrapExpression(registration.expression);
    const name = ts.isIdentifier(hook) ? hook.text : memberName(hook);
    return !!name && TEARDOWN_HOOKS.has(name);
  }
  return false;
}

const TEST_REGISTRATIONS = new Set(["test", "it", "describe", "suite", "before", "after", "beforeEach", "afterEach"]);

/**
 * `it(...)`, `describe.skip(...)`, `test(...)` from node:test: the runner awaits what they return, and
 * its docs say the promise may be discarded. Subtests (`t.test(...)`) are not registrations: they must be awaited.
 */
function isTestRunnerRegistration(call: ts.CallExpression): boolean {
  const ref = resolveApi(call.expression);
  if (!ref || ref.module !== "test") return false;
  const path = ref.path[0] === "default" ? ["test", ...ref.path.slice(1)] : ref.path.length === 0 ? ["test"] : ref.path;
  const [name, modifier, ...rest] = path;
  return TEST_REGISTRATIONS.has(name!) && rest.length === 0 && (modifier === undefined || ["skip", "only", "todo"].includes(modifier));
}
