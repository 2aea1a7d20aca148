import { ts } from "ts-morph";
import { getEnclosingFunction } from "./functions.js";
import { isApi, resolveApi } from "./imports.js";
import { dottedName, isFunctionNode, isStringLike, unwrapExpression, walk } from "./nodes.js";
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
