import { ts } from "#compiler";
import { callbackSite, listenerRegistration } from "./callbacks.js";
import { getEnclosingFunction } from "./functions.js";
import { isApi, resolveApi } from "./imports.js";
import { dottedName, isFunctionNode, isStringLike, memberName, unwrapExpression, walk } from "./nodes.js";
import { getInitializer } from "./scope.js";

/**
 * "Is this event driven by this code, or does it always fire?" For `once(emitter, event)`: true when the
 * same function has already made the emitter produce the event, so waiting for it cannot hang on its
 * own (and an `'error'` instead rejects the `once` promise):
 * - `'drain'` after a `write(…)` on the same stream (`if (!out.write(chunk)) await once(out, "drain")`);
 * - `'close'` after `close()`/`destroy()` on the same emitter (`server.close(); await once(server, "close")`);
 * - `'finish'` after `end()` on the same stream;
 * - `'open'`/`'ready'` of a file stream created in this function (`fs.createWriteStream`): it opens or errors.
 */
const DRIVERS: Record<string, readonly string[]> = {
  drain: ["write"],
  close: ["close", "destroy"],
  finish: ["end"],
};

export function isSelfDrivenEvent(call: ts.CallExpression, emitterArgument: ts.Expression, event: ts.Expression): boolean {
  if (!isStringLike(event)) return false;
  const emitter = unwrapExpression(emitterArgument);
  const name = dottedName(emitter);
  if (!name) return false;
  if (event.text === "open" || event.text === "ready") {
    const init = getInitializer(emitter);
    if (!init || !ts.isCallExpression(init)) return false;
    const ref = resolveApi(init.expression);
    return isApi(ref, "fs", "createWriteStream") || isApi(ref, "fs", "createReadStream");
  }
  const drivers = DRIVERS[event.text];
  if (!drivers) return false;
  const fn = getEnclosingFunction(call);
  const body = fn?.body ?? call.getSourceFile();
  let driven = false;
  walk(body, (node) => {
    if (driven || node.pos >= call.pos) return false;
    if (node !== body && isFunctionNode(node)) return false;
    if (
      ts.isCallExpression(node) &&
      ts.isPropertyAccessExpression(node.expression) &&
      drivers.includes(node.expression.name.text) &&
      dottedName(unwrapExpression(node.expression.expression)) === name
    ) {
      driven = true;
    }
    return !driven;
  });
  return driven;
}

/** Events an emitter fires once (or once per lifecycle step), not once per item it produces. */
const ONE_SHOT_EVENTS = new Set([
  "end",
  "finish",
  "finished",
  "close",
  "error",
  "open",
  "ready",
  "listening",
  "exit",
  "drain",
  "pipe",
  "unpipe",
  "timeout",
  "response",
  "upgrade",
  "abort",
  "aborted",
  "prefinish",
  "socket",
  "lookup",
  "connect",
  "secureConnect",
  "done",
  "complete",
  "pause",
  "resume",
]);
const ONCE_METHODS = new Set(["once", "prependOnceListener"]);

/**
 * "Is this function an event-driven producer?" The registration of a listener that runs once per event
 * a stream or emitter produces (`source.on("data", …)`, `queue.on("received", …)`): any event but the
 * lifecycle ones (`end`, `close`, `error`, `open`…), registered with `on`/`addListener`, not `once`.
 */
export function repeatedEventListener(fn: ts.Node): { event: string; registration: ts.CallExpression } | undefined {
  const site = callbackSite(fn);
  if (!site) return undefined;
  const listener = listenerRegistration(site);
  if (!listener || listener.event === undefined || ONE_SHOT_EVENTS.has(listener.event)) return undefined;
  const method = memberName(unwrapExpression((site.call as ts.CallExpression).expression));
  if (!method || ONCE_METHODS.has(method)) return undefined;
  return { event: listener.event, registration: site.call as ts.CallExpression };
}

/** Names of per-item iteration helpers taking the callback second: `_.each(items, fn)`, `_.forEach`, `$.each`. */
const EACH_HELPERS = new Set(["each", "forEach"]);

/**
 * A callback run once per item of a collection: `items.forEach(fn)`, `map.forEach(fn)`, or a utility
 * library's `_.each(items, fn)` / `_.forEach(items, fn)` / `$.each(items, fn)`.
 */
export function isPerItemCallback(fn: ts.Node): boolean {
  const site = callbackSite(fn);
  if (!site || !ts.isCallExpression(site.call)) return false;
  const callee = unwrapExpression(site.call.expression);
  const method = memberName(callee);
  if (!method || !EACH_HELPERS.has(method)) return false;
  if (site.index === 0) return method === "forEach";
  return (
    site.index === 1 &&
    site.call.arguments.length === 2 &&
    ts.isPropertyAccessExpression(callee) &&
    ts.isIdentifier(unwrapExpression(callee.expression))
  );
}
