import { ts } from "#compiler";
import { callDoesIo } from "./collections.js";
import { isFunctionNode, isInside, memberName, unwrapExpression, walk } from "./nodes.js";
import { findDeclaration } from "./scope.js";

/** Lookups of a value already stored (`cache.get(key)`): awaiting what they give waits on existing work. */
const LOOKUP = new Set(["get", "at", "find", "peek"]);

/** Array iteration methods: their callbacks run synchronously, before the call returns. */
const SYNC_ITERATION = new Set(["forEach", "map", "filter", "some", "every", "find", "findIndex", "reduce", "flatMap", "sort"]);

/**
 * "Does this async function start any asynchronous work of its own?" False when it only awaits
 * promises that already exist (`await cached` where `cached = this.cache.get(key)`, `await this.pending`)
 * and returns no call: a method
 * that updates a cache or a map, or an `async` function with no `await` at all. Such a function does
 * its work in memory, so running it for every item of a collection at once opens nothing. Any
 * awaited or returned call, `for await`, a `yield`, a call that does I/O (per `callDoesIo`, followed
 * into the linted files) or a call handed a callback (other than an array iteration) counts as
 * starting work. Nested functions are not looked into (they run when something calls them).
 */
export function startsAsyncWork(
  fn: ts.FunctionLikeDeclaration,
  resolve: (call: ts.CallExpression) => ts.FunctionLikeDeclaration | undefined,
): boolean {
  const body = fn.body;
  if (!body) return true;
  if (!ts.isBlock(body)) return isCallLike(body as ts.Expression) || containsWork(body, resolve);
  return containsWork(body, resolve);
}

function isCallLike(expression: ts.Expression): boolean {
  const node = unwrapExpression(expression);
  if (ts.isConditionalExpression(node)) return isCallLike(node.whenTrue) || isCallLike(node.whenFalse);
  return ts.isCallExpression(node) || ts.isNewExpression(node) || ts.isTaggedTemplateExpression(node);
}

function containsWork(root: ts.Node, resolve: (call: ts.CallExpression) => ts.FunctionLikeDeclaration | undefined): boolean {
  let found = false;
  walk(root, (node) => {
    if (found) return false;
    if (node !== root && isFunctionNode(node)) return false;
    if (ts.isAwaitExpression(node) && (isCallLike(node.expression) || isLocalStartedWork(node.expression, root))) found = true;
    else if (ts.isReturnStatement(node) && node.expression && isCallLike(node.expression)) found = true;
    else if (ts.isYieldExpression(node)) found = true;
    else if (ts.isForOfStatement(node) && node.awaitModifier) found = true;
    else if (ts.isCallExpression(node)) {
      if (callDoesIo(node, resolve)) found = true;
      else if (
        !SYNC_ITERATION.has(memberName(unwrapExpression(node.expression)) ?? "") &&
        node.arguments.some((argument) => isFunctionNode(unwrapExpression(argument)))
      )
        found = true;
    }
    return !found;
  });
  return found;
}

/** `const p = db.query(sql); await p`: a local of this function holding a call's promise (not a stored value looked up). */
function isLocalStartedWork(expression: ts.Expression, root: ts.Node): boolean {
  const node = unwrapExpression(expression);
  if (!ts.isIdentifier(node)) return false;
  const declaration = findDeclaration(node);
  if (!declaration || !ts.isVariableDeclaration(declaration) || !declaration.initializer || !isInside(declaration, root)) return false;
  const init = unwrapExpression(declaration.initializer);
  if (!isCallLike(init)) return false;
  return !(ts.isCallExpression(init) && LOOKUP.has(memberName(unwrapExpression(init.expression)) ?? ""));
}
