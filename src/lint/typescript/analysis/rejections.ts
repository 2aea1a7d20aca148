import path from "node:path";
import { ts } from "#compiler";
import { packageRootOf } from "../../file-roles.js";
import { isAsyncFunction, isGeneratorFunction, knownTypeMembers } from "./functions.js";
import { GLOBAL_MODULE, isApi, resolveApi } from "./imports.js";
import { dottedName, enclosingClass, isFunctionNode, memberName, unwrapExpression, walk } from "./nodes.js";
import {
  classOfExpression,
  collectAwaits,
  functionInvokedByCallOrApply,
  functionOfDeclaration,
  hasRejectionHandler,
  isKnownPromiseApi,
  isPromiseExpression,
  isVscodeTaskRunner,
  resolveCalledFunctions,
  type PromiseEnv,
} from "./promises.js";
import { findDeclaration, getInitializer } from "./scope.js";

/**
 * "Can this promise reject?" — one analysis for every rule that asks. It answers `false` only when it
 * can show that no rejection can come out: a promise whose executor never rejects, `timers/promises`
 * waits without a signal, `Promise.allSettled`, a `const` holding such a promise, `.then`/`.finally`
 * chains on one, and calls of functions (same file, class methods, imported from a file of the run,
 * or resolved by the checker) whose bodies cannot reject: every `await` and `throw`, and every call
 * that may throw, sits in a `try` whose `catch` does not rethrow, and what stays outside is known not
 * to throw (logging, clocks, timers, `Math`, or a function of the run that cannot throw itself).
 * Answers are cached per function node for the run.
 */

interface Caches {
  rejects: WeakMap<ts.Node, boolean>;
  throws: WeakMap<ts.Node, boolean>;
}

const envCaches = new WeakMap<PromiseEnv, Caches>();

function caches(env: PromiseEnv): Caches {
  const make = (): Caches => ({ rejects: new WeakMap(), throws: new WeakMap() });
  // with a program view the cache lives for the run (all files); otherwise for this env
  if (env.program) return env.program.memo(`rejections:${env.getTypeChecker() ? "types" : "syntax"}`, make);
  let found = envCaches.get(env);
  if (!found) envCaches.set(env, (found = make()));
  return found;
}

/** Inside the protected block of a `try` that has a `catch`, below `root`. */
export function isGuardedByCatch(node: ts.Node, root: ts.Node): boolean {
  for (let current: ts.Node = node; current !== root && current.parent; current = current.parent) {
    const parent = current.parent;
    if (ts.isTryStatement(parent) && parent.tryBlock === current && parent.catchClause) return true;
  }
  return false;
}

/** Inside a `catch` clause or a `finally` block below `root`: the function's own error handling. */
export function isInHandler(node: ts.Node, root: ts.Node): boolean {
  for (let current: ts.Node = node; current !== root && current.parent; current = current.parent) {
    const parent = current.parent;
    if (ts.isCatchClause(current) || (ts.isTryStatement(parent) && parent.finallyBlock === current)) return true;
  }
  return false;
}

/** Built-ins that do not throw whatever they are given: reading a clock, type tests, scheduling. */
const NON_THROWING_BUILTINS: readonly (readonly string[])[] = [
  ["Date", "now"],
  ["performance", "now"],
  ["process", "hrtime"],
  ["process", "hrtime", "bigint"],
  ["process", "nextTick"],
  ["Array", "isArray"],
  ["Number", "isInteger"],
  ["Number", "isFinite"],
  ["Number", "isNaN"],
  ["Number", "isSafeInteger"],
  ["setTimeout"],
  ["setImmediate"],
  ["setInterval"],
  ["clearTimeout"],
  ["clearImmediate"],
  ["clearInterval"],
  ["queueMicrotask"],
  ["String"],
  ["Number"],
  ["Boolean"],
  ["Symbol"],
  ["Symbol", "for"],
  // the promise combinators report every failure by rejecting, never by throwing
  ["Promise", "all"],
  ["Promise", "allSettled"],
  ["Promise", "race"],
  ["Promise", "any"],
  ["Promise", "resolve"],
  ["Promise", "reject"],
  // parsing a number answers NaN rather than throwing
  ["parseInt"],
  ["parseFloat"],
  ["isNaN"],
  ["isFinite"],
  ["Number", "parseInt"],
  ["Number", "parseFloat"],
  // listing an object's own keys or values (of a non-null value: property access on a possibly-undefined
  // value is not considered here, as elsewhere)
  ["Object", "keys"],
  ["Object", "values"],
  ["Object", "entries"],
  ["Object", "getOwnPropertyNames"],
  ["Object", "getOwnPropertySymbols"],
  ["Object", "getPrototypeOf"],
  ["Object", "hasOwn"],
  ["Object", "is"],
  ["Object", "isFrozen"],
  ["Object", "freeze"],
  ["Object", "create"],
  ["Buffer", "isBuffer"],
  ["process", "exit"],
  ["process", "cwd"],
  ["process", "uptime"],
  ["process", "memoryUsage"],
  ["process", "cpuUsage"],
  ["process", "getuid"],
  ["process", "getgid"],
  ["process", "geteuid"],
  ["process", "getegid"],
];

/**
 * Functions of Node modules that compute a value from well-typed arguments and do not throw: the
 * `path` string functions, `util.format`/`util.inspect`, and the `os` queries. `JSON.parse`,
 * `JSON.stringify` (a cycle, a BigInt), `url.fileURLToPath`, `decodeURIComponent` and the `fs`
 * functions can throw and are not listed.
 */
const NON_THROWING_MODULE_FUNCTIONS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  [
    "path",
    new Set([
      "join",
      "resolve",
      "normalize",
      "dirname",
      "basename",
      "extname",
      "relative",
      "parse",
      "format",
      "isAbsolute",
      "toNamespacedPath",
      "posix.join",
      "posix.resolve",
      "posix.normalize",
      "posix.dirname",
      "posix.basename",
      "posix.extname",
      "posix.relative",
      "posix.parse",
      "posix.format",
      "posix.isAbsolute",
      "win32.join",
      "win32.resolve",
      "win32.normalize",
      "win32.dirname",
      "win32.basename",
      "win32.extname",
      "win32.relative",
      "win32.parse",
      "win32.format",
      "win32.isAbsolute",
    ]),
  ],
  ["path/posix", new Set(["join", "resolve", "normalize", "dirname", "basename", "extname", "relative", "parse", "format", "isAbsolute"])],
  ["util", new Set(["format", "inspect", "isDeepStrictEqual"])],
  // documented to answer false on any error
  ["fs", new Set(["existsSync"])],
  [
    "os",
    new Set([
      "hostname",
      "platform",
      "type",
      "arch",
      "release",
      "tmpdir",
      "homedir",
      "cpus",
      "totalmem",
      "freemem",
      "uptime",
      "loadavg",
      "endianness",
      "availableParallelism",
    ]),
  ],
]);

/** Methods of an in-memory collection (`new Map()`, `new Set()`, an array literal) that cannot throw. */
const COLLECTION_METHODS = new Set([
  "get",
  "set",
  "has",
  "delete",
  "add",
  "clear",
  "push",
  "pop",
  "shift",
  "unshift",
  "includes",
  "indexOf",
  "lastIndexOf",
  // iterating a Map, a Set or an array, and copying parts of an array
  "keys",
  "values",
  "entries",
  "slice",
  "concat",
  "reverse",
  "at",
  "join",
]);
const COLLECTIONS = new Set(["Map", "Set", "WeakMap", "WeakSet"]);

/**
 * A `Map`, `Set` or array the code makes in memory: held in a variable or field initialised with
 * `new Map()`/`new Set()` or an array literal, a parameter whose default is one (`queueNames = []`),
 * an array the code shows (`Object.keys(o)`, `s.split(",")`), or, with the checker, a value typed as an
 * array, a `Map` or a `Set`.
 */
function isInMemoryCollection(receiver: ts.Expression, env?: PromiseEnv): boolean {
  if (isArrayValue(receiver)) return true;
  const node = unwrapExpression(receiver);
  if (ts.isIdentifier(node)) {
    const declaration = findDeclaration(node);
    // a rest parameter is an array; a parameter defaulting to `[]` or `new Map()` is meant to be one
    if (
      declaration &&
      ts.isParameter(declaration) &&
      (!!declaration.dotDotDotToken || (!!declaration.initializer && isCollectionConstruction(declaration.initializer)))
    )
      return true;
  }
  if (env && isCollectionTyped(node, env)) return true;
  const init = getInitializer(receiver);
  if (!init) return false;
  return isCollectionConstruction(init);
}

/** `items`, `map.values()`: a collection, or an iteration of one. */
function isCollectionSource(expression: ts.Expression, env?: PromiseEnv): boolean {
  const node = unwrapExpression(expression);
  if (ts.isCallExpression(node)) {
    const callee = unwrapExpression(node.expression);
    if (ts.isPropertyAccessExpression(callee) && ["keys", "values", "entries"].includes(callee.name.text))
      return isInMemoryCollection(callee.expression, env);
  }
  return isInMemoryCollection(node, env);
}

const COLLECTION_TYPES = new Set(["Array", "ReadonlyArray", "Map", "ReadonlyMap", "Set", "ReadonlySet", "WeakMap", "WeakSet"]);

/** With the checker: every member of the value's type is an array, a tuple, a `Map` or a `Set`. */
function isCollectionTyped(node: ts.Expression, env: PromiseEnv): boolean {
  const checker = env.getTypeChecker();
  const members = knownTypeMembers(checker, node);
  return (
    !!checker &&
    !!members &&
    members.every((member) => {
      if (checker.isArrayType(member) || checker.isTupleType(member)) return true;
      const name = member.getSymbol()?.name;
      return !!name && COLLECTION_TYPES.has(name);
    })
  );
}

function isCollectionConstruction(expression: ts.Expression): boolean {
  const init = unwrapExpression(expression);
  if (ts.isArrayLiteralExpression(init)) return true;
  return (
    ts.isNewExpression(init) &&
    ts.isIdentifier(init.expression) &&
    COLLECTIONS.has(init.expression.text) &&
    !findDeclaration(init.expression)
  );
}

/** Adding, removing or counting event listeners. */
const LISTENER_METHODS = new Set([
  "on",
  "once",
  "off",
  "addListener",
  "removeListener",
  "prependListener",
  "prependOnceListener",
  "addEventListener",
  "removeEventListener",
  "removeAllListeners",
  "listenerCount",
  "listeners",
  "eventNames",
  "setMaxListeners",
  "getMaxListeners",
]);

/**
 * A call not expected to throw: logging (`console.error`, `logger.warn`, `this.log.info`), getting the
 * logger (`useLogger()`, `getLogger()`), listener (un)registration, `node:assert`, `Math.*` and the
 * built-ins above, reading a setting (`config.get(…)`) and the methods of an in-memory `Map`, `Set` or
 * array. Counting them would make any function that times itself or logs outside its `try`
 * look like one that can reject.
 */
export function isNonThrowingCall(call: ts.CallExpression, env?: PromiseEnv): boolean {
  const callee = unwrapExpression(call.expression);
  if (ts.isPropertyAccessExpression(callee)) {
    if (LISTENER_METHODS.has(callee.name.text)) return true;
    const receiver = dottedName(callee.expression);
    if (receiver && isLoggerName(receiver)) return true;
    // reading a setting: `config.get("key")`, `this.config.get("admin.autoOpen", true)`
    if (callee.name.text === "get" && receiver && /(^|\.)[A-Za-z]*config$/i.test(receiver)) return true;
    if (COLLECTION_METHODS.has(callee.name.text) && isInMemoryCollection(callee.expression, env)) return true;
  }
  // getting the logger, or a debug logger's call (`const debug = createDebug("app:queue"); debug("…")`)
  if (ts.isIdentifier(callee) && (/^(use|get)[A-Za-z]*Logger$/.test(callee.text) || /^(debug|log|trace)$/.test(callee.text))) return true;
  // a logger made on the spot and called: `log.extend("process")("…")`, `logger.child({ id })("…")` (debug's namespaces)
  if (ts.isCallExpression(callee)) {
    const factory = unwrapExpression(callee.expression);
    if (ts.isPropertyAccessExpression(factory) && (factory.name.text === "extend" || factory.name.text === "child")) {
      const receiver = dottedName(factory.expression);
      if (receiver && (isLoggerName(receiver) || /(^|\.)(debug|trace)$/i.test(receiver))) return true;
    }
  }
  const ref = resolveApi(call.expression);
  if (ref && isNonThrowingModuleFunction(ref)) return true;
  // copying a collection the code shows: `Array.from(strings)` of a rest parameter, `Array.from(map.values())`
  if (isApi(ref, GLOBAL_MODULE, "Array", "from") && call.arguments.length === 1 && isCollectionSource(call.arguments[0]!, env)) return true;
  // an assertion states an invariant: when it fails, the bug it reports is not a rejection to handle
  if (ref && (ref.module === "assert" || ref.module === "assert/strict")) return true;
  if (isApi(ref, "perf_hooks", "performance", "now")) return true;
  if (ts.isPropertyAccessExpression(callee) && STRING_METHODS.has(callee.name.text) && isStringValue(callee.expression)) return true;
  if (!ref) return false;
  // `import process from "node:process"; process.nextTick(…)`, `import { setTimeout } from "node:timers"`: the same built-ins
  const own = ref.path[0] === "default" ? ref.path.slice(1) : ref.path;
  const path =
    ref.module === GLOBAL_MODULE ? ref.path : ref.module === "process" ? ["process", ...own] : ref.module === "timers" ? own : undefined;
  if (!path) return false;
  if (path[0] === "Math") return true;
  // signalling its own process (`process.kill(process.pid, signal)`, a signal handler re-raising the signal): the process exists
  if (path.length === 2 && path[0] === "process" && path[1] === "kill" && call.arguments[0] && isOwnPid(call.arguments[0])) return true;
  return NON_THROWING_BUILTINS.some((entry) => entry.length === path.length && entry.every((part, index) => path[index] === part));
}

/** A logger by its name: `console`, `log`, `this.logger`, `ctx.log`. */
const LOGGER_NAME = /(^|\.)(console|log|logger)$/i;

/** `log_1.default` (TypeScript's output for `import log from "./log"`) is `log`. */
function isLoggerName(dotted: string): boolean {
  return LOGGER_NAME.test(dotted.replace(/\.default$/, "").replace(/_\d+$/, ""));
}

/** `path.join`, `import { basename } from "node:path"`, `util.format`, `os.hostname()`: see NON_THROWING_MODULE_FUNCTIONS. */
function isNonThrowingModuleFunction(ref: { module: string; path: readonly string[] }): boolean {
  const own = ref.path[0] === "default" ? ref.path.slice(1) : ref.path;
  return NON_THROWING_MODULE_FUNCTIONS.get(ref.module)?.has(own.join(".")) ?? false;
}

/** String methods that return a value for any arguments (no callback, no pattern to compile). */
const STRING_METHODS = new Set([
  "toLowerCase",
  "toUpperCase",
  "toLocaleLowerCase",
  "toLocaleUpperCase",
  "trim",
  "trimStart",
  "trimEnd",
  "startsWith",
  "endsWith",
  "includes",
  "indexOf",
  "lastIndexOf",
  "slice",
  "substring",
  "charAt",
  "charCodeAt",
  "padStart",
  "padEnd",
  "at",
  "split",
]);

/** A value that is a string: a string literal or template, `String(x)`, `x.toString()`, or `x ?? ""` / `x || ""` (a header, an option with a default). */
function isStringValue(expression: ts.Expression): boolean {
  const node = unwrapExpression(expression);
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node)) return true;
  if (ts.isIdentifier(node)) {
    const declaration = findDeclaration(node);
    if (declaration && ts.isParameter(declaration)) return isElementOfSplit(declaration);
    return (
      !!declaration &&
      ts.isVariableDeclaration(declaration) &&
      (declaration.parent.flags & ts.NodeFlags.Const) !== 0 &&
      !!declaration.initializer &&
      isStringValue(declaration.initializer)
    );
  }
  if (ts.isCallExpression(node)) {
    const callee = unwrapExpression(node.expression);
    if (ts.isIdentifier(callee) && callee.text === "String" && !findDeclaration(callee)) return true;
    if (!ts.isPropertyAccessExpression(callee)) return false;
    return callee.name.text === "toString" || (STRING_METHODS.has(callee.name.text) && isStringValue(callee.expression));
  }
  if (
    ts.isBinaryExpression(node) &&
    (node.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || node.operatorToken.kind === ts.SyntaxKind.BarBarToken)
  )
    return isStringValue(node.right);
  return false;
}

/**
 * Stream methods that report failure by emitting `error` (or never fail): `destroy(err)` schedules
 * the `error` event, `pause`/`resume`/`cork`/`unpipe` only switch state. Taken as non-throwing on any
 * receiver the run does not declare: these names are the stream protocol's.
 */
const STREAM_CONTROL_METHODS = new Set(["destroy", "pause", "resume", "cork", "uncork", "unpipe", "setEncoding", "unref", "ref"]);

/** Methods of an `EventEmitter` or a stream that do not throw on a receiver known to be one (`emit` of any event but `error`). */
const EMITTER_METHODS = new Set(["emit", "end", "push", "setNoDelay", "setKeepAlive", "setTimeout", "close"]);

/** Node modules whose classes are event emitters or streams. */
const EMITTER_MODULES = new Set([
  "events",
  "stream",
  "net",
  "tls",
  "http",
  "https",
  "http2",
  "dgram",
  "child_process",
  "readline",
  "worker_threads",
  "zlib",
  "cluster",
]);

/** `EventEmitter`, `Duplex`, `net.Socket`, `http.Server`, or a name that says so (`TypedEmitter`, `MyStream`): a class from outside the run that emits events. */
function isEmitterClassReference(expression: ts.Expression): boolean {
  const ref = resolveApi(expression);
  if (ref && EMITTER_MODULES.has(ref.module)) return true;
  const name = ts.isIdentifier(unwrapExpression(expression))
    ? (unwrapExpression(expression) as ts.Identifier).text
    : memberName(unwrapExpression(expression));
  return !!name && /(Emitter|Stream|Duplex|Readable|Writable|Transform|PassThrough|Socket)$/.test(name);
}

/**
 * Is the receiver an event emitter or a stream, as the code shows it: `this` in a class whose
 * `extends` chain (through classes of the run) reaches one from outside the run that emits events,
 * an instance (`new Duplex()`, `new MyEmitter()` of such a class) held in a variable or a field, or,
 * with the checker, a value whose type has `on`, `emit` and `removeListener`.
 */
export function isEmitterReceiver(receiver: ts.Expression, env: PromiseEnv): boolean {
  const node = unwrapExpression(receiver);
  let klass: ts.ClassLikeDeclaration | undefined;
  if (node.kind === ts.SyntaxKind.ThisKeyword) klass = enclosingClass(node);
  else {
    const init = getInitializer(node) ?? fieldAssignedValue(node);
    if (init && ts.isNewExpression(init)) {
      if (isEmitterClassReference(init.expression)) return true;
      klass = classOfExpression(init.expression, env);
    }
    // a factory of a Node module whose objects are emitters: `readline.createInterface(…)`, `net.createServer()`, `spawn(…)`
    if (init && ts.isCallExpression(init)) {
      const ref = resolveApi(init.expression);
      if (ref && EMITTER_MODULES.has(ref.module) && ref.module !== "events") return true;
    }
  }
  for (let depth = 0; klass && depth < 5; depth++) {
    const base = klass.heritageClauses?.find((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
    if (!base) break;
    const next = classOfExpression(base, env);
    if (!next) return isEmitterClassReference(base);
    klass = next;
  }
  const members = knownTypeMembers(env.getTypeChecker(), node);
  return !!members && members.every((member) => ["on", "emit", "removeListener"].every((name) => !!member.getProperty(name)));
}

/**
 * For `this.#rl` / `this.rl` whose declaration gives no value (`#rl = null`, or no initialiser): the
 * one value the class's methods assign to it (`this.#rl = readline.createInterface(…)` in `run()`),
 * when every assignment of a value other than `null`/`undefined` assigns the same kind of expression
 * (one assignment, in practice).
 */
function fieldAssignedValue(expression: ts.Expression): ts.Expression | undefined {
  if (!ts.isPropertyAccessExpression(expression) || expression.expression.kind !== ts.SyntaxKind.ThisKeyword) return undefined;
  const klass = enclosingClass(expression);
  if (!klass) return undefined;
  const name = expression.name.text;
  const values: ts.Expression[] = [];
  for (const member of klass.members) {
    walk(member, (node) => {
      if (
        ts.isBinaryExpression(node) &&
        node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
        ts.isPropertyAccessExpression(node.left) &&
        node.left.expression.kind === ts.SyntaxKind.ThisKeyword &&
        node.left.name.text === name
      ) {
        const value = unwrapExpression(node.right);
        if (!(value.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(value) && value.text === "undefined"))) values.push(value);
      }
      return !ts.isClassLike(node) || node === klass;
    });
  }
  return values.length === 1 ? values[0] : undefined;
}

/** Array methods that call their callback synchronously and throw only when it does. */
const ARRAY_ITERATION = new Set(["forEach", "map", "filter", "some", "every", "find", "findIndex", "findLast", "findLastIndex", "flatMap"]);

/** `part` of `s.split(",").some((part) => …)`: the element parameter of an iteration over a split string. */
function isElementOfSplit(parameter: ts.ParameterDeclaration): boolean {
  const fn = parameter.parent;
  if (fn.parameters[0] !== parameter || !isFunctionNode(fn)) return false;
  const call = fn.parent;
  if (!call || !ts.isCallExpression(call) || call.arguments[0] !== fn) return false;
  const callee = unwrapExpression(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || !ARRAY_ITERATION.has(callee.name.text)) return false;
  const receiver = unwrapExpression(callee.expression);
  return (
    ts.isCallExpression(receiver) &&
    ts.isPropertyAccessExpression(unwrapExpression(receiver.expression)) &&
    (unwrapExpression(receiver.expression) as ts.PropertyAccessExpression).name.text === "split" &&
    isStringValue((unwrapExpression(receiver.expression) as ts.PropertyAccessExpression).expression)
  );
}

/** Array methods that give an array again. */
const ARRAY_RETURNING_METHODS = new Set([
  "filter",
  "map",
  "slice",
  "reverse",
  "concat",
  "sort",
  "flat",
  "flatMap",
  "toSorted",
  "toReversed",
]);

/** An array as the code shows it: a literal, `s.split(…)` of a string, `Object.keys/values/entries(…)`, `Array.from(…)`, or a `const` holding one. */
function isArrayValue(expression: ts.Expression): boolean {
  const node = unwrapExpression(expression);
  if (ts.isArrayLiteralExpression(node)) return true;
  if (ts.isIdentifier(node)) {
    const declaration = findDeclaration(node);
    return (
      !!declaration &&
      ts.isVariableDeclaration(declaration) &&
      (declaration.parent.flags & ts.NodeFlags.Const) !== 0 &&
      !!declaration.initializer &&
      isArrayValue(declaration.initializer)
    );
  }
  if (!ts.isCallExpression(node)) return false;
  const callee = unwrapExpression(node.expression);
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === "split")
    return isStringValue(callee.expression) || (node.arguments.length >= 1 && isLiteralPattern(node.arguments[0]!));
  if (ts.isPropertyAccessExpression(callee) && ARRAY_RETURNING_METHODS.has(callee.name.text)) return isArrayValue(callee.expression);
  const ref = resolveApi(node.expression);
  return (
    isApi(ref, GLOBAL_MODULE, "Object", "keys") ||
    isApi(ref, GLOBAL_MODULE, "Object", "values") ||
    isApi(ref, GLOBAL_MODULE, "Object", "entries") ||
    isApi(ref, GLOBAL_MODULE, "Array", "from")
  );
}

/**
 * For a call the run does not declare: one that by convention does not throw. A predicate
 * (`isStream(x)`, `is.nodeStream(x)`, `hasOwn(o, k)`) tests a value and answers; the stream control
 * methods above; and on a receiver known to be an emitter or a stream, `emit` (but `emit("error")`,
 * which throws without a listener), `end`, `push`: a stream reports failure through its `error` event.
 */
function isConventionallyNonThrowing(call: ts.CallExpression, env: PromiseEnv): boolean {
  const callee = unwrapExpression(call.expression);
  const name = ts.isIdentifier(callee) ? callee.text : memberName(callee);
  if (!name) return false;
  if (/^(is|has)[A-Z]/.test(name)) return true;
  if (!ts.isPropertyAccessExpression(callee) && !ts.isElementAccessExpression(callee)) return false;
  if (ts.isIdentifier(callee.expression) && callee.expression.text === "is") return true;
  if (STREAM_CONTROL_METHODS.has(name)) return true;
  if (STRING_ONLY_METHODS.has(name) && call.arguments.every((argument) => !ts.isSpreadElement(argument))) return true;
  if (name === "split" && call.arguments.length >= 1 && isLiteralPattern(call.arguments[0]!)) return true;
  // a regular expression literal's `exec`/`test`: matching does not throw
  if ((name === "exec" || name === "test") && isRegexValue(callee.expression)) return true;
  if (ARRAY_ITERATION.has(name)) {
    // `header.split(",").some((part) => known.has(part.trim()))`, `names.map((name) => load(name).catch(log))`: an iteration
    // method throws only if its callback does (on a receiver the run does not declare: by convention an array's)
    // (an async callback does not throw: `items.map(async (item) => …)` gives promises, judged where they are awaited)
    const callback = call.arguments[0] && unwrapExpression(call.arguments[0]);
    return (
      !!callback &&
      isFunctionNode(callback) &&
      ((isAsyncFunction(callback) && !isGeneratorFunction(callback)) || !functionCanThrow(callback, env, MAX_DEPTH - 2))
    );
  }
  if (READLINE_METHODS.has(name) && isMadeBy(callee.expression, "readline", "createInterface")) return true;
  if (!EMITTER_METHODS.has(name)) return false;
  if (name === "emit") {
    const event = call.arguments[0] && unwrapExpression(call.arguments[0]);
    if (!event || !(ts.isStringLiteral(event) || ts.isNoSubstitutionTemplateLiteral(event))) return false;
    // `emit("error")` throws when nothing listens for it; not when the code registers an 'error' listener on the same emitter
    if (event.text === "error") return hasErrorListener(callee.expression);
    // `emit` of a named event is the event-emitter protocol whatever the receiver (`(await request).emit("response", r)`):
    // it throws only if a listener does, as for the emitters known to be ones
    return true;
  }
  return isEmitterReceiver(callee.expression, env);
}

/** `process.pid`. */
function isOwnPid(expression: ts.Expression): boolean {
  const node = unwrapExpression(expression);
  return (
    ts.isPropertyAccessExpression(node) &&
    node.name.text === "pid" &&
    (isApi(resolveApi(node.expression), GLOBAL_MODULE, "process") || isApi(resolveApi(node.expression), "process"))
  );
}

/** A string or regular expression literal (`","`, `/\s+/`). */
function isLiteralPattern(expression: ts.Expression): boolean {
  const node = unwrapExpression(expression);
  return ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isRegularExpressionLiteral(node);
}

/** A regular expression literal, or a `const` holding one. */
function isRegexValue(expression: ts.Expression): boolean {
  const node = unwrapExpression(expression);
  if (ts.isRegularExpressionLiteral(node)) return true;
  if (!ts.isIdentifier(node)) return false;
  const declaration = findDeclaration(node);
  return (
    !!declaration &&
    ts.isVariableDeclaration(declaration) &&
    (declaration.parent.flags & ts.NodeFlags.Const) !== 0 &&
    !!declaration.initializer &&
    ts.isRegularExpressionLiteral(unwrapExpression(declaration.initializer))
  );
}

/** Methods of a `readline.createInterface(…)` interface that only switch state or write to its output. */
const READLINE_METHODS = new Set(["prompt", "setPrompt", "getPrompt", "close", "pause", "resume", "write"]);

/** Is the receiver (a variable or a field, also one assigned outside the constructor) made by `module.name(…)`? */
function isMadeBy(receiver: ts.Expression, module: string, name: string): boolean {
  const node = unwrapExpression(receiver);
  const init = getInitializer(node) ?? fieldAssignedValue(node);
  return !!init && ts.isCallExpression(init) && isApi(resolveApi(init.expression), module, name);
}

/**
 * Methods only strings have (`line.trim()`, `name.toLowerCase()`): called on a value the code does not
 * show, the value is taken to be a string, which they do not throw on.
 */
const STRING_ONLY_METHODS = new Set([
  "trim",
  "trimStart",
  "trimEnd",
  "toLowerCase",
  "toUpperCase",
  "toLocaleLowerCase",
  "toLocaleUpperCase",
  "padStart",
  "padEnd",
  "charAt",
  "charCodeAt",
  "codePointAt",
  "startsWith",
  "endsWith",
  "localeCompare",
]);

/**
 * Does the code register an `error` listener on this emitter: `busboy.on("error", …)` for the same
 * variable (in the function that declares it), or `this.on("error", …)` in the same class?
 */
function hasErrorListener(receiver: ts.Expression): boolean {
  const node = unwrapExpression(receiver);
  let scope: ts.Node | undefined;
  let same: (candidate: ts.Expression) => boolean;
  if (node.kind === ts.SyntaxKind.ThisKeyword) {
    scope = enclosingClass(node);
    same = (candidate) => candidate.kind === ts.SyntaxKind.ThisKeyword && enclosingClass(candidate) === scope;
  } else if (ts.isIdentifier(node)) {
    const declaration = findDeclaration(node);
    if (!declaration) return false;
    scope = ts.findAncestor(declaration.parent, (ancestor) => isFunctionNode(ancestor) || ts.isSourceFile(ancestor));
    same = (candidate) => ts.isIdentifier(candidate) && candidate.text === node.text && findDeclaration(candidate) === declaration;
  } else {
    const text = dottedName(node);
    if (!text || !text.startsWith("this.")) return false;
    scope = enclosingClass(node);
    same = (candidate) => dottedName(candidate) === text && enclosingClass(candidate) === scope;
  }
  if (!scope) return false;
  let found = false;
  walk(scope, (child) => {
    if (found) return false;
    if (ts.isCallExpression(child)) {
      const callee = unwrapExpression(child.expression);
      const event = child.arguments[0] && unwrapExpression(child.arguments[0]);
      if (
        ts.isPropertyAccessExpression(callee) &&
        ERROR_LISTENER_METHODS.has(callee.name.text) &&
        event &&
        (ts.isStringLiteral(event) || ts.isNoSubstitutionTemplateLiteral(event)) &&
        event.text === "error" &&
        child.arguments.length > 1 &&
        same(unwrapExpression(callee.expression))
      )
        found = true;
    }
    return !found;
  });
  return found;
}

const ERROR_LISTENER_METHODS = new Set(["on", "once", "addListener", "prependListener", "prependOnceListener"]);

/**
 * `timers/promises` `setTimeout(ms, value?, options?)` / `setImmediate(value?, options?)` /
 * `scheduler.wait(ms, options?)` without an abort signal: a wait that only resolves.
 */
function isSignallessTimer(call: ts.CallExpression): boolean {
  const ref = resolveApi(call.expression);
  if (!ref || ref.module !== "timers/promises") return false;
  const path = ref.path[0] === "default" ? ref.path.slice(1) : ref.path;
  const name = path.join(".");
  const optionsIndex = name === "setTimeout" ? 2 : name === "setImmediate" ? 1 : name === "scheduler.wait" ? 1 : -1;
  if (optionsIndex < 0) return false;
  if (call.arguments.some((argument) => ts.isSpreadElement(argument))) return false;
  const options = call.arguments[optionsIndex];
  if (!options) return true;
  const value = unwrapExpression(options);
  return (
    ts.isObjectLiteralExpression(value) &&
    value.properties.every(
      (property) =>
        !ts.isSpreadAssignment(property) && !(property.name && ts.isIdentifier(property.name) && property.name.text === "signal"),
    )
  );
}

/**
 * `import("pkg")` of a module named by a literal: it fails only when the installation is broken, as a
 * static import would at startup, so it is not counted as a rejection to handle (nor as a throw).
 */
function isLiteralImport(call: ts.CallExpression): boolean {
  const argument = call.arguments[0];
  return (
    call.expression.kind === ts.SyntaxKind.ImportKeyword &&
    !!argument &&
    (ts.isStringLiteral(argument) || ts.isNoSubstitutionTemplateLiteral(argument))
  );
}

/** `resolve` of a `new Promise((resolve, reject) => …)` executor (or any parameter of it): calling it does not throw. */
function isExecutorParameter(identifier: ts.Identifier): boolean {
  const declaration = findDeclaration(identifier);
  if (!declaration || !ts.isParameter(declaration)) return false;
  const executor = declaration.parent;
  const construct = executor.parent;
  return (
    !!construct &&
    ts.isNewExpression(construct) &&
    ts.isIdentifier(construct.expression) &&
    construct.expression.text === "Promise" &&
    construct.arguments?.[0] === executor
  );
}

/** Is `expression` a value that is certainly not a promise (a literal, an object or array literal, `void …`)? */
function isPlainValue(expression: ts.Expression): boolean {
  const node = unwrapExpression(expression);
  return (
    ts.isLiteralExpression(node) ||
    ts.isNoSubstitutionTemplateLiteral(node) ||
    ts.isObjectLiteralExpression(node) ||
    ts.isArrayLiteralExpression(node) ||
    ts.isVoidExpression(node) ||
    ts.isPrefixUnaryExpression(node) ||
    node.kind === ts.SyntaxKind.NullKeyword ||
    node.kind === ts.SyntaxKind.TrueKeyword ||
    node.kind === ts.SyntaxKind.FalseKeyword ||
    (ts.isIdentifier(node) && node.text === "undefined")
  );
}

/**
 * For an array variable handed to `Promise.all(list)`: every element it can hold, when the code shows
 * them all — declared with an array literal, and otherwise only used as `list.push(…)` (also inside
 * callbacks) and as this argument. Undefined when it escapes or is assigned elsewhere.
 */
function pushedElements(list: ts.Identifier): ts.Expression[] | undefined {
  const declaration = findDeclaration(list);
  if (!declaration || !ts.isVariableDeclaration(declaration) || !ts.isIdentifier(declaration.name) || !declaration.initializer)
    return undefined;
  const init = unwrapExpression(declaration.initializer);
  if (!ts.isArrayLiteralExpression(init)) return undefined;
  const elements: ts.Expression[] = [...init.elements];
  let container: ts.Node = declaration.getSourceFile();
  for (let current: ts.Node | undefined = declaration.parent; current; current = current.parent) {
    if (isFunctionNode(current)) {
      container = current;
      break;
    }
  }
  const name = declaration.name.text;
  let escapes = false;
  walk(container, (node) => {
    if (escapes) return false;
    if (!ts.isIdentifier(node) || node.text !== name || node === declaration.name || node === list) return true;
    if (findDeclaration(node) !== declaration) return true;
    const access = node.parent;
    const call = access?.parent;
    if (
      access &&
      ts.isPropertyAccessExpression(access) &&
      access.expression === node &&
      access.name.text === "push" &&
      call &&
      ts.isCallExpression(call) &&
      call.expression === access
    ) {
      elements.push(...call.arguments);
    } else {
      escapes = true;
    }
    return !escapes;
  });
  return escapes ? undefined : elements;
}

/** The function of `items.map(fn)` / `Array.from(items, fn)` (a function node, or a function declared by name). */
function mapCallback(expression: ts.Expression): ts.FunctionLikeDeclaration | undefined {
  const node = unwrapExpression(expression);
  if (!ts.isCallExpression(node)) return undefined;
  const callee = unwrapExpression(node.expression);
  let argument: ts.Expression | undefined;
  if (ts.isPropertyAccessExpression(callee) && callee.name.text === "map" && node.arguments.length >= 1) argument = node.arguments[0];
  else if (isApi(resolveApi(node.expression), GLOBAL_MODULE, "Array", "from") && node.arguments.length >= 2) argument = node.arguments[1];
  if (!argument) return undefined;
  const value = unwrapExpression(argument);
  if (isFunctionNode(value)) return value;
  return ts.isIdentifier(value) ? functionOfDeclaration(findDeclaration(value)) : undefined;
}

/**
 * `locks[path].then(async () => …)`, or a `const` holding one: a `.then`/`.catch`/`.finally` chain, which
 * an async function that returns it adopts (its receiver's type need not be known).
 */
function isPromiseChain(expression: ts.Expression): boolean {
  let node = unwrapExpression(expression);
  if (ts.isIdentifier(node)) {
    const declaration = findDeclaration(node);
    if (
      !declaration ||
      !ts.isVariableDeclaration(declaration) ||
      (declaration.parent.flags & ts.NodeFlags.Const) === 0 ||
      !declaration.initializer
    )
      return false;
    node = unwrapExpression(declaration.initializer);
  }
  if (!ts.isCallExpression(node)) return false;
  const callee = unwrapExpression(node.expression);
  const method = memberName(callee);
  return (
    (method === "then" || method === "catch" || method === "finally") &&
    (ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee))
  );
}

/** A `const` initialised with a plain value (`const done = { value: undefined, done: true }`). */
function isPlainConst(expression: ts.Expression): boolean {
  const node = unwrapExpression(expression);
  if (!ts.isIdentifier(node)) return false;
  const declaration = findDeclaration(node);
  return (
    !!declaration &&
    ts.isVariableDeclaration(declaration) &&
    !!declaration.initializer &&
    (declaration.parent.flags & ts.NodeFlags.Const) !== 0 &&
    isPlainValue(declaration.initializer)
  );
}

/** With the checker: a value whose type has no `then` (not a promise, nor any/unknown). */
function isNonThenableTyped(expression: ts.Expression, env: PromiseEnv): boolean {
  const members = knownTypeMembers(env.getTypeChecker(), expression);
  return !!members && members.every((member) => !member.getProperty("then") && !(member.flags & ts.TypeFlags.TypeParameter));
}

const MAX_DEPTH = 6;

/**
 * Can the promise this expression evaluates to reject? `false` only when shown it cannot; `true`
 * otherwise (also for anything that is not a promise: the caller asks about promises).
 */
export function canReject(expression: ts.Expression, env: PromiseEnv, depth = 0): boolean {
  if (depth > MAX_DEPTH) return true;
  const node = unwrapExpression(expression);
  if (ts.isNewExpression(node)) {
    if (!ts.isIdentifier(node.expression) || node.expression.text !== "Promise" || findDeclaration(node.expression)) return true;
    const executor = node.arguments?.[0] && unwrapExpression(node.arguments[0]);
    if (!executor || !(ts.isArrowFunction(executor) || ts.isFunctionExpression(executor))) return true;
    if (executor.parameters.length < 2) return false;
    // `reject` declared but never used, and an executor that cannot throw
    const reject = executor.parameters[1]!.name;
    if (!ts.isIdentifier(reject)) return true;
    let used = false;
    walk(executor.body, (child) => {
      if (used) return false;
      if (ts.isIdentifier(child) && child.text === reject.text) used = true;
      return !used;
    });
    return used || functionCanThrow(executor, env, depth + 1);
  }
  if (ts.isConditionalExpression(node)) {
    return canReject(node.whenTrue, env, depth + 1) || canReject(node.whenFalse, env, depth + 1);
  }
  if (ts.isIdentifier(node)) {
    const declaration = findDeclaration(node);
    if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer && ts.isIdentifier(declaration.name)) {
      const isConst = (declaration.parent.flags & ts.NodeFlags.Const) !== 0;
      if (isConst) return canReject(declaration.initializer, env, depth + 1);
    }
    return true;
  }
  if (!ts.isCallExpression(node)) return true;
  const chained = unwrapExpression(node.expression);
  const chainMethod = memberName(chained);
  if (
    (chainMethod === "catch" || chainMethod === "then") &&
    hasRejectionHandler(node) &&
    (ts.isPropertyAccessExpression(chained) || ts.isElementAccessExpression(chained))
  ) {
    // the handler replaces the rejection: the chain rejects only if a callback does (a rethrow, a rejecting promise)
    // (a handler whose body is not in the linted files, `console.error`, is taken to handle)
    return node.arguments.slice(0, 2).some((argument) => callbackCanReject(argument, env, depth + 1, false));
  }
  const ref = resolveApi(node.expression);
  if (ref && ref.module === GLOBAL_MODULE && ref.path.length === 2 && ref.path[0] === "Promise") {
    const method = ref.path[1];
    if (method === "allSettled") return false;
    if (method === "resolve") {
      const value = node.arguments[0];
      return !!value && !isPlainValue(value) && !isPlainConst(value) && !isNonThenableTyped(value, env) && canReject(value, env, depth + 1);
    }
    if (method === "all" || method === "race" || method === "any") {
      const list = node.arguments[0] && unwrapExpression(node.arguments[0]);
      if (list && ts.isIdentifier(list)) {
        const pushed = pushedElements(list);
        return (
          !pushed || pushed.some((element) => ts.isSpreadElement(element) || (!isPlainValue(element) && canReject(element, env, depth + 1)))
        );
      }
      // `Promise.all(items.map(async (item) => …))`: each element is what the callback returns
      const mapped = list && mapCallback(list);
      if (mapped)
        return isAsyncFunction(mapped) ? functionCanReject(mapped, env, depth + 1) : returnsRejectingPromise(mapped, env, depth + 1);
      if (!list || !ts.isArrayLiteralExpression(list)) return true;
      return list.elements.some((element) => ts.isSpreadElement(element) || (!isPlainValue(element) && canReject(element, env, depth + 1)));
    }
    return true;
  }
  if (isSignallessTimer(node) || isLiteralImport(node)) return false;
  if (isVscodeTaskRunner(ref)) {
    const task = node.arguments[node.arguments.length - 1];
    return !task || callbackCanReject(task, env, depth + 1);
  }
  const callee = unwrapExpression(node.expression);
  const method = memberName(callee);
  if ((method === "then" || method === "finally") && (ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee))) {
    if (canReject(callee.expression, env, depth + 1)) return true;
    const [onFulfilled] = node.arguments;
    return !!onFulfilled && callbackCanReject(onFulfilled, env, depth + 1);
  }
  if (isFunctionNode(callee)) return functionCanReject(callee, env, depth + 1);
  // `update.call(this)`: the promise is the one `update` returns
  const invoked = functionInvokedByCallOrApply(node, env);
  if (invoked) return functionCanReject(invoked, env, depth + 1);
  // through an interface or an abstract method: it can reject when one of its implementations can
  const called = resolveCalledFunctions(node, env);
  if (called) return called.some((fn) => functionCanReject(fn, env, depth + 1));
  return true;
}

/**
 * A callback handed to `.then`/`.finally`: can the promise the chain adopts from it reject? A
 * synchronous throw in it is not counted (as for other synchronous callbacks): only an async callback
 * that can reject, or a returned promise that can.
 */
function callbackCanReject(argument: ts.Expression, env: PromiseEnv, depth: number, unknownRejects = true): boolean {
  const value = unwrapExpression(argument);
  if (value.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(value) && value.text === "undefined")) return false;
  if (ts.isIdentifier(value) && isExecutorParameter(value)) return false;
  const fn = isFunctionNode(value) ? value : ts.isIdentifier(value) ? functionOfDeclaration(findDeclaration(value)) : undefined;
  if (!fn) return unknownRejects;
  if (isAsyncFunction(fn)) return functionCanReject(fn, env, depth);
  // an explicit `throw` (a rethrow in a rejection handler) rejects the chain
  if (fn.body && ts.isBlock(fn.body)) {
    let rethrows = false;
    const body = fn.body;
    walk(body, (node) => {
      if (rethrows || (node !== body && isFunctionNode(node))) return false;
      if (ts.isThrowStatement(node) && !isGuardedByCatch(node, body)) rethrows = true;
      return !rethrows;
    });
    if (rethrows) return true;
  }
  return returnsRejectingPromise(fn, env, depth, true);
}

/**
 * A non-async function: does any `return` hand back a promise that can reject? A returned value not
 * known to be a promise counts when `known` is false (a function called for its promise), and does not
 * when it is true (a callback, whose value is usually not a promise).
 */
function returnsRejectingPromise(fn: ts.FunctionLikeDeclaration, env: PromiseEnv, depth: number, known = false): boolean {
  const body = fn.body;
  if (!body) return true;
  const mayBePromise = (value: ts.Expression) => {
    const promise = isPromiseExpression(value, env);
    return known ? promise === true : promise !== false;
  };
  if (!ts.isBlock(body)) return mayBePromise(body) && !isPlainValue(body) && canReject(body, env, depth + 1);
  let rejects = false;
  walk(body, (node) => {
    if (rejects || (node !== body && isFunctionNode(node))) return false;
    if (ts.isReturnStatement(node) && node.expression) {
      const value = node.expression;
      rejects = mayBePromise(value) && !isPlainValue(value) && canReject(value, env, depth + 1);
    }
    return !rejects;
  });
  return rejects;
}

/**
 * Can the promise a call of `fn` returns reject? For an async function: a `throw`, a rejecting
 * `await`, a `for await`, or a call that may throw, outside a `try` with a `catch` (a `throw` in the
 * `catch` itself rethrows; calls made while handling the error there or in `finally` are the
 * function's chosen handling and are not counted), or a returned promise that can reject (a returned
 * promise escapes a surrounding `try`). For a plain function: whether a returned promise can reject.
 */
export function functionCanReject(fn: ts.FunctionLikeDeclaration, env: PromiseEnv, depth = 0): boolean {
  const cache = caches(env).rejects;
  const known = cache.get(fn);
  if (known !== undefined) return known;
  if (depth > MAX_DEPTH) return true;
  // a cycle (recursion) is taken as able to reject until shown otherwise
  cache.set(fn, true);
  const result = computeFunctionCanReject(fn, env, depth);
  cache.set(fn, result);
  return result;
}

function computeFunctionCanReject(fn: ts.FunctionLikeDeclaration, env: PromiseEnv, depth: number): boolean {
  const body = fn.body;
  if (!body || isGeneratorFunction(fn)) return true;
  if (!isAsyncFunction(fn)) return returnsRejectingPromise(fn, env, depth);
  if (!ts.isBlock(body)) {
    return (
      throwsOutsideTry(body, body, env, depth) ||
      (!isPlainValue(body) && isPromiseExpression(body, env) === true && canReject(body, env, depth + 1))
    );
  }
  if (throwsOutsideTry(body, body, env, depth)) return true;
  let returnsRejecting = false;
  walk(body, (node) => {
    if (returnsRejecting || (node !== body && isFunctionNode(node))) return false;
    if (ts.isReturnStatement(node) && node.expression && !ts.isAwaitExpression(unwrapExpression(node.expression))) {
      const value = node.expression;
      returnsRejecting =
        !isPlainValue(value) && (isPromiseExpression(value, env) === true || isPromiseChain(value)) && canReject(value, env, depth + 1);
    }
    return !returnsRejecting;
  });
  if (returnsRejecting) return true;
  return collectAwaits(body).some((found) => {
    // awaited while handling an error (in a catch or finally): the function's chosen handling, as for calls there
    if (isGuardedByCatch(found, body) || isInHandler(found, body)) return false;
    if (!ts.isAwaitExpression(found)) return true; // for await outside a try
    return canReject(found.expression, env, depth + 1);
  });
}

/** In an async function's body: a `throw`, or a call that may throw, outside a `try` with a `catch`. */
function throwsOutsideTry(root: ts.Node, guardRoot: ts.Node, env: PromiseEnv, depth: number): boolean {
  let throws = false;
  const promiseHeads = new Set<ts.Node>();
  walk(root, (node) => {
    if (throws || (node !== root && isFunctionNode(node))) return false;
    if (ts.isThrowStatement(node)) {
      throws = !isGuardedByCatch(node, guardRoot);
    } else if (ts.isCallExpression(node)) {
      if (isGuardedByCatch(node, guardRoot) || isInHandler(node, guardRoot)) return false;
      const head = hasRejectionHandler(node) ? chainHead(node) : undefined;
      if (head) promiseHeads.add(head);
      // the call a handled chain starts from gives a promise: it reports failure by rejecting (its arguments are still looked at)
      throws = !promiseHeads.has(node) && callCanThrow(node, env, depth + 1);
    }
    return !throws;
  });
  return throws;
}

/** `db.put(x)` of `db.put(x).then(f).catch(h)`: the call a promise chain starts from. */
function chainHead(call: ts.CallExpression): ts.CallExpression | undefined {
  let node: ts.Expression = call;
  for (;;) {
    if (!ts.isCallExpression(node)) return undefined;
    const callee = unwrapExpression(node.expression);
    const method = memberName(callee);
    if (
      !(method === "then" || method === "catch" || method === "finally") ||
      !(ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee))
    )
      return node === call ? undefined : node;
    node = unwrapExpression(callee.expression);
  }
}

/**
 * Can this call throw synchronously? Not for the calls of `isNonThrowingCall`, promise APIs (they
 * report failure by rejecting), async functions (they never throw), the executor's `resolve`, and
 * functions of the run whose bodies cannot throw (arguments are looked at too).
 */
export function callCanThrow(call: ts.CallExpression, env: PromiseEnv, depth = 0): boolean {
  if (depth > MAX_DEPTH) return true;
  if (hasRejectionHandler(call) || isNonThrowingCall(call, env)) return false;
  const callee = unwrapExpression(call.expression);
  if (ts.isIdentifier(callee) && isExecutorParameter(callee)) return false;
  if (isSignallessTimer(call) || isKnownPromiseApi(resolveApi(call.expression)) || isLiteralImport(call)) return false;
  const method = memberName(callee);
  if (
    (method === "then" || method === "finally" || method === "catch") &&
    (ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee))
  )
    return false;
  const called = isFunctionNode(callee) ? [callee] : resolveCalledFunctions(call, env);
  // not declared in the run, or only declared (`declare function`, an overload): judged by convention
  if (!called || called.every((fn) => !fn.body)) return !isConventionallyNonThrowing(call, env);
  return called.some((fn) => !(isAsyncFunction(fn) && !isGeneratorFunction(fn)) && functionCanThrow(fn, env, depth + 1));
}

/** Can a call of this (non-async) function throw: a `throw` or a call that may throw outside a `try` with a `catch`? */
export function functionCanThrow(fn: ts.FunctionLikeDeclaration, env: PromiseEnv, depth = 0): boolean {
  const cache = caches(env).throws;
  const known = cache.get(fn);
  if (known !== undefined) return known;
  if (depth > MAX_DEPTH || !fn.body) return true;
  cache.set(fn, true);
  const result = throwsOutsideTry(fn.body, fn.body, env, depth);
  cache.set(fn, result);
  return result;
}

/**
 * Does the package this file belongs to install a `process.on("unhandledRejection", …)` handler in
 * one of the run's files? Then an unhandled rejection goes to that handler instead of crashing Node.
 * Decided per package (the nearest folder with a package.json), never for the whole run.
 */
export function hasUnhandledRejectionHandler(env: PromiseEnv, sourceFile: ts.SourceFile): boolean {
  const filePath = env.filePath ?? sourceFile.fileName;
  const rootOf = (file: string) => packageRootOf(path.dirname(file)) ?? "";
  const installs = (file: { sourceFile: ts.SourceFile }) =>
    file.sourceFile.text.includes("unhandledRejection") && installsHandler(file.sourceFile);
  if (!env.program) return installs({ sourceFile });
  const root = rootOf(filePath);
  for (const [file, installed] of env.program.facts("unhandled-rejection-handlers", installs, "unhandledRejection"))
    if (installed && rootOf(file) === root) return true;
  return false;
}

function installsHandler(sourceFile: ts.SourceFile): boolean {
  let found = false;
  walk(sourceFile, (node) => {
    if (found) return false;
    if (ts.isCallExpression(node)) {
      const callee = unwrapExpression(node.expression);
      const event = node.arguments[0] && unwrapExpression(node.arguments[0]);
      if (
        ts.isPropertyAccessExpression(callee) &&
        ["on", "once", "addListener", "prependListener"].includes(callee.name.text) &&
        event &&
        (ts.isStringLiteral(event) || ts.isNoSubstitutionTemplateLiteral(event)) &&
        event.text === "unhandledRejection" &&
        (isApi(resolveApi(callee.expression), GLOBAL_MODULE, "process") || isApi(resolveApi(callee.expression), "process"))
      ) {
        found = true;
      }
    }
    return !found;
  });
  return found;
}
