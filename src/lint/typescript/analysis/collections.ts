import { ts } from "ts-morph";
import { GLOBAL_MODULE, isApi, resolveApi } from "./imports.js";
import { memberName, unwrapExpression } from "./nodes.js";

/**
 * "Is this collection small by construction?" by what it is named after: a list that a program's
 * configuration or schema defines (the `include`s of a query definition, installed `extensions`, a
 * model's `fields`, per-broker lists, `hosts` under a `config`, route `pre`requisites, a counter's sub-keys) has as many items
 * as the code or the operator wrote, not as many as the input brings. The collection's own name (the
 * last segment of `options.include`, `this.schema.collections[key]?.fields`) decides; a configuration
 * object earlier in the path (`options`, `config`, `settings`, `schema`) makes any list under it count,
 * unless the list is named like data (`files`, `ids`, `rows`, `items`…). Anything read from a request
 * (`req`, `request`, `body`, `ctx.request`) is input.
 */
const DEFINITION_LIST =
  /^_?(include|includes|plugins|extensions|fields|attributes|associations|hooks|middlewares?|pres?|prerequisites|routes|brokers|counters|meta|dialects|locales|bindings)$/i;
const CONFIG_SEGMENT = /^_?(options|opts|config|configuration|conf|settings|schema|definition|manifest)$/i;
const DATA_NAME =
  /(files|items|ids|rows|records|urls|uris|paths|users|messages|jobs|tasks|entries|uploads|payloads|data|results|docs|documents|objects|values|list|batch|events|requests|chunks|lines)$/i;
const INPUT_SEGMENT = /^(req|request|body|params|payload|input|args|argv)$/i;

/** The names along a collection expression, innermost first: `this.schema.collections[k]?.fields` → [schema, collections, fields]. */
export function collectionPath(expression: ts.Expression, depth = 0): string[] | undefined {
  if (depth > 8) return undefined;
  const node = unwrapExpression(expression);
  if (ts.isIdentifier(node)) return [node.text];
  if (node.kind === ts.SyntaxKind.ThisKeyword) return [];
  if (ts.isPropertyAccessExpression(node)) {
    const inner = collectionPath(node.expression, depth + 1);
    return inner && [...inner, node.name.text];
  }
  if (ts.isElementAccessExpression(node)) {
    // `collections[key]`: one entry of a keyed collection, named after the collection
    return collectionPath(node.expression, depth + 1);
  }
  if (ts.isBinaryExpression(node)) {
    const operator = node.operatorToken.kind;
    // `fields ?? {}`, `list || []`: the fallback is empty
    if (operator === ts.SyntaxKind.QuestionQuestionToken || operator === ts.SyntaxKind.BarBarToken)
      return collectionPath(node.left, depth + 1);
    return undefined;
  }
  if (ts.isCallExpression(node)) {
    const callee = unwrapExpression(node.expression);
    const method = memberName(callee);
    const ref = resolveApi(node.expression);
    // Object.keys(x), Array.from(x), x.filter(…), x.entries(): the same items, or fewer
    if (
      (isApi(ref, GLOBAL_MODULE, "Object", "keys") ||
        isApi(ref, GLOBAL_MODULE, "Object", "values") ||
        isApi(ref, GLOBAL_MODULE, "Object", "entries") ||
        isApi(ref, GLOBAL_MODULE, "Array", "from")) &&
      node.arguments[0]
    ) {
      return collectionPath(node.arguments[0], depth + 1);
    }
    if (
      method &&
      ["filter", "map", "keys", "values", "entries", "reverse", "slice", "flat", "concat", "toReversed", "toSorted", "sort"].includes(
        method,
      ) &&
      (ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee))
    ) {
      return collectionPath(callee.expression, depth + 1);
    }
  }
  return undefined;
}

/** True when the collection is named as a configuration- or schema-defined list (see above). */
export function isDefinedByConfiguration(expression: ts.Expression): boolean {
  const path = collectionPath(expression);
  if (!path || path.length === 0) return false;
  if (path.some((segment) => INPUT_SEGMENT.test(segment))) return false;
  const last = path[path.length - 1]!;
  if (DEFINITION_LIST.test(last)) return true;
  return !DATA_NAME.test(last) && path.slice(0, -1).some((segment) => CONFIG_SEGMENT.test(segment));
}
