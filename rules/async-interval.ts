import {
  defineRule,
  findDeclaration,
  GLOBAL_MODULE,
  isApi,
  isAsyncFunction,
  isFunctionNode,
  isPromiseTyped,
  resolveApi,
  ts,
  unwrapExpression,
} from "../src/lint/api.js";

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

function isPromiseFunction(fn: ts.Node, getChecker: () => ts.TypeChecker | undefined): boolean {
  if (isAsyncFunction(fn)) return true;
  if (ts.isArrowFunction(fn) && !ts.isBlock(fn.body)) {
    const body = unwrapExpression(fn.body);
    if (ts.isCallExpression(body)) {
      return callsAsyncFunctionInFile(body) || isPromiseTyped(getChecker(), body) === true;
    }
  }
  return false;
}

function callsAsyncFunctionInFile(call: ts.CallExpression): boolean {
  const callee = unwrapExpression(call.expression);
  if (ts.isIdentifier(callee)) {
    const declaration = findDeclaration(callee);
    if (declaration && isAsyncFunction(declaration)) return true;
    if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer) {
      return isAsyncFunction(unwrapExpression(declaration.initializer));
    }
  }
  if (ts.isPropertyAccessExpression(callee) && callee.expression.kind === ts.SyntaxKind.ThisKeyword) {
    const klass = ts.findAncestor(call, (node) => ts.isClassLike(node));
    if (klass && ts.isClassLike(klass)) {
      return klass.members.some(
        (member) => ts.isMethodDeclaration(member) && member.name.getText() === callee.name.text && isAsyncFunction(member),
      );
    }
  }
  return false;
}

export default defineRule({
  id: "async-interval",
  meta: {
    description: "setInterval with an async or promise-returning callback",
    why: "setInterval starts the next run on schedule whether or not the previous one finished: when a run takes longer than the period, runs overlap and pile up (double-processing, connection exhaustion), and a rejected run is an unhandled rejection that can kill the process.",
    instead: "Loop over `setInterval` from `node:timers/promises` (`for await (const _ of setInterval(ms, undefined, { signal }))`) and await each run, as Tokio's `interval` with `MissedTickBehavior::Delay` does; or schedule the next run with `setTimeout` once the current one settles.",
    category: "tasks",
    severity: "error",
    needsTypes: false,
    tokio: "Select with Timeout / interval ticks",
    messages: {
      asyncCallback:
        "`setInterval` runs this async callback every period even while the previous run is still going, so slow runs overlap and a rejection goes unhandled.",
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
      "A synchronous callback that starts a promise and attaches `.catch` (`() => { refresh().catch(log) }`) is not reported, though its runs can still overlap; floating-task covers the case without `.catch`.",
      "Without type information, a callback is known to return a promise only when it is async, or calls an async function declared in the same file (or a method of the same class).",
    ],
  },
  create(context) {
    return {
      CallExpression(call) {
        const ref = resolveApi(call.expression);
        const isInterval =
          isApi(ref, GLOBAL_MODULE, "setInterval") || isApi(ref, "timers", "setInterval");
        if (!isInterval) return;
        const callbackArgument = call.arguments[0];
        if (!callbackArgument) return;
        let callback: ts.Node = unwrapExpression(callbackArgument);
        if (ts.isIdentifier(callback)) {
          const declaration = findDeclaration(callback);
          if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer) {
            callback = unwrapExpression(declaration.initializer);
          } else if (declaration) {
            callback = declaration;
          } else {
            return;
          }
        } else if (ts.isCallExpression(callback) && ts.isPropertyAccessExpression(callback.expression) && callback.expression.name.text === "bind") {
          return;
        }
        if (!isFunctionNode(callback)) return;
        if (!isPromiseFunction(callback, () => context.getTypeChecker())) return;
        const body = callback.body;
        if (body && ts.isBlock(body) && startsWithGuard(body) && catchesEverything(body)) return;
        context.report({ node: call.expression, messageId: "asyncCallback" });
      },
    };
  },
});
