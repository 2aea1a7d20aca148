import { ts } from "#compiler";
import { callbackSite } from "./callbacks.js";
import { isGeneratorFunction } from "./functions.js";
import { memberName, unwrapExpression } from "./nodes.js";

/** Names a generator-runner is called by: bluebird's `coroutine`/`Promise.coroutine`, `co`, `co.wrap`. */
const RUNNER_NAMES = new Set(["coroutine", "co"]);

/**
 * "Is this generator async code?" A generator handed to a coroutine runner (`coroutine(function* (req, res) {…})`
 * from bluebird, `Promise.coroutine(…)`, `co(…)`, `co.wrap(…)`) is the pre-`async` way of writing an async
 * function: each `yield` awaits a promise, and the body runs on the event loop between them.
 */
export function isCoroutineGenerator(fn: ts.Node): boolean {
  if (!isGeneratorFunction(fn) || ts.isFunctionDeclaration(fn)) return false;
  const site = callbackSite(fn);
  if (!site || site.index !== 0 || !ts.isCallExpression(site.call)) return false;
  const callee = unwrapExpression(site.call.expression);
  const name = ts.isIdentifier(callee) ? callee.text : memberName(callee);
  if (!name) return false;
  if (RUNNER_NAMES.has(name)) return true;
  if (name !== "wrap" || !ts.isPropertyAccessExpression(callee)) return false;
  const owner = unwrapExpression(callee.expression);
  return ts.isIdentifier(owner) && owner.text === "co";
}
