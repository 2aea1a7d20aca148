import {
  canReject,
  defineTypeScriptRule,
  memberName,
  functionValueOf,
  GLOBAL_MODULE,
  hasRejectionHandler,
  isApi,
  isAsyncFunction,
  isFunctionNode,
  isImportedPromiseFunction,
  isPromiseCall,
  isCallOfAwaitedModule,
  dottedName,
  resolveApi,
  ts,
  unwrapExpression,
  walk,
  freshName,
  indentationAt,
  indentUnit,
  lineEnding,
  reindentStatements,
  type Fix,
  type PromiseEnv,
} from "../../src/lint/api.js";

/** The file names its own `setTimeout` (timers/promises' returns a promise and takes no callback). */
function declaresSetTimeout(sourceFile: ts.SourceFile): boolean {
  let found = false;
  walk(sourceFile, (node) => {
    if (
      ts.isIdentifier(node) &&
      node.text === "setTimeout" &&
      (ts.isImportSpecifier(node.parent) ||
        ts.isVariableDeclaration(node.parent) ||
        ts.isFunctionDeclaration(node.parent) ||
        ts.isParameter(node.parent))
    )
      found = true;
    return !found;
  });
  return found;
}

/**
 * `setInterval(async () => { … }, ms);` as a statement of its own becomes a function that runs the
 * body once `ms` has passed and schedules itself again when the run settles, so runs never overlap
 * (a rejection stays unhandled, as before). Only for an async arrow without parameters whose handle
 * is not used, a delay that is a literal or a name, and a body without `this` or `arguments`.
 */
function selfSchedulingFix(call: ts.CallExpression, sourceFile: ts.SourceFile, typed: boolean, names: Set<string>): Fix | undefined {
  const statement = call.parent;
  if (!ts.isExpressionStatement(statement) || call.arguments.length !== 2) return undefined;
  const [callback, delay] = call.arguments as unknown as [ts.Expression, ts.Expression];
  if (!ts.isArrowFunction(callback) || !isAsyncFunction(callback) || callback.parameters.length > 0 || callback.typeParameters)
    return undefined;
  if (!(
    ts.isNumericLiteral(delay) ||
    ts.isIdentifier(delay) ||
    (ts.isPropertyAccessExpression(delay) && ts.isIdentifier(delay.expression))
  ))
    return undefined;
  let usesThis = false;
  walk(callback.body, (node) => {
    if (node.kind === ts.SyntaxKind.ThisKeyword || (ts.isIdentifier(node) && node.text === "arguments")) usesThis = true;
    return !usesThis && !(isFunctionNode(node) && !ts.isArrowFunction(node));
  });
  if (usesThis || declaresSetTimeout(sourceFile)) return undefined;
  const newline = lineEnding(sourceFile);
  const unit = indentUnit(sourceFile);
  const base = indentationAt(sourceFile, statement.getStart(sourceFile));
  const name = freshName(sourceFile, "scheduleNextRun", names);
  const body = ts.isBlock(callback.body)
    ? reindentStatements(callback.body.statements, base + unit.repeat(3), newline)
    : `${base}${unit.repeat(3)}await ${callback.body.getText(sourceFile)};`;
  const lines = [
    `function ${name}()${typed ? ": void" : ""} {`,
    `${base}${unit}setTimeout(async () => {`,
    `${base}${unit.repeat(2)}try {`,
    body,
    `${base}${unit.repeat(2)}} finally {`,
    `${base}${unit.repeat(3)}${name}();`,
    `${base}${unit.repeat(2)}}`,
    `${base}${unit}}, ${delay.getText(sourceFile)});`,
    `${base}}`,
    `${base}${name}();`,
  ].filter((line) => line !== "");
  return { range: [statement.getStart(sourceFile), statement.getEnd()], text: lines.join(newline) };
}

/** True for `if (running) return;` as the first statement: a deliberate re-entrancy guard. */
function startsWithGuard(body: ts.Block): boolean {
  const first = body.statements[0];
  if (!first || !ts.isIfStatement(first)) return false;
  const then = first.thenStatement;
  const exits = (statement: ts.Statement) => ts.isReturnStatement(statement);
  return exits(then) || (ts.isBlock(then) && then.statements.length === 1 && exits(then.statements[0]!));
}

/** True when the work after the guard sits in a `try` that catches (flag assignments may precede it). */
function catchesEverything(body: ts.Block): boolean {
  const rest = body.statements.slice(1);
  const isTryCatch = (statement: ts.Statement) => ts.isTryStatement(statement) && !!statement.catchClause;
  const isAssignment = (statement: ts.Statement) =>
    ts.isExpressionStatement(statement) &&
    ts.isBinaryExpression(statement.expression) &&
    statement.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken;
  return rest.some(isTryCatch) && rest.every((statement) => isTryCatch(statement) || isAssignment(statement));
}

/**
 * Does the callback return a promise? Async functions do; otherwise an expression body or a `return`
 * that is a promise-producing call (an async function of the run, a well-known promise API, or per the
 * type checker), or a `Promise<…>` return annotation. A chain that ends in `.catch(handler)` is left
 * out (see knownLimits): its rejection is handled.
 */
function isPromiseFunction(fn: ts.FunctionLikeDeclaration, env: PromiseEnv): boolean {
  if (isAsyncFunction(fn)) return true;
  if (!fn.body) return false;
  const annotation = fn.type;
  if (
    annotation &&
    ts.isTypeReferenceNode(annotation) &&
    ts.isIdentifier(annotation.typeName) &&
    /^Promise(Like)?$/.test(annotation.typeName.text)
  )
    return true;
  const returned: ts.Expression[] = [];
  if (ts.isBlock(fn.body)) {
    walk(fn.body, (node) => {
      if (node !== fn.body && isFunctionNode(node)) return false;
      if (ts.isReturnStatement(node) && node.expression) returned.push(node.expression);
      return true;
    });
  } else {
    returned.push(fn.body as ts.Expression);
  }
  return returned.some((expression) => {
    const node = unwrapExpression(expression);
    return ts.isCallExpression(node) && !hasRejectionHandler(node) && isPromiseCall(node, env) === true;
  });
}

/**
 * A synchronous callback's statements that start a promise and drop it: a call that returns a promise
 * (per `isPromiseCall`, or a function of a module this file awaits others of) as a statement of its
 * own, without a rejection handler. Nested functions are not looked into.
 */
function droppedPromiseCalls(fn: ts.FunctionLikeDeclaration, env: PromiseEnv): ts.CallExpression[] {
  const body = fn.body;
  if (!body) return [];
  const found: ts.CallExpression[] = [];
  const check = (expression: ts.Expression) => {
    const node = unwrapExpression(expression);
    if (!ts.isCallExpression(node) || hasRejectionHandler(node)) return;
    // a promise shown unable to reject (its chain ends in `.catch`, inside the called function) is handled, as `refresh().catch(log)` is
    if ((isPromiseCall(node, env) === true || isCallOfAwaitedModule(node, env)) && canReject(node, env)) found.push(node);
  };
  if (!ts.isBlock(body)) {
    check(body as ts.Expression);
    return found;
  }
  walk(body, (node) => {
    if (node !== body && isFunctionNode(node)) return false;
    if (ts.isExpressionStatement(node)) check(node.expression);
    return true;
  });
  return found;
}

export default defineTypeScriptRule({
  instead:
    "Loop over `setInterval` from `node:timers/promises` (`for await (const _ of setInterval(ms, undefined, { signal }))`) and await each run, as Tokio's `interval` with `MissedTickBehavior::Delay` does; or schedule the next run with `setTimeout` once the current one settles.",
  needsTypes: false,
  fixable: "code",
  messages: {
    asyncCallback:
      "`setInterval` runs this async callback every period even while the previous run is still going, so slow runs overlap and a rejection goes unhandled.",
    startsAsyncWork:
      "This `setInterval` callback starts `{{name}}` without waiting for it: the next tick starts another run while this one is still going, so slow runs overlap, and a rejection escapes any `try` around the call.",
  },
  examples: {
    incorrect: [
      `setInterval(async () => {\n  await syncInventory();\n}, 5_000);`,
      `async function flushMetrics() {\n  await fetch("http://collector/metrics", { method: "POST", signal: AbortSignal.timeout(1000) });\n}\nsetInterval(flushMetrics, 10_000);`,
    ],
    correct: [
      `import { setInterval } from "node:timers/promises";\n\nasync function run(signal: AbortSignal) {\n  for await (const _ of setInterval(5_000, undefined, { signal })) {\n    await syncInventory();\n  }\n}`,
      `setInterval(() => {\n  heartbeat.beat();\n}, 1_000);`,
    ],
  },
  knownLimits: [
    "A synchronous callback that starts a promise and attaches `.catch` (`() => { refresh().catch(log) }`) is not reported, though its runs can still overlap. Nor is one that starts a promise shown unable to reject (a function whose returned chain ends in `.catch(handler)`, an async function that catches its own errors). One that starts a promise as a statement without `.catch` is reported at that call; without types, a call counts as starting a promise when it would for floating-task, or when it calls a function imported from a module outside the linted files of which the file awaits another function (`await serviceStart()` and `orchestrateService()` from the same `./service`).",
    "A callback whose returned chain ends in `.catch(handler)` (`() => refresh().catch(log)`) is not reported either, for the same reason.",
    "`--fix` rewrites only `setInterval(async () => { … }, ms);` whose handle is unused, with a literal or named delay and no `this` in the body; a handle kept for `clearInterval` needs the loop written by hand (a flag or an AbortSignal checked before rescheduling).",
    "Without type information, a callback is known to return a promise only when it is async, is annotated `Promise<…>`, or returns a call of an async function or method declared in the linted files or of a well-known promise API (fetch, fs/promises, util.promisify, axios, …).",
  ],
  create(context) {
    const env: PromiseEnv = { getTypeChecker: () => context.getTypeChecker(), program: context.program, filePath: context.filePath };
    const fixNames = new Set<string>();
    return {
      CallExpression(call) {
        const callee = unwrapExpression(call.expression);
        // resolving a name walks its scopes: look only at calls named setInterval
        if ((ts.isIdentifier(callee) ? callee.text : memberName(callee)) !== "setInterval") return;
        const ref = resolveApi(call.expression);
        const isInterval = isApi(ref, GLOBAL_MODULE, "setInterval") || isApi(ref, "timers", "setInterval");
        if (!isInterval) return;
        const callbackArgument = call.arguments[0];
        if (!callbackArgument) return;
        const callback = functionValueOf(callbackArgument);
        if (!callback) {
          const reference = unwrapExpression(callbackArgument);
          if (ts.isIdentifier(reference) && isImportedPromiseFunction(reference, env)) {
            context.report({ node: call.expression, messageId: "asyncCallback" });
          }
          return;
        }
        if (!isPromiseFunction(callback, env)) {
          for (const started of droppedPromiseCalls(callback, env)) {
            const name = dottedName(unwrapExpression(started.expression)) ?? "this call";
            context.report({ node: started, messageId: "startsAsyncWork", data: { name } });
          }
          return;
        }
        const body = callback.body;
        if (body && ts.isBlock(body) && startsWithGuard(body) && catchesEverything(body)) return;
        const typed = /\.[cm]?tsx?$/.test(context.filePath);
        context.report({
          node: call.expression,
          messageId: "asyncCallback",
          fix: selfSchedulingFix(call, context.sourceFile, typed, fixNames),
        });
      },
    };
  },
});
