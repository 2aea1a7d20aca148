import { ts } from "#compiler";
import { GLOBAL_MODULE, isApi, resolveApi } from "./imports.js";
import { memberName, unwrapExpression, walk } from "./nodes.js";
import { findDeclaration, getInitializer } from "./scope.js";

/**
 * "Is this collection small by construction?" by what it is named after: a list that a program's
 * configuration or schema defines (the `include`s of a query definition, installed `extensions`, a
 * model's `fields`, a project's database `migrations` and `seeds` (files the developers wrote), per-broker and per-address lists, the command line's `process.argv`, `hosts` under a `config`, route `pre`requisites, a counter's sub-keys) has as many items
 * as the code or the operator wrote, not as many as the input brings. The collection's own name (the
 * last segment of `options.include`, `this.schema.collections[key]?.fields`) decides; a configuration
 * object earlier in the path (`options`, `config`, `settings`, `schema`) makes any list under it count,
 * unless the list is named like data (`files`, `ids`, `rows`, `items`…). What a request carries
 * (`body`, `params`) is input. A request or a value that may be one
 * (`req`, `request`, `ctx.request`, `payload`, `input`, `args`) is input too, unless a configuration
 * object hangs under it: `req.payload.config.collections` (Payload CMS's instance, attached to the
 * request) is the configured collections, not request data.
 * A local bound from such a path (`const { imageSizes } = config.upload`, `const hosts = settings.hosts`)
 * is named by that path.
 */
const DEFINITION_LIST =
  /^_?(include|includes|plugins|extensions|fields|attributes|associations|hooks|middlewares?|pres?|prerequisites|routes|brokers|addresses|counters|meta|dialects|locales|bindings|migrations|seeds|seeders)$/i;
const CONFIG_SEGMENT = /^_?(options|opts|config|configuration|conf|settings|schema|definition|manifest)$/i;
const DATA_NAME =
  /(files|items|ids|rows|records|urls|uris|paths|users|messages|jobs|tasks|entries|uploads|payloads|data|results|docs|documents|objects|values|list|batch|events|requests|chunks|lines)$/i;
/** What a request carries: always input. */
const INPUT_SEGMENT = /^(body|params)$/i;
/** A request, or a value that may be one: input unless a configuration segment follows (`req.payload.config.collections`). */
const MAYBE_INPUT_SEGMENT = /^(req|request|payload|input|args|argv)$/i;

/** Array methods whose result holds the receiver's items, or fewer, or each mapped to one. */
export const SAME_ITEMS_METHODS: ReadonlySet<string> = new Set([
  "filter",
  "map",
  "keys",
  "values",
  "entries",
  "reverse",
  "slice",
  "flat",
  "concat",
  "toReversed",
  "toSorted",
  "sort",
]);

/** `Object.keys(x)`, `Object.values(x)`, `Object.entries(x)`, `Array.from(x)`: the `x` whose items the call lists. */
export function listedCollection(call: ts.CallExpression): ts.Expression | undefined {
  const ref = resolveApi(call.expression);
  const lists =
    isApi(ref, GLOBAL_MODULE, "Object", "keys") ||
    isApi(ref, GLOBAL_MODULE, "Object", "values") ||
    isApi(ref, GLOBAL_MODULE, "Object", "entries") ||
    isApi(ref, GLOBAL_MODULE, "Array", "from");
  return lists ? call.arguments[0] : undefined;
}

/** The names along a collection expression, innermost first: `this.schema.collections[k]?.fields` → [schema, collections, fields]. */
export function collectionPath(expression: ts.Expression, depth = 0): string[] | undefined {
  if (depth > 8) return undefined;
  const node = unwrapExpression(expression);
  if (ts.isIdentifier(node)) return boundPath(node, depth) ?? [node.text];
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
    // Object.keys(x), Array.from(x), x.filter(…), x.entries(): the same items, or fewer
    const listed = listedCollection(node);
    if (listed) return collectionPath(listed, depth + 1);
    if (method && SAME_ITEMS_METHODS.has(method) && (ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee))) {
      return collectionPath(callee.expression, depth + 1);
    }
  }
  return undefined;
}

/**
 * The path a `const` local was bound from: `const { imageSizes } = config.upload` gives
 * [config, upload, imageSizes], `const hosts = settings.hosts` gives [settings, hosts]. Undefined for
 * other locals, and for a local named like data (its own name says what it holds).
 */
function boundPath(identifier: ts.Identifier, depth: number): string[] | undefined {
  if (DATA_NAME.test(identifier.text)) return undefined;
  const declaration = findDeclaration(identifier);
  if (!declaration) return undefined;
  if (ts.isBindingElement(declaration)) {
    const pattern = declaration.parent;
    const owner = pattern.parent;
    if (!ts.isObjectBindingPattern(pattern) || declaration.dotDotDotToken || !ts.isVariableDeclaration(owner) || !owner.initializer)
      return undefined;
    if (!isConstDeclaration(owner)) return undefined;
    const key = declaration.propertyName ?? declaration.name;
    if (!ts.isIdentifier(key)) return undefined;
    const inner = propertyPath(owner.initializer, depth);
    return inner && [...inner, key.text];
  }
  if (
    ts.isVariableDeclaration(declaration) &&
    ts.isIdentifier(declaration.name) &&
    declaration.initializer &&
    isConstDeclaration(declaration)
  ) {
    const init = unwrapExpression(declaration.initializer);
    return ts.isPropertyAccessExpression(init) ? propertyPath(init, depth) : undefined;
  }
  return undefined;
}

/** The path of a property read (`config.upload`, `this.options`), not of a call or a computed value. */
function propertyPath(expression: ts.Expression, depth: number): string[] | undefined {
  const node = unwrapExpression(expression);
  if (!ts.isPropertyAccessExpression(node) && !ts.isIdentifier(node) && node.kind !== ts.SyntaxKind.ThisKeyword) return undefined;
  return collectionPath(node, depth + 1);
}

function isConstDeclaration(declaration: ts.VariableDeclaration): boolean {
  return ts.isVariableDeclarationList(declaration.parent) && (declaration.parent.flags & ts.NodeFlags.Const) !== 0;
}

/** True when the collection is named as a configuration- or schema-defined list (see above). */
export function isDefinedByConfiguration(expression: ts.Expression): boolean {
  const path = collectionPath(expression);
  if (!path || path.length === 0) return false;
  // the command line's arguments: as many as the operator typed
  if (path[0] === "process" && path[1] === "argv") return true;
  if (path.some((segment) => INPUT_SEGMENT.test(segment))) return false;
  const lastMaybeInput = path.findLastIndex((segment) => MAYBE_INPUT_SEGMENT.test(segment));
  if (lastMaybeInput !== -1 && !path.slice(lastMaybeInput + 1, -1).some((segment) => CONFIG_SEGMENT.test(segment))) return false;
  const last = path[path.length - 1]!;
  if (DEFINITION_LIST.test(last)) return true;
  return !DATA_NAME.test(last) && path.slice(0, -1).some((segment) => CONFIG_SEGMENT.test(segment));
}

/**
 * Modules whose calls do network, file or process I/O: Node's own and the usual drop-ins and HTTP
 * clients. A call into one of them (or into `promisify(fs.readFile)`/`pify(fs.readFile)`) holds a
 * socket, a file descriptor or a child process while it runs.
 */
const IO_MODULES = new Set([
  "fs",
  "fs/promises",
  "fs-extra",
  "graceful-fs",
  "fs-promise",
  "mz/fs",
  "net",
  "tls",
  "http",
  "https",
  "http2",
  "dgram",
  "dns",
  "dns/promises",
  "child_process",
  "undici",
  "node-fetch",
  "axios",
  "got",
  "ky",
  "execa",
]);
const MAX_IO_DEPTH = 3;
const ioMemo = new WeakMap<ts.Node, boolean>();

function isIoRef(expression: ts.Expression): boolean {
  const ref = resolveApi(expression);
  if (!ref) return false;
  if (ref.module === GLOBAL_MODULE) return ref.path.length === 1 && ref.path[0] === "fetch";
  // a synchronous call finishes before the next item starts: nothing is held concurrently
  return IO_MODULES.has(ref.module) && !ref.path[ref.path.length - 1]?.endsWith("Sync");
}

/**
 * "Does this call do I/O?" True for a call into an I/O module (`fs.readFile`, `fetch`, `http.get`), a
 * promisified one (`pify(fs.readFile)(path)`), a `.then` chain on one, or a function the linted files
 * declare (`resolve` finds it, same file or imported) whose body makes such a call, followed up to
 * three calls deep and cached per function.
 */
export function callDoesIo(
  call: ts.CallExpression,
  resolve: (call: ts.CallExpression) => ts.FunctionLikeDeclaration | undefined,
  depth = 0,
): boolean {
  const callee = unwrapExpression(call.expression);
  if (isIoRef(callee)) return true;
  if (ts.isCallExpression(callee)) {
    // pify(fs.readFile)(file), promisify(exec)(cmd)
    const wrapped = callee.arguments[0];
    return !!wrapped && isIoRef(unwrapExpression(wrapped));
  }
  const method = memberName(callee);
  if ((method === "then" || method === "catch" || method === "finally") && ts.isPropertyAccessExpression(callee)) {
    const receiver = unwrapExpression(callee.expression);
    if (ts.isCallExpression(receiver) && callDoesIo(receiver, resolve, depth)) return true;
  }
  if (depth >= MAX_IO_DEPTH) return false;
  const fn = resolve(call);
  return !!fn && functionDoesIo(fn, resolve, depth + 1);
}

/** "Does this function do I/O?" Any call in its body (callbacks included, as `.then(() => writeFile(…))`) that does. */
export function functionDoesIo(
  fn: ts.FunctionLikeDeclaration,
  resolve: (call: ts.CallExpression) => ts.FunctionLikeDeclaration | undefined,
  depth = 0,
): boolean {
  const cached = ioMemo.get(fn);
  if (cached !== undefined) return cached;
  if (!fn.body) return false;
  ioMemo.set(fn, false); // a recursive call adds nothing
  let found = false;
  walk(fn.body, (node) => {
    if (found) return false;
    if (ts.isCallExpression(node) && callDoesIo(node, resolve, depth)) found = true;
    return !found;
  });
  // only a complete answer is kept: a search cut short by depth may find I/O from a shallower start
  if (found || depth === 0) ioMemo.set(fn, found);
  else ioMemo.delete(fn);
  return found;
}

/** Packages whose every export lists files: glob, globby, fast-glob, tiny-glob. */
const GLOB_MODULES = new Set(["glob", "globby", "fast-glob", "tiny-glob", "tinyglobby"]);

/**
 * "Is this collection a listing of files?" A variable holding the result of a glob (`globby.sync(…)`,
 * `await glob(…)`, `fg(…)`, `pify(glob)(…)`) or of `fs.readdir`/`readdirSync`: it has as many items as the disk holds.
 */
export function isFileListing(expression: ts.Expression): boolean {
  const init = getInitializer(expression) ?? unwrapExpression(expression);
  let node = unwrapExpression(init);
  if (ts.isAwaitExpression(node)) node = unwrapExpression(node.expression);
  return ts.isCallExpression(node) && isFileListingCall(node);
}

/** `glob(…)`, `fg.sync(…)`, `fs.promises.readdir(dir)`, `pify(glob)(pattern)`: a call that lists files. */
export function isFileListingCall(call: ts.CallExpression): boolean {
  const callee = unwrapExpression(call.expression);
  // pify(glob)(pattern), promisify(fs.readdir)(dir)
  const target = ts.isCallExpression(callee) && callee.arguments[0] ? unwrapExpression(callee.arguments[0]) : call.expression;
  const ref = resolveApi(target);
  if (!ref) return false;
  if (GLOB_MODULES.has(ref.module)) return true;
  const last = ref.path[ref.path.length - 1];
  return (
    (ref.module === "fs" || ref.module === "fs/promises" || ref.module === "fs-extra" || ref.module === "graceful-fs") &&
    (last === "readdir" || last === "readdirSync")
  );
}
