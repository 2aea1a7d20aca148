import {
  cannotReject,
  calleeName,
  collectAwaits,
  defineTypeScriptRule,
  dottedName,
  findDeclaration,
  GLOBAL_MODULE,
  getInitializer,
  getPropertyValue,
  hasRejectionHandler,
  isApi,
  isAsyncFunction,
  isFunctionNode,
  isInside,
  isNativePromiseTyped,
  isPromiseExpression,
  lineOf,
  listenerRegistration,
  memberName,
  resolveApi,
  returnsPromise,
  serverFactoryOf,
  functionValueOf,
  ts,
  unwrapExpression,
  walk,
  type PromiseEnv,
  hasExportModifier,
  resolveCalledFunction,
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

/** The `try` whose protected block holds `node` (and has a `catch`), searching up to `root`. */
function isGuardedByCatch(node: ts.Node, root: ts.Node): boolean {
  for (let current: ts.Node = node; current !== root && current.parent; current = current.parent) {
    const parent = current.parent;
    if (ts.isTryStatement(parent) && parent.tryBlock === current && parent.catchClause) return true;
  }
  return false;
}

/** Inside a `catch` clause or a `finally` block below `root`: the function's own error handling. */
function isInHandler(node: ts.Node, root: ts.Node): boolean {
  for (let current: ts.Node = node; current !== root && current.parent; current = current.parent) {
    const parent = current.parent;
    if (ts.isCatchClause(current) || (ts.isTryStatement(parent) && parent.finallyBlock === current)) return true;
  }
  return false;
}

/** Built-ins that do not throw whatever they are given: reading a clock, arithmetic, type tests, scheduling. */
const NON_THROWING_BUILTINS: readonly (readonly string[])[] = [
  ["Date", "now"],
  ["performance", "now"],
  ["process", "hrtime"],
  ["process", "hrtime", "bigint"],
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
];
/** Adding or removing an event listener. */
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
]);

/**
 * A call not expected to throw: logging (`console.error`, `logger.warn`, `this.log.info`), listener
 * (un)registration, `node:assert`, `Math.*` and the built-ins above. Counting them would make any function that
 * times itself or logs outside its `try` look like one that can reject.
 */
function isNonThrowingCall(call: ts.CallExpression): boolean {
  const callee = unwrapExpression(call.expression);
  if (ts.isPropertyAccessExpression(callee)) {
    if (LISTENER_METHODS.has(callee.name.text)) return true;
    const receiver = dottedName(callee.expression);
    if (receiver && /(^|\.)(console|log|logger)$/i.test(receiver)) return true;
  }
  const ref = resolveApi(call.expression);
  // an assertion states an invariant: when it fails, the bug it reports is not a rejection to handle
  if (ref && (ref.module === "assert" || ref.module === "assert/strict")) return true;
  if (isApi(ref, "perf_hooks", "performance", "now")) return true;
  if (!ref || ref.module !== GLOBAL_MODULE) return false;
  if (ref.path[0] === "Math") return true;
  return NON_THROWING_BUILTINS.some((path) => path.length === ref.path.length && path.every((part, index) => ref.path[index] === part));
}

/**
 * In an async function a `throw`, or a call that throws, becomes a rejection: true when one can happen
 * outside a `try` with a `catch` (a `throw` in the `catch` itself rethrows; calls made while handling
 * the error there or in `finally` are the function's chosen handling and are not counted).
 */
function throwsOutsideTry(root: ts.Node): boolean {
  let throws = false;
  walk(root, (node) => {
    if (throws || (node !== root && isFunctionNode(node))) return false;
    if (ts.isThrowStatement(node)) {
      throws = !isGuardedByCatch(node, root);
    } else if (ts.isCallExpression(node)) {
      if (hasRejectionHandler(node) || isNonThrowingCall(node)) return false;
      throws = !isGuardedByCatch(node, root) && !isInHandler(node, root);
    }
    return !throws;
  });
  return throws;
}

/**
 * True when no rejection can escape the function: every `await` sits in a `try` block that has a
 * `catch` or awaits a chain that ends in `.catch(handler)`, no promise is returned unhandled (a
 * returned promise escapes a surrounding `try`), and, for an async function, no `throw` or call (whose
 * exception would become the rejection) happens outside such a `try`. A plain function that never
 * awaits counts as safe: a throw in it is synchronous, and the promises it starts are checked as
 * statements of their own.
 */
function catchesItsRejections(fn: ts.FunctionLikeDeclaration, env: PromiseEnv): boolean {
  if (!fn.body) return true;
  const escapes = (expression: ts.Expression) => {
    const node = unwrapExpression(expression);
    const operand = ts.isAwaitExpression(node) ? unwrapExpression(node.expression) : node;
    return !hasRejectionHandler(operand) && isPromiseExpression(operand, env) === true;
  };
  const body = fn.body;
  if (isAsyncFunction(fn) && throwsOutsideTry(body)) return false;
  if (!ts.isBlock(body)) return !escapes(body as ts.Expression);
  let returnsUnhandled = false;
  walk(body, (node) => {
    if (returnsUnhandled || (node !== body && isFunctionNode(node))) return false;
    if (
      ts.isReturnStatement(node) &&
      node.expression &&
      !ts.isAwaitExpression(unwrapExpression(node.expression)) &&
      escapes(node.expression)
    )
      returnsUnhandled = true;
    return !returnsUnhandled;
  });
  if (returnsUnhandled) return false;
  return collectAwaits(body).every(
    (found) => (ts.isAwaitExpression(found) && hasRejectionHandler(found.expression)) || isGuardedByCatch(found, body),
  );
}

/**
 * The callback form of a dual API, known from the checker: the call passes a function as its last
 * argument and is typed `Promise<…> | undefined` (undici's `request(opts, callback)` returns a promise
 * only when no callback is given), so the error goes to the callback.
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
  const nothing = type.types.some((member) => (member.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Void)) !== 0);
  const promise = type.types.some((member) => (member.getSymbol() ?? member.aliasSymbol)?.name === "Promise");
  return nothing && promise;
}

/**
 * `Promise.allSettled(…)` (it never rejects) or a promise that cannot reject, followed only by `.then` /
 * `.finally` with synchronous callbacks: nothing in the chain can reject but a synchronous throw, which
 * is not counted, as for callbacks.
 */
function settlesWithoutRejecting(expression: ts.Expression, env: PromiseEnv): boolean {
  const node = unwrapExpression(expression);
  if (cannotReject(node)) return true;
  if (!ts.isCallExpression(node)) return false;
  if (isApi(resolveApi(node.expression), GLOBAL_MODULE, "Promise", "allSettled")) return true;
  const callee = unwrapExpression(node.expression);
  const method = memberName(callee);
  if ((method !== "then" && method !== "finally") || !(ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee)))
    return false;
  const synchronous = node.arguments.every((argument) => {
    const fn = unwrapExpression(argument);
    return isFunctionNode(fn) && !returnsPromise(fn, env);
  });
  return synchronous && settlesWithoutRejecting(callee.expression, env);
}

/** Libraries whose `on(…)` awaits async handlers and routes their errors (Telegraf, grammY). */
const AWAITING_EMITTERS = ["telegraf", "grammy"];

function isAwaitingEmitter(receiver: ts.Expression): boolean {
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
    "Express route handlers are not checked: Express 5 handles their rejections and the version is not visible to the rule. Libraries whose `on()` awaits handlers are recognised for Telegraf and grammY, or through types.",
    "A stored promise is followed to its first use only; a first use in one branch and none in another is not reported.",
    "With types, a call with a function as its last argument that is typed `Promise<…> | undefined` is taken as the callback form of a dual API (undici's `request(opts, callback)`) and not reported.",
    "`Promise.allSettled(…)`, and a promise that cannot reject, followed only by synchronous `.then`/`.finally` callbacks, is not reported: only a throw inside such a callback could reject it.",
    "Functions of other files are judged by whether they return a promise, not by their bodies, and awaited calls are not followed: an async listener whose awaited call catches every error itself (ioredis' `initFailoverDetector` awaiting a `subscribe()` that catches each subscription), or a signal handler returning a method whose `finally` calls `process.exit()`, is reported.",
    "A local async function (or async callback) counts as catching its own rejections when every `await`, every `throw` and every call in it sits in a `try` with a `catch` that does not rethrow; calls made in the `catch` or `finally` themselves, logging, listener (un)registration, `node:assert` assertions, `Math.*`, clocks and timers are taken not to throw. Property access on a possibly-undefined value is not considered.",
  ],
  create(context) {
    let captures: boolean | undefined;
    const capturesRejections = () => (captures ??= capturesRejectionsGlobally(context.sourceFile));
    const env: PromiseEnv = {
      getTypeChecker: () => context.getTypeChecker(),
      program: context.program,
      filePath: context.filePath,
    };

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

    function checkDroppedValue(node: ts.Expression): void {
      if (ts.isVoidExpression(node)) {
        if (context.options.allowVoid) return;
        const inner = unwrapExpression(node.expression);
        if (
          (ts.isCallExpression(inner) || ts.isNewExpression(inner)) &&
          !hasRejectionHandler(inner) &&
          isPromiseExpression(inner, env) === true
        ) {
          context.report({ node, messageId: "voided", data: { name: describe(inner) } });
        }
        return;
      }
      if (!ts.isCallExpression(node) && !ts.isNewExpression(node)) return;
      if (ts.isCallExpression(node) && (isDroppedArrayOfPromises(node) || isTestRunnerRegistration(node))) return;
      if (hasRejectionHandler(node) || catchesInside(node) || settlesWithoutRejecting(node, env)) return;
      if (ts.isCallExpression(node) && isCallbackFormOfDualApi(node, context.getTypeChecker())) return;
      if (isPromiseExpression(node, env) === true) {
        context.report({ node, messageId: "floating", data: { name: describe(node) }, suggest: suggestionsFor(node) });
      }
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

    /** A call of a function of this file that catches its own rejections (`async function f() { try { … } catch { … } }`). */
    function catchesInside(node: ts.CallExpression | ts.NewExpression): boolean {
      if (!ts.isCallExpression(node)) return false;
      const called = resolveCalledFunction(node, env);
      return !!called && catchesItsRejections(called, env);
    }

    /** `items.map(async …)` as a statement: reported here, and never as a plain floating call. */
    function isDroppedArrayOfPromises(call: ts.CallExpression): boolean {
      const method = memberName(unwrapExpression(call.expression));
      if (method !== "map" && method !== "flatMap") return false;
      const callback = call.arguments[0] && functionValueOf(call.arguments[0]);
      if (!callback || !returnsPromise(callback, env)) return false;
      context.report({ node: call, messageId: "droppedArray", data: { method } });
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
          context.report({ node: argument, messageId: "asyncForEach" });
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
        if (catchesItsRejections(fn, env)) return;
        if (parameterAcceptsPromise(context.getTypeChecker(), argument)) return;
        context.report({ node: argument, messageId: "asyncCallback", data: { api } });
      });
    }

    function checkStoredPromise(declaration: ts.VariableDeclaration): void {
      if (!ts.isIdentifier(declaration.name) || !declaration.initializer) return;
      const list = declaration.parent;
      if (!ts.isVariableDeclarationList(list) || !ts.isVariableStatement(list.parent) || hasExportModifier(list.parent)) return;
      const init = unwrapExpression(declaration.initializer);
      if (!ts.isCallExpression(init) && !ts.isNewExpression(init)) return;
      if (hasRejectionHandler(init) || catchesInside(init) || settlesWithoutRejecting(init, env) || isPromiseExpression(init, env) !== true)
        return;
      let container: ts.Node = context.sourceFile;
      for (let current: ts.Node | undefined = list.parent; current; current = current.parent) {
        if (isFunctionNode(current)) {
          container = current.body ?? current;
          break;
        }
      }
      const name = declaration.name.text;
      // pre-order: the first reference found is the first in the source
      let first: ts.Identifier | undefined;
      walk(container, (node) => {
        if (first) return false;
        if (ts.isIdentifier(node) && node.text === name && node !== declaration.name && findDeclaration(node) === declaration) first = node;
        return !first;
      });
      if (!first) {
        context.report({ node: declaration, messageId: "floating", data: { name: describe(init) } });
        return;
      }
      for (let current: ts.Node = first; current !== container && current.parent; current = current.parent) {
        if (isFunctionNode(current)) return; // handed to a callback: whoever runs it decides
      }
      const reference = first;
      const awaits = collectAwaits(container).filter(
        (found) => found.pos >= declaration.end && found.end <= reference.pos && !isInside(reference, found),
      );
      if (awaits.length === 0) return;
      // a lazy thenable (query builders, PrismaPromise) starts nothing before it is awaited
      if (isNativePromiseTyped(context.getTypeChecker(), init) === false) return;
      context.report({ node: declaration.name, messageId: "lateHandler", data: { name, line: lineOf(awaits[0]!, context.sourceFile) } });
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
