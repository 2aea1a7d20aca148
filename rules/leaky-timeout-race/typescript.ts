import {
  defineTypeScriptRule,
  dottedName,
  findDeclaration,
  functionOfDeclaration,
  getInitializer,
  getPropertyValue,
  GLOBAL_MODULE,
  isApi,
  isFunctionNode,
  isInside,
  resolveApi,
  ts,
  unwrapExpression,
  walk,
  type ApiRef,
  type ProgramView,
  outerExpression,
  isTimerApi,
  isPromiseTimer,
} from "../../src/lint/api.js";

/** Names that, for an undeclared function, almost always mean "a promise resolved after ms". */
const SLEEP_NAMES = new Set(["sleep", "delay"]);
/** Names of promise-timer helpers: `delay`, `sleep`, `delayPromise`, `createTimeoutPromise`; not wrappers such as `withTimeout` or `addTimeoutToPromise`. */
const TIMER_HELPER_NAME = /^(?:create|make|new)?(?:timeout|delay|sleep|wait)(?:promise)?$/i;

/**
 * A call of an imported timer helper whose source this run cannot see (`import { delayPromise } from
 * "apify-shared/utilities"`, a file outside the run), recognised by its name: it takes a delay (and a
 * message), not a promise to wrap. A package's helper raced directly may cancel itself, so `packages`
 * is set only inside a helper of the project that builds a timeout promise on it.
 */
function isUnseenTimerHelper(call: ts.CallExpression, packages: boolean): boolean {
  const callee = unwrapExpression(call.expression);
  if (!ts.isIdentifier(callee) || !TIMER_HELPER_NAME.test(callee.text) || call.arguments.length > 2) return false;
  const ref = resolveApi(callee);
  if (!ref || ref.module === GLOBAL_MODULE) return false;
  if (!packages && !ref.module.startsWith(".")) return false;
  return !call.arguments.some((argument) => {
    const node = unwrapExpression(argument);
    return isFunctionNode(node) || ts.isObjectLiteralExpression(node);
  });
}

const isSetTimeout = (ref: ApiRef | undefined) => isTimerApi(ref, "setTimeout");
const isClearTimeout = (ref: ApiRef | undefined) => isTimerApi(ref, "clearTimeout");

/** A timer the race depends on, and what (if anything) can stop it. */
interface TimerSource {
  /** Where the timer handle is stored (`timer`, `this.timeout`), when it is stored outside the executor. */
  handle?: ts.Expression;
  /** The `signal` expression handed to a promise timer. */
  signal?: ts.Expression;
  /** The timer cancels its own work or aborts the raced operation when it fires, or clears itself: nothing leaks. */
  selfManaged: boolean;
}

function containsCall(root: ts.Node, test: (call: ts.CallExpression) => boolean): boolean {
  let found = false;
  walk(root, (node) => {
    if (found) return false;
    if (ts.isCallExpression(node) && test(node)) {
      found = true;
      return false;
    }
    return true;
  });
  return found;
}

function callsAbort(root: ts.Node): boolean {
  return containsCall(root, (call) => {
    const callee = unwrapExpression(call.expression);
    return ts.isPropertyAccessExpression(callee) && callee.name.text === "abort";
  });
}

/** A race timer this short expires about as soon as the call it guards: left uncleared, it holds nothing for long. */
const SHORT_TIMER_MS = 100;

function numericLiteralValue(expression: ts.Expression | undefined): number | undefined {
  const node = expression && unwrapExpression(expression);
  return node && ts.isNumericLiteral(node) ? Number(node.text.replace(/_/g, "")) : undefined;
}

/**
 * The delay of `setTimeout(cb, delay)` when it is a constant: a literal, a variable initialised with
 * one, or `this.name` where every assignment to `.name` in the file is `this.name = <literal>` inside
 * the class that holds the timer (a field set once in the constructor). The largest such value.
 */
function constantDelay(delay: ts.Expression | undefined): number | undefined {
  const node = delay && unwrapExpression(delay);
  if (!node) return undefined;
  const literal = numericLiteralValue(node);
  if (literal !== undefined) return literal;
  if (ts.isIdentifier(node)) return numericLiteralValue(getInitializer(node));
  if (!ts.isPropertyAccessExpression(node) || node.expression.kind !== ts.SyntaxKind.ThisKeyword) return undefined;
  let owner: ts.Node | undefined = node.parent;
  while (owner && !ts.isClassLike(owner) && !ts.isSourceFile(owner)) owner = owner.parent;
  if (!owner || !ts.isClassLike(owner)) return undefined;
  const name = node.name.text;
  const values: number[] = [];
  let other = false;
  for (const member of owner.members) {
    if (ts.isPropertyDeclaration(member) && member.name.getText() === name && member.initializer) {
      const value = numericLiteralValue(member.initializer);
      if (value === undefined) other = true;
      else values.push(value);
    }
  }
  walk(node.getSourceFile(), (child) => {
    if (other) return false;
    if (
      ts.isBinaryExpression(child) &&
      child.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
      child.operatorToken.kind <= ts.SyntaxKind.LastAssignment &&
      ts.isPropertyAccessExpression(child.left) &&
      child.left.name.text === name
    ) {
      const value = child.operatorToken.kind === ts.SyntaxKind.EqualsToken ? numericLiteralValue(child.right) : undefined;
      if (child.left.expression.kind !== ts.SyntaxKind.ThisKeyword || !isInside(child, owner!) || value === undefined) other = true;
      else values.push(value);
    }
    return !other;
  });
  return other || values.length === 0 ? undefined : Math.max(...values);
}

/** `new Promise((resolve, reject) => { … setTimeout(…) … })`. */
function timerOfExecutor(executor: ts.FunctionLikeDeclaration): TimerSource | undefined {
  const body = executor.body;
  if (!body) return undefined;
  let timerCall: ts.CallExpression | undefined;
  let clears = false;
  walk(body, (node) => {
    if (ts.isCallExpression(node)) {
      const ref = resolveApi(node.expression);
      if (!timerCall && isSetTimeout(ref)) timerCall = node;
      if (isClearTimeout(ref)) clears = true;
    }
    return true;
  });
  if (!timerCall) return undefined;
  const callback = timerCall.arguments[0] && unwrapExpression(timerCall.arguments[0]);
  const abortsOperation = !!callback && isFunctionNode(callback) && callsAbort(callback);
  const handle = handleOf(timerCall, executor);
  // timers.push(setTimeout(…)), register(setTimeout(…)): the handle is kept somewhere we cannot follow.
  const escapes = !handle && handleEscapes(timerCall);
  // setTimeout(() => resolve(undefined), 50): a short constant timer (a fallback for a cache read) leaks nothing that lasts
  const delay = constantDelay(timerCall.arguments[1]);
  const short = delay !== undefined && delay <= SHORT_TIMER_MS;
  return { handle, selfManaged: clears || abortsOperation || escapes || short };
}

function handleEscapes(timerCall: ts.CallExpression): boolean {
  let node: ts.Node = timerCall;
  while (
    ts.isPropertyAccessExpression(node.parent) &&
    ts.isCallExpression(node.parent.parent) &&
    ["unref", "ref"].includes(node.parent.name.text)
  ) {
    node = node.parent.parent;
  }
  node = outerExpression(node);
  const parent = node.parent;
  if (ts.isExpressionStatement(parent) || (ts.isArrowFunction(parent) && parent.body === node)) return false;
  if (ts.isVariableDeclaration(parent) || ts.isBinaryExpression(parent)) return false;
  return (
    ts.isCallExpression(parent) ||
    ts.isNewExpression(parent) ||
    ts.isArrayLiteralExpression(parent) ||
    ts.isPropertyAssignment(parent) ||
    ts.isReturnStatement(parent)
  );
}

/** Where `setTimeout(...)` (possibly `.unref()`'d) is stored, when it is stored in a binding outside the executor. */
function handleOf(timerCall: ts.CallExpression, executor: ts.Node): ts.Expression | undefined {
  let node: ts.Node = timerCall;
  // setTimeout(...).unref() returns the same Timeout.
  while (
    ts.isPropertyAccessExpression(node.parent) &&
    (node.parent.name.text === "unref" || node.parent.name.text === "ref") &&
    ts.isCallExpression(node.parent.parent)
  ) {
    node = node.parent.parent;
  }
  node = outerExpression(node);
  const parent = node.parent;
  if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && parent.right === node) {
    if (!dottedName(parent.left)) return undefined;
    const left = unwrapExpression(parent.left);
    if (ts.isIdentifier(left)) {
      const declaration = findDeclaration(left);
      if (declaration && isInside(declaration, executor)) return undefined;
    }
    return parent.left;
  }
  return undefined;
}

/** The executor of `new Promise(executor)` when it is a function literal. */
function executorOf(expression: ts.NewExpression): ts.FunctionLikeDeclaration | undefined {
  const ref = resolveApi(expression.expression);
  if (!isApi(ref, GLOBAL_MODULE, "Promise")) return undefined;
  const argument = expression.arguments?.[0];
  if (!argument) return undefined;
  const executor = unwrapExpression(argument);
  return isFunctionNode(executor) ? executor : undefined;
}

function signalOption(options: ts.Expression | undefined): ts.Expression | undefined {
  if (!options) return undefined;
  const object = unwrapExpression(options);
  if (!ts.isObjectLiteralExpression(object)) return options;
  return getPropertyValue(object, "signal");
}

/** What a function used as a timer helper does: undefined when it does not start a timer. */
function timerOfHelper(fn: ts.FunctionLikeDeclaration): TimerSource | undefined {
  if (!fn.body) return undefined;
  let startsTimer = false;
  let cancellable = false;
  walk(fn.body, (node) => {
    if (ts.isCallExpression(node)) {
      const ref = resolveApi(node.expression);
      if (isSetTimeout(ref)) startsTimer = true;
      if (isPromiseTimer(ref)) {
        startsTimer = true;
        if (node.arguments.length >= 3) cancellable = true;
      }
      if (isClearTimeout(ref)) cancellable = true;
      if (isUnseenTimerHelper(node, true)) startsTimer = true;
    }
    return true;
  });
  if (!startsTimer) return undefined;
  const takesSignal = fn.parameters.some((parameter) => /signal|options|opts/i.test(parameter.name.getText()));
  return { selfManaged: cancellable || takesSignal };
}

/** A function exported under `name` by a file of the run (`export function sleep`, `export const sleep = …`). */
function exportedFunction(sourceFile: ts.SourceFile, name: string): ts.FunctionLikeDeclaration | undefined {
  if (name === "default") {
    for (const statement of sourceFile.statements) {
      if (ts.isFunctionDeclaration(statement) && statement.modifiers?.some((modifier) => modifier.kind === ts.SyntaxKind.DefaultKeyword))
        return statement;
      if (ts.isExportAssignment(statement)) {
        const value = unwrapExpression(statement.expression);
        if (isFunctionNode(value)) return value;
        if (ts.isIdentifier(value)) return exportedFunction(sourceFile, value.text);
      }
    }
    return undefined;
  }
  for (const statement of sourceFile.statements) {
    if (ts.isFunctionDeclaration(statement) && statement.name?.text === name) return statement;
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name) && declaration.name.text === name) return functionOfDeclaration(declaration);
      }
    }
  }
  return undefined;
}

function timerOfCall(call: ts.CallExpression, filePath: string, program: ProgramView): TimerSource | undefined {
  const ref = resolveApi(call.expression);
  if (isPromiseTimer(ref)) {
    const signal = signalOption(call.arguments[2]);
    return { signal, selfManaged: false };
  }
  if (isApi(ref, "delay", "default") || isApi(ref, "delay", "delay")) {
    return { signal: signalOption(call.arguments[1]), selfManaged: false };
  }
  const callee = unwrapExpression(call.expression);
  if (!ts.isIdentifier(callee)) return undefined;
  const declaration = findDeclaration(callee);
  if (!declaration) {
    if (!SLEEP_NAMES.has(callee.text)) return undefined;
    return call.arguments.length <= 1 ? { selfManaged: false } : undefined;
  }
  const local = functionOfDeclaration(declaration);
  if (local) return timerOfHelper(local);
  const imported = ts.isImportSpecifier(declaration)
    ? { specifier: declaration.parent.parent.parent.moduleSpecifier, name: (declaration.propertyName ?? declaration.name).text }
    : ts.isImportClause(declaration)
      ? { specifier: declaration.parent.moduleSpecifier, name: "default" }
      : undefined;
  if (!imported || !ts.isStringLiteral(imported.specifier)) return undefined;
  const target = program.resolveImport(filePath, imported.specifier.text);
  if (!target) return isUnseenTimerHelper(call, false) ? { selfManaged: false } : undefined;
  const fn = exportedFunction(target.sourceFile, imported.name);
  return fn ? timerOfHelper(fn) : undefined;
}

/** Strips `.then/.catch/.finally` chains: `sleep(ms).then(() => { throw … })` is still the sleep timer. */
function chainBase(expression: ts.Expression): ts.Expression {
  let node = unwrapExpression(expression);
  while (
    ts.isCallExpression(node) &&
    ts.isPropertyAccessExpression(node.expression) &&
    ["then", "catch", "finally"].includes(node.expression.name.text)
  ) {
    node = unwrapExpression(node.expression.expression);
  }
  return node;
}

function timerOf(element: ts.Expression, filePath: string, program: ProgramView): TimerSource | undefined {
  let node = chainBase(element);
  if (ts.isIdentifier(node)) {
    const init = getInitializer(node);
    if (!init) return undefined;
    node = chainBase(init);
  }
  if (ts.isNewExpression(node)) {
    const executor = executorOf(node);
    return executor ? timerOfExecutor(executor) : undefined;
  }
  if (ts.isCallExpression(node)) return timerOfCall(node, filePath, program);
  return undefined;
}

/** The elements of `Promise.race([a, b])`, also through `const contenders = [a, b]`. */
function raceElements(call: ts.CallExpression): readonly ts.Expression[] | undefined {
  const argument = call.arguments[0];
  if (!argument) return undefined;
  let array = unwrapExpression(argument);
  if (ts.isIdentifier(array)) {
    const init = getInitializer(array);
    if (!init) return undefined;
    array = init;
  }
  if (!ts.isArrayLiteralExpression(array)) return undefined;
  return array.elements;
}

/** The scope in which a handle (`timer`, `this.timer`) can be cleared: its class, or the block declaring it. */
function scopeOfHandle(handle: ts.Expression, race: ts.Node): ts.Node {
  let root = unwrapExpression(handle);
  while (ts.isPropertyAccessExpression(root)) root = unwrapExpression(root.expression);
  const sourceFile = race.getSourceFile();
  if (root.kind === ts.SyntaxKind.ThisKeyword) return ts.findAncestor(race, (node) => ts.isClassLike(node)) ?? sourceFile;
  if (!ts.isIdentifier(root)) return sourceFile;
  const declaration = findDeclaration(root);
  if (!declaration) return sourceFile;
  return ts.findAncestor(declaration, (node) => ts.isBlock(node) || ts.isSourceFile(node) || isFunctionNode(node)) ?? sourceFile;
}

/** When a clearTimeout runs relative to the race: on every outcome, only on success or failure, somewhere we cannot place, or not at all. */
type Clearing = "always" | "success" | "failure" | "elsewhere" | "never";

/** Places one clearTimeout: on the race's `.then/.catch/.finally` chain, on a raced operation, or in the race's function. */
/** How a clearTimeout inside a callback of `.then/.catch/.finally` on the race runs. */
function clearingOfChained(clear: ts.CallExpression, method: string, chained: ts.CallExpression): Clearing {
  if (method === "finally") return "always";
  if (method === "then" && chained.arguments.length >= 2 && chained.arguments.every((argument) => containsClear(argument))) return "always";
  if (method === "catch" || (method === "then" && chained.arguments[1] && isInside(clear, chained.arguments[1]))) return "failure";
  return method === "then" ? "success" : "elsewhere";
}

/** For `const race = Promise.race(…); race.finally(() => clearTimeout(t))`: the `.finally` call holding the clear. */
function chainedOnRaceVariable(
  clear: ts.CallExpression,
  race: ts.CallExpression,
): { method: string; chained: ts.CallExpression } | undefined {
  for (let node: ts.Node | undefined = clear.parent; node; node = node.parent) {
    if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) continue;
    const method = node.expression.name.text;
    if (method !== "then" && method !== "catch" && method !== "finally") continue;
    const receiver = unwrapExpression(node.expression.expression);
    if (!ts.isIdentifier(receiver)) continue;
    const init = getInitializer(receiver);
    if (init && chainBase(init) === race && node.arguments.some((argument) => isInside(clear, argument))) return { method, chained: node };
  }
  return undefined;
}

function classifyClear(clear: ts.CallExpression, race: ts.CallExpression, elements: readonly ts.Expression[]): Clearing {
  // Promise.race([...]).finally(() => clearTimeout(t)) and .then(ok, fail) both clearing.
  let link: ts.Node = race;
  while (ts.isPropertyAccessExpression(link.parent) && ts.isCallExpression(link.parent.parent)) {
    const chained = link.parent.parent;
    if (chained.arguments.some((argument) => isInside(clear, argument))) return clearingOfChained(clear, link.parent.name.text, chained);
    link = chained;
  }
  const onVariable = chainedOnRaceVariable(clear, race);
  if (onVariable) return clearingOfChained(clear, onVariable.method, onVariable.chained);
  // An operation raced as op.finally(() => clearTimeout(t)) clears the timer however it settles.
  for (const element of elements) {
    if (isInside(clear, element)) {
      const finallyCall = ts.findAncestor(
        clear,
        (node) => ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === "finally",
      );
      return finallyCall && isInside(finallyCall, element) ? "always" : "elsewhere";
    }
  }
  const enclosing = ts.findAncestor(race, isFunctionNode);
  const clearFunction = ts.findAncestor(clear, isFunctionNode);
  if (clearFunction !== enclosing) return "elsewhere";
  for (let node: ts.Node | undefined = race; node && node !== enclosing; node = node.parent) {
    const parent: ts.Node | undefined = node.parent;
    if (parent && ts.isTryStatement(parent) && node === parent.tryBlock) {
      if (parent.finallyBlock && isInside(clear, parent.finallyBlock)) return "always";
      if (isInside(clear, parent.tryBlock) && parent.catchClause && containsClear(parent.catchClause)) return "always";
      if (parent.catchClause && isInside(clear, parent.catchClause) && containsClear(parent.tryBlock)) return "always";
      if (parent.catchClause && isInside(clear, parent.catchClause)) return "failure";
    }
  }
  return clear.getStart() > race.getEnd() ? "success" : "elsewhere";
}

function containsClear(root: ts.Node): boolean {
  return containsCall(root, (call) => isClearTimeout(resolveApi(call.expression)));
}

function clearingOf(handleNode: ts.Expression, race: ts.CallExpression, elements: readonly ts.Expression[]): Clearing {
  const handle = dottedName(handleNode);
  const clears: ts.CallExpression[] = [];
  walk(scopeOfHandle(handleNode, race), (node) => {
    if (ts.isCallExpression(node) && isClearTimeout(resolveApi(node.expression))) {
      const argument = node.arguments[0];
      if (argument && dottedName(argument) === handle) clears.push(node);
    }
    return true;
  });
  if (clears.length === 0) return "never";
  const kinds = clears.map((clear) => classifyClear(clear, race, elements));
  if (kinds.includes("always") || (kinds.includes("success") && kinds.includes("failure"))) return "always";
  if (kinds.includes("elsewhere")) return "elsewhere";
  return kinds.includes("success") ? "success" : "failure";
}

/** For `ac.signal`: is `ac.abort()` called in the race's function (in `finally`, or after the race)? */
function signalIsAborted(signal: ts.Expression, race: ts.CallExpression): boolean | undefined {
  const node = unwrapExpression(signal);
  if (!ts.isPropertyAccessExpression(node) || node.name.text !== "signal") return undefined;
  const controller = dottedName(node.expression);
  if (!controller) return undefined;
  const root = unwrapExpression(node.expression);
  if (ts.isIdentifier(root)) {
    const init = getInitializer(root);
    const isLocalController = !!init && ts.isNewExpression(init) && isApi(resolveApi(init.expression), GLOBAL_MODULE, "AbortController");
    if (!isLocalController) return undefined;
  } else {
    return undefined;
  }
  const scope = ts.findAncestor(race, isFunctionNode) ?? race.getSourceFile();
  return containsCall(scope, (call) => {
    const callee = unwrapExpression(call.expression);
    return ts.isPropertyAccessExpression(callee) && callee.name.text === "abort" && dottedName(callee.expression) === controller;
  });
}

export default defineTypeScriptRule({
  instead:
    "Pass `AbortSignal.timeout(ms)` to the operation itself (`fetch(url, { signal: AbortSignal.timeout(5_000) })`) so the timeout cancels it, as Tokio's `timeout` drops the future; or keep the timer handle and `clearTimeout` it in a `finally` (for `node:timers/promises`, pass a signal and abort it in `finally`).",
  needsTypes: false,
  messages: {
    timerNotCleared:
      "This `Promise.race` timer is never cleared and the losing operation is never cancelled: the timer outlives every call that finishes in time (keeping the process alive, piling up under load), and on timeout the operation keeps running unobserved.",
    clearedOnOnePath:
      "This `Promise.race` timer `{{handle}}` is cleared only when the race {{path}}: otherwise it stays armed until it fires, keeping the process alive and piling up timers under load.",
  },
  examples: {
    incorrect: [
      `async function fetchWithTimeout(url: string, ms: number) {\n  return Promise.race([\n    fetch(url),\n    new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), ms)),\n  ]);\n}`,
      `import { setTimeout as sleep } from "node:timers/promises";\n\nasync function queryOrGiveUp(pool: { query(sql: string): Promise<unknown> }) {\n  return Promise.race([pool.query("SELECT 1"), sleep(2_000).then(() => { throw new Error("query timed out"); })]);\n}`,
    ],
    correct: [
      `async function fetchWithTimeout(url: string, ms: number) {\n  return fetch(url, { signal: AbortSignal.timeout(ms) });\n}`,
      `async function withTimeout<T>(operation: Promise<T>, ms: number): Promise<T> {\n  let timer: NodeJS.Timeout | undefined;\n  const timeout = new Promise<never>((_, reject) => {\n    timer = setTimeout(() => reject(new Error("timeout")), ms);\n  });\n  try {\n    return await Promise.race([operation, timeout]);\n  } finally {\n    clearTimeout(timer);\n  }\n}`,
    ],
  },
  knownLimits: [
    "A timer whose `setTimeout` callback aborts the raced operation (`controller.abort()`) is not reported, though the timer itself stays armed after the operation wins.",
    "`setTimeout(...).unref()` is still reported: unref stops the timer keeping the process alive, but each pending timer still holds its closure until it fires, which is the leak under load.",
    "Timer helpers are recognised when they are declared in the file or exported by a file of the run (imported relatively), plus `node:timers/promises` `setTimeout`, the `delay` package and undeclared `sleep`/`delay`; a helper that takes a signal or clears its timer is assumed to be cancelled by its caller.",
    "A clearTimeout in another function (a `stop()` method, an abort listener) is assumed to clear the timer in time.",
    "A `new Promise` timer whose delay is a constant of at most 100 ms (a literal, a `const`, or a field that the class only ever sets to a literal) is not reported: it expires about as soon as the call it guards.",
    "A race whose operation is cancelled some other way but whose timer is never cleared is still reported unless the timer callback itself aborts.",
  ],
  create(context) {
    return {
      CallExpression(call) {
        if (!isApi(resolveApi(call.expression), GLOBAL_MODULE, "Promise", "race")) return;
        const elements = raceElements(call);
        // [...operations, timeout(ms)] races the spread operations too.
        if (!elements || (elements.length < 2 && !elements.some(ts.isSpreadElement))) return;
        for (const element of elements) {
          if (ts.isSpreadElement(element)) continue;
          const timer = timerOf(element, context.filePath, context.program);
          if (!timer || timer.selfManaged) continue;
          if (timer.signal) {
            if (signalIsAborted(timer.signal, call) !== false) continue;
            context.report({ node: call.expression, messageId: "timerNotCleared" });
            return;
          }
          if (timer.handle) {
            const clearing = clearingOf(timer.handle, call, elements);
            if (clearing === "always" || clearing === "elsewhere") continue;
            if (clearing === "success" || clearing === "failure") {
              const path = clearing === "success" ? "succeeds" : "fails";
              context.report({
                node: call.expression,
                messageId: "clearedOnOnePath",
                data: { handle: dottedName(timer.handle) ?? "timer", path },
              });
              return;
            }
          }
          context.report({ node: call.expression, messageId: "timerNotCleared" });
          return;
        }
      },
    };
  },
});
