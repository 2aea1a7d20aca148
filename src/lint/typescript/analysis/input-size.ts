import { ts } from "#compiler";
import { collectionPath, isDefinedByConfiguration, isFileListingCall, listedCollection, SAME_ITEMS_METHODS } from "./collections.js";
import { isFunctionNode, isStringLike, memberName, unwrapExpression, walk, declaredName, dottedName } from "./nodes.js";
import { GLOBAL_MODULE, isApi, resolveApi } from "./imports.js";
import { findDeclaration, getThisPropertyInitializer } from "./scope.js";
import type { ProgramFile, ProgramView } from "../rule.js";

/**
 * "Does this collection grow with the input?" answered by positive evidence only: a collection is
 * input-sized when its origin is traced (through `const` locals, destructuring, `await`, spread,
 * `Array.from`, `Object.keys/values/entries`, `.filter`/`.map`/`.slice(start)`/`.concat`/`.sort` chains,
 * `.keys()`/`.values()`/`.entries()`, the rows of a result) to one of:
 *
 * - `files`: a listing of the disk (glob, globby, fast-glob, `fs.readdir`);
 * - `query`: the result of a query or find that carries no limit (`readByQuery({ filter })`,
 *   `Model.findAll({ where })`, `db.query("select … ")` without `LIMIT`, `collection.find(q).toArray()`),
 *   and its `rows`/`docs`/`records`/`items`/`data`;
 * - `request`: what a request carries (`req.body`, `req.query`, `req.params`, `req.files`,
 *   `ctx.request.body`, hapi's `request.payload`, `await req.json()`), unless a configuration object
 *   hangs under it (`req.payload.config.collections` is Payload CMS's configured collections);
 * - `lines`: text split into lines (`text.split("\n")`);
 * - `messages`: a batch from a broker (`batch.messages`, `event.Records`, SQS `Messages`);
 * - `parameter`: a list the function accepts from its caller, when that caller is outside the file
 *   (the function is exported, or a method of an exported class that is not its constructor, and the
 *   file does not call it itself) and the parameter is not named as configuration (`options.include`);
 *   a function of the file that the file calls is judged by what its callers pass;
 * - `growing`: the keys/values/entries of a Map, Set, array or object held in a field or module
 *   variable that code outside the constructor adds to (`this.uploads.set(id, …)` on a request path).
 *
 * Anything else has no evidence and is not input-sized: literals, module constants (and
 * `Object.keys(CONST)`), configuration and options objects and their fields, schema and model
 * definitions, fields a constructor assigns (the constructor's arguments are the object's settings),
 * lists the code builds from a fixed set, query results with a `limit`/`take`/page size.
 */
export type InputOrigin = "files" | "query" | "request" | "lines" | "messages" | "parameter" | "growing";

/** A short phrase per origin, for messages: "`uploadFiles` (the rows of a query with no limit)". */
export const INPUT_ORIGIN_TEXT: Record<InputOrigin, string> = {
  files: "a listing of files on disk",
  query: "the result of a query with no limit",
  request: "data from a request",
  lines: "the lines of a text",
  messages: "a batch of messages from a broker",
  parameter: "a list an exported function accepts from its callers",
  growing: "a collection that grows at run time",
};

const MAX_DEPTH = 8;

/** Query and listing methods whose result has as many rows as the store holds, unless limited. */
const QUERY_METHOD =
  /^(find|findAll|findMany|findAndCountAll|findAllAndCount|readByQuery|readMany|readAll|query|select|scan|search|fetchAll|getAll|list|listAll|toArray|execute|many|manyOrNone|any)$/;
/** Option keys and builder methods that bound a query's result. */
const LIMIT_KEY = /^(limit|take|top|first|last|pageSize|perPage|per_page|page|maxResults|max|count|Limit|MaxKeys|MaxItems|size)$/;
const LIMIT_METHOD = new Set(["limit", "take", "first", "paginate", "page", "top", "findOne", "findFirst", "single"]);
const SQL_LIMIT = /\b(limit|top|fetch\s+first|offset)\b/i;
/** Fields of a result that hold its rows. */
const ROWS_FIELD = /^(rows|docs|records|items|data|results|Items|hits|Contents|entries|documents)$/;
/** Roots of a request object, and the parts of it that carry the client's data. */
const REQUEST_ROOT = /^(req|request|ctx|incoming|incomingMessage)$/;
const REQUEST_DATA = /^(body|query|params|payload|files|rawBody)$/;
const REQUEST_BODY_METHOD = new Set(["json", "formData", "parseBody", "text"]);
const CONFIG_SEGMENT = /^_?(options|opts|config|configuration|conf|settings|schema|definition|manifest)$/i;
const ADD_METHOD = new Set(["set", "add", "push", "unshift", "splice"]);

/** What a trace carries: the nodes already visited, and the run's files for callers in other files. */
interface Trace {
  seen: Set<ts.Node>;
  program?: ProgramView;
}

/**
 * The origin that makes this collection input-sized, or undefined when nothing shows that it is.
 * With `program`, an exported function's parameter is judged by the calls other files of the run make.
 */
export function inputOrigin(expression: ts.Expression, program?: ProgramView): InputOrigin | undefined {
  return originOf(expression, 0, { seen: new Set(), program });
}

function originOf(expression: ts.Expression, depth: number, trace: Trace): InputOrigin | undefined {
  if (depth > MAX_DEPTH) return undefined;
  let node = unwrapExpression(expression);
  if (ts.isAwaitExpression(node)) node = unwrapExpression(node.expression);
  if (trace.seen.has(node)) return undefined;
  trace.seen.add(node);
  const request = requestOrigin(node);
  if (request !== undefined) return request || undefined;
  if (ts.isArrayLiteralExpression(node)) {
    for (const element of node.elements) {
      if (!ts.isSpreadElement(element)) continue;
      const origin = originOf(element.expression, depth + 1, trace);
      if (origin) return origin;
    }
    return undefined;
  }
  if (ts.isBinaryExpression(node)) {
    const operator = node.operatorToken.kind;
    if (operator === ts.SyntaxKind.QuestionQuestionToken || operator === ts.SyntaxKind.BarBarToken)
      return originOf(node.left, depth + 1, trace);
    return undefined;
  }
  if (ts.isConditionalExpression(node)) return originOf(node.whenTrue, depth + 1, trace) ?? originOf(node.whenFalse, depth + 1, trace);
  if (ts.isIdentifier(node)) return identifierOrigin(node, depth, trace);
  if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node))
    return isDefinedByConfiguration(node) ? undefined : memberOrigin(node, depth, trace);
  if (ts.isCallExpression(node)) return callOrigin(node, depth, trace);
  return undefined;
}

/**
 * `req.body.ids`, `ctx.request.body`, `request.payload.targets`: "request"; `req.payload.config.collections`:
 * "" (configuration carried on the request, decidedly not input); undefined when the path is no request's.
 */
function requestOrigin(node: ts.Expression): InputOrigin | "" | undefined {
  if (ts.isCallExpression(node)) {
    // await req.json(), await c.req.parseBody()
    const callee = unwrapExpression(node.expression);
    const method = memberName(callee);
    if (method && REQUEST_BODY_METHOD.has(method) && ts.isPropertyAccessExpression(callee)) {
      const path = collectionPath(callee.expression);
      if (path && path.length > 0 && REQUEST_ROOT.test(path[path.length - 1]!)) return "request";
    }
    return undefined;
  }
  const path = collectionPath(node);
  if (!path) return undefined;
  const root = path.findIndex((segment) => REQUEST_ROOT.test(segment));
  if (root === -1) return undefined;
  const data = path.findIndex((segment, index) => index > root && REQUEST_DATA.test(segment));
  if (data === -1) return undefined;
  // `payload` alone is also Payload CMS's instance: only data when no configuration hangs under it
  if (path[data] === "payload" && path.slice(data + 1).some((segment) => CONFIG_SEGMENT.test(segment))) return "";
  return "request";
}

function identifierOrigin(identifier: ts.Identifier, depth: number, trace: Trace): InputOrigin | undefined {
  const declaration = findDeclaration(identifier);
  if (!declaration) return undefined;
  if (ts.isVariableDeclaration(declaration)) {
    if (!ts.isIdentifier(declaration.name)) return undefined;
    const list = declaration.parent;
    if (ts.isVariableDeclarationList(list) && (ts.isForOfStatement(list.parent) || ts.isForInStatement(list.parent))) {
      // `for (const batch of batches)`: an element, not the collection
      return undefined;
    }
    if (declaration.initializer) {
      const origin = originOf(declaration.initializer, depth + 1, trace);
      if (origin) return origin;
    }
    return growingOrigin(declaration);
  }
  if (ts.isBindingElement(declaration)) {
    // const { rows } = await pool.query(…), const { ids } = req.body
    const owner = bindingOwner(declaration);
    if (!owner?.initializer) return owner && ts.isParameter(owner.node) ? parameterOrigin(owner.node, depth, trace) : undefined;
    const key = declaration.propertyName ?? declaration.name;
    const keyName = ts.isIdentifier(key) || ts.isStringLiteral(key) ? key.text : undefined;
    const origin = originOf(owner.initializer, depth + 1, trace);
    if (origin === "query" || origin === "messages") return keyName && ROWS_FIELD.test(keyName) ? origin : undefined;
    return origin;
  }
  if (ts.isParameter(declaration)) return parameterOrigin(declaration, depth, trace);
  return undefined;
}

function bindingOwner(element: ts.BindingElement): { node: ts.Node; initializer: ts.Expression | undefined } | undefined {
  let current: ts.Node = element.parent;
  while (ts.isObjectBindingPattern(current) || ts.isArrayBindingPattern(current) || ts.isBindingElement(current)) current = current.parent;
  if (ts.isVariableDeclaration(current)) return { node: current, initializer: current.initializer };
  if (ts.isParameter(current)) return { node: current, initializer: undefined };
  return undefined;
}

function memberOrigin(
  node: ts.PropertyAccessExpression | ts.ElementAccessExpression,
  depth: number,
  trace: Trace,
): InputOrigin | undefined {
  const base = unwrapExpression(node.expression);
  const name = memberName(node);
  if (name === "messages" || name === "Messages" || name === "Records") {
    const baseName = dottedName(base)?.split(".").pop();
    if (name !== "messages" || (baseName && /batch$/i.test(baseName))) return "messages";
  }
  if (base.kind === ts.SyntaxKind.ThisKeyword && ts.isPropertyAccessExpression(node)) {
    // a field: what the constructor assigned (settings), or a collection the class adds to
    const init = getThisPropertyInitializer(node);
    if (init && !isEmptyCollection(init)) return undefined;
    return fieldGrows(node) ? "growing" : undefined;
  }
  const origin = originOf(base, depth + 1, trace);
  if (origin === "query" || origin === "messages")
    return name && (ROWS_FIELD.test(name) || ts.isElementAccessExpression(node)) ? origin : undefined;
  // a list hanging under an input-sized parameter (`input.files`) is as large as the caller makes it;
  // one entry picked by a computed key (`doc[field.name]`) is keyed by something else (a schema field)
  if (origin === "request") return origin;
  if (origin === "parameter")
    return ts.isElementAccessExpression(node) && !isStringLike(unwrapExpression(node.argumentExpression)) ? undefined : origin;
  return undefined;
}

function callOrigin(call: ts.CallExpression, depth: number, trace: Trace): InputOrigin | undefined {
  if (isFileListingCall(call)) return "files";
  const callee = unwrapExpression(call.expression);
  const method = memberName(callee);
  const listed = listedCollection(call);
  if (listed) return originOf(listed, depth + 1, trace);
  if (!method || !(ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee))) return undefined;
  const receiver = callee.expression;
  if (method === "split") {
    const separator = call.arguments[0] && unwrapExpression(call.arguments[0]);
    if (separator && (isStringLike(separator) || ts.isRegularExpressionLiteral(separator)) && separator.getText().includes("\\n"))
      return "lines";
    return undefined;
  }
  if (method === "slice" && call.arguments.length >= 2) return undefined;
  if (SAME_ITEMS_METHODS.has(method) || method === "flatMap") {
    const origin = originOf(receiver, depth + 1, trace);
    if (origin) return origin;
    if (method === "concat") {
      for (const argument of call.arguments) {
        const inner = originOf(argument, depth + 1, trace);
        if (inner) return inner;
      }
    }
    return undefined;
  }
  if (isUnlimitedQuery(call)) return "query";
  return undefined;
}

/**
 * `service.readByQuery({ filter })`, `Model.findAll({ where })`, `db.query("select * from t")`,
 * `coll.find(q).toArray()`: a query or listing whose arguments are written out and carry no limit,
 * nor a `.limit()`/`.take()` in its builder chain. A query handed its options in a variable, or an
 * array's own `find(callback)`, is no evidence.
 */
function isUnlimitedQuery(call: ts.CallExpression): boolean {
  let sawQuery = false;
  for (let current: ts.Expression = call; ;) {
    const node = unwrapExpression(current);
    if (!ts.isCallExpression(node)) break;
    const callee = unwrapExpression(node.expression);
    const method = memberName(callee) ?? (ts.isIdentifier(callee) ? callee.text : undefined);
    if (method && LIMIT_METHOD.has(method)) return false;
    if (method && QUERY_METHOD.test(method)) {
      if (!argumentsAreUnlimited(node)) return false;
      sawQuery = true;
    }
    if (!ts.isPropertyAccessExpression(callee) && !ts.isElementAccessExpression(callee)) break;
    current = callee.expression;
  }
  return sawQuery;
}

function argumentsAreUnlimited(call: ts.CallExpression): boolean {
  for (const argument of call.arguments) {
    const node = unwrapExpression(argument);
    if (isFunctionNode(node)) return false;
    if (ts.isObjectLiteralExpression(node)) {
      for (const property of node.properties) {
        if (ts.isSpreadAssignment(property)) return false;
        const key = declaredName(property.name);
        if (key && LIMIT_KEY.test(key)) return false;
      }
    } else if (isStringLike(node) || ts.isTemplateExpression(node)) {
      if (SQL_LIMIT.test(node.getText())) return false;
    } else if (ts.isArrayLiteralExpression(node) || ts.isNumericLiteral(node)) {
      continue;
    } else {
      return false;
    }
  }
  return true;
}

function isEmptyCollection(expression: ts.Expression): boolean {
  const node = unwrapExpression(expression);
  if (ts.isArrayLiteralExpression(node)) return node.elements.length === 0;
  if (ts.isObjectLiteralExpression(node)) return node.properties.length === 0;
  if (ts.isNewExpression(node) && ts.isIdentifier(node.expression))
    return /^(Map|Set|WeakMap|Array)$/.test(node.expression.text) && !node.arguments?.length;
  return false;
}

/** A field of the class (`this.uploads`) that a method other than the constructor adds to. */
function fieldGrows(access: ts.PropertyAccessExpression): boolean {
  let klass: ts.Node | undefined = access.parent;
  while (klass && !ts.isClassDeclaration(klass) && !ts.isClassExpression(klass)) klass = klass.parent;
  if (!klass) return false;
  const name = access.name.text;
  return addsTo(klass, (target) => {
    const node = unwrapExpression(target);
    return ts.isPropertyAccessExpression(node) && node.expression.kind === ts.SyntaxKind.ThisKeyword && node.name.text === name;
  });
}

/** A `let`/`const` collection, initialised empty, that code inside a function (not at module load) adds to. */
function growingOrigin(declaration: ts.VariableDeclaration): InputOrigin | undefined {
  if (!declaration.initializer || !isEmptyCollection(declaration.initializer)) return undefined;
  const scope = declaration.getSourceFile();
  // only a module-level collection outlives one call: a local one is filled by the code that then maps it
  if (!ts.isSourceFile(declaration.parent.parent.parent)) return undefined;
  return addsTo(scope, (target) => {
    const node = unwrapExpression(target);
    return ts.isIdentifier(node) && findDeclaration(node) === declaration;
  })
    ? "growing"
    : undefined;
}

/** Does code in a method or function under `root` (not a constructor) add an entry to the collection `isTarget` names? */
function addsTo(root: ts.Node, isTarget: (expression: ts.Expression) => boolean): boolean {
  let found = false;
  walk(root, (node) => {
    if (found) return false;
    if (ts.isConstructorDeclaration(node)) return false;
    if (
      ts.isCallExpression(node) &&
      (ts.isPropertyAccessExpression(node.expression) || ts.isElementAccessExpression(node.expression)) &&
      ADD_METHOD.has(memberName(node.expression) ?? "") &&
      isTarget(node.expression.expression) &&
      insideFunction(node, root)
    )
      found = true;
    else if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isElementAccessExpression(node.left) &&
      isTarget(node.left.expression) &&
      insideFunction(node, root)
    )
      found = true;
    return !found;
  });
  return found;
}

function insideFunction(node: ts.Node, root: ts.Node): boolean {
  for (let current = node.parent; current && current !== root; current = current.parent) if (isFunctionNode(current)) return true;
  return false;
}

/**
 * A parameter's list: as large as the callers make it. Callers outside the file (an exported
 * function, a method of an exported class) are unknown, so the list counts as input-sized unless the
 * parameter is named as configuration; callers in the file are followed (`.then(fn)` after a step
 * that lists files counts as a caller passing that listing). A constructor's parameters are the
 * object's settings.
 */
function parameterOrigin(parameter: ts.ParameterDeclaration, depth: number, trace: Trace): InputOrigin | undefined {
  const fn = parameter.parent;
  if (!isFunctionNode(fn) || ts.isConstructorDeclaration(fn)) return undefined;
  if (ts.isIdentifier(parameter.name) && (isDefinedByConfiguration(parameter.name) || CONFIG_SEGMENT.test(parameter.name.text)))
    return undefined;
  const index = fn.parameters.indexOf(parameter);
  const callers = callSites(fn);
  for (const site of callers) {
    if ("promise" in site) {
      if (index !== 0) continue;
      const origin = resolvedValueOrigin(site.promise, depth + 1, trace);
      if (origin) return origin;
      continue;
    }
    const argument = site.call.arguments[index];
    if (!argument || ts.isSpreadElement(argument)) continue;
    const origin = originOf(argument, depth + 1, trace);
    if (origin) return origin;
  }
  // the file's own calls show what the function is given: only without any is the outside caller assumed
  if (callers.length > 0 || !isCalledFromOutside(fn)) return undefined;
  const imported = trace.program && !ts.isMethodDeclaration(fn) ? importedCallOrigins(fn, index, trace.program) : undefined;
  if (imported) return imported.find((origin): origin is InputOrigin => origin !== null);
  return "parameter";
}

type CallSite = { call: ts.CallExpression } | { promise: ts.Expression };

/** Calls of a function in its own file: `name(…)`, `this.name(…)`, and `p.then(name)` (called with what `p` resolves to). */
function callSites(fn: ts.FunctionLikeDeclaration): CallSite[] {
  const name = functionNameOf(fn);
  if (!name) return [];
  const isMethod = ts.isMethodDeclaration(fn);
  const sites: CallSite[] = [];
  walk(fn.getSourceFile(), (node) => {
    if (ts.isCallExpression(node)) {
      const callee = unwrapExpression(node.expression);
      if (isMethod) {
        if (
          (ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee)) &&
          memberName(callee) === name &&
          unwrapExpression(callee.expression).kind === ts.SyntaxKind.ThisKeyword
        )
          sites.push({ call: node });
      } else if (ts.isIdentifier(callee) && callee.text === name && declarationFunction(callee) === fn) {
        sites.push({ call: node });
      } else if (
        memberName(callee) === "then" &&
        ts.isPropertyAccessExpression(callee) &&
        node.arguments[0] &&
        ts.isIdentifier(unwrapExpression(node.arguments[0])) &&
        declarationFunction(unwrapExpression(node.arguments[0]) as ts.Identifier) === fn
      ) {
        sites.push({ promise: callee.expression });
      }
    }
    return true;
  });
  return sites;
}

function functionNameOf(fn: ts.FunctionLikeDeclaration): string | undefined {
  if (ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn)) return fn.name ? declaredName(fn.name) : undefined;
  const parent = fn.parent;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (ts.isPropertyAssignment(parent)) return declaredName(parent.name);
  return undefined;
}

function declarationFunction(identifier: ts.Identifier): ts.FunctionLikeDeclaration | undefined {
  const declaration = findDeclaration(identifier);
  if (!declaration) return undefined;
  if (ts.isFunctionDeclaration(declaration)) return declaration;
  if (ts.isVariableDeclaration(declaration) && declaration.initializer) {
    const init = unwrapExpression(declaration.initializer);
    if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return init;
  }
  return undefined;
}

/** What `p` resolves to, for `p.then(fn)`: `x.then(step)` resolves to what `step` returns; a call to its own value. */
function resolvedValueOrigin(promise: ts.Expression, depth: number, trace: Trace): InputOrigin | undefined {
  const node = unwrapExpression(promise);
  if (!ts.isCallExpression(node)) return undefined;
  const callee = unwrapExpression(node.expression);
  if (memberName(callee) === "then" && node.arguments[0]) {
    const step = unwrapExpression(node.arguments[0]);
    const fn = ts.isIdentifier(step) ? declarationFunction(step) : isFunctionNode(step) ? step : undefined;
    if (!fn?.body) return undefined;
    if (!ts.isBlock(fn.body)) return originOf(fn.body as ts.Expression, depth + 1, trace);
    let origin: InputOrigin | undefined;
    walk(fn.body, (inner) => {
      if (origin) return false;
      if (inner !== fn.body && isFunctionNode(inner)) return false;
      if (ts.isReturnStatement(inner) && inner.expression) origin = originOf(inner.expression, depth + 1, trace);
      return !origin;
    });
    return origin;
  }
  return originOf(node, depth + 1, trace);
}

/**
 * Is this function, which its file never calls, reached from outside the file? An exported function, or
 * a method of an exported class (a private method with no caller in view is called from code that is
 * not in the file: a subclass, or a part of the file that was cut).
 */
/**
 * For an exported function called by other files of the run: the origin of the argument at `index` of
 * each call (null where it shows nothing); undefined when no file of the run calls it (the package's
 * public API, called by its users).
 */
function importedCallOrigins(fn: ts.FunctionLikeDeclaration, index: number, program: ProgramView): (InputOrigin | null)[] | undefined {
  const name = functionNameOf(fn);
  const own = program.getFile(fn.getSourceFile().fileName)?.path;
  if (!name || !own) return undefined;
  const summaries = program.facts(`input-size:callers:${name}`, (file) => importedCalls(file, name, program), name);
  // barrels that pass the function on (`export { name } from "./own.js"`), one level deep
  const barrels = program.facts(`input-size:reexports:${name}`, (file) => reexportSources(file, name, program), name);
  const sources = new Set([own, ...[...barrels].filter(([, from]) => from.includes(own)).map(([path]) => path)]);
  const origins: (InputOrigin | null)[] = [];
  for (const calls of summaries.values()) for (const call of calls) if (sources.has(call.from)) origins.push(call.origins[index] ?? null);
  return origins.length > 0 ? origins : undefined;
}

/** The files this file re-exports `name` from (`export { name } from "./x.js"`), resolved. */
function reexportSources(file: ProgramFile, name: string, program: ProgramView): string[] {
  const sources: string[] = [];
  for (const statement of file.sourceFile.statements) {
    if (!ts.isExportDeclaration(statement) || !statement.moduleSpecifier || !isStringLike(statement.moduleSpecifier)) continue;
    const clause = statement.exportClause;
    if (clause && (!ts.isNamedExports(clause) || !clause.elements.some((element) => (element.propertyName ?? element.name).text === name)))
      continue;
    const target = program.resolveImport(file.path, statement.moduleSpecifier.text);
    if (target) sources.push(target.path);
  }
  return sources;
}

interface ImportedCall {
  from: string;
  origins: (InputOrigin | null)[];
}

/** Calls in this file of a function named `name` imported from a relative module, with what each argument shows (judged in this file only). */
function importedCalls(file: ProgramFile, name: string, program: ProgramView): ImportedCall[] {
  const locals = new Map<string, string>();
  for (const statement of file.sourceFile.statements) {
    if (!ts.isImportDeclaration(statement) || !isStringLike(statement.moduleSpecifier) || !statement.moduleSpecifier.text.startsWith("."))
      continue;
    const bindings = statement.importClause?.namedBindings;
    if (!bindings || !ts.isNamedImports(bindings)) continue;
    const target = program.resolveImport(file.path, statement.moduleSpecifier.text);
    if (!target) continue;
    for (const element of bindings.elements)
      if ((element.propertyName ?? element.name).text === name) locals.set(element.name.text, target.path);
  }
  if (locals.size === 0) return [];
  const calls: ImportedCall[] = [];
  walk(file.sourceFile, (node) => {
    if (ts.isCallExpression(node)) {
      const callee = unwrapExpression(node.expression);
      const from = ts.isIdentifier(callee) ? locals.get(callee.text) : undefined;
      if (from)
        calls.push({
          from,
          origins: node.arguments.map((argument) =>
            ts.isSpreadElement(argument) ? null : (originOf(argument, 0, { seen: new Set() }) ?? null),
          ),
        });
    }
    return true;
  });
  return calls;
}

function isCalledFromOutside(fn: ts.FunctionLikeDeclaration): boolean {
  if (ts.isMethodDeclaration(fn)) {
    const klass = fn.parent;
    if (!ts.isClassDeclaration(klass) && !ts.isClassExpression(klass)) return false;
    if (!isExportedClass(klass)) return false;
    return true;
  }
  const name = functionNameOf(fn);
  if (ts.isFunctionDeclaration(fn)) return hasExport(fn) || (!!name && exportedNames(fn.getSourceFile()).has(name));
  const parent = fn.parent;
  if (ts.isVariableDeclaration(parent)) return hasExport(parent.parent.parent) || (!!name && exportedNames(fn.getSourceFile()).has(name));
  return false;
}

function isExportedClass(klass: ts.ClassLikeDeclaration): boolean {
  if (ts.isClassDeclaration(klass)) return hasExport(klass) || (!!klass.name && exportedNames(klass.getSourceFile()).has(klass.name.text));
  const parent = klass.parent;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name))
    return hasExport(parent.parent.parent) || exportedNames(klass.getSourceFile()).has(parent.name.text);
  return false;
}

function hasExport(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword);
}

const exportedNamesCache = new WeakMap<ts.SourceFile, Set<string>>();

/** Local names a file exports: `export { a, b as c }`, `export default a`, `module.exports = a`, `module.exports = { a }`, `exports.a = a`. */
function exportedNames(sourceFile: ts.SourceFile): Set<string> {
  let names = exportedNamesCache.get(sourceFile);
  if (names) return names;
  names = new Set();
  for (const statement of sourceFile.statements) {
    if (
      ts.isExportDeclaration(statement) &&
      !statement.moduleSpecifier &&
      statement.exportClause &&
      ts.isNamedExports(statement.exportClause)
    ) {
      for (const element of statement.exportClause.elements) names.add((element.propertyName ?? element.name).text);
    } else if (ts.isExportAssignment(statement) && ts.isIdentifier(statement.expression)) {
      names.add(statement.expression.text);
    } else if (ts.isExpressionStatement(statement)) {
      const expression = statement.expression;
      if (!ts.isBinaryExpression(expression) || expression.operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
      const target = dottedName(expression.left);
      if (!target || !/^(module\.exports|exports)(\.|$)/.test(target)) continue;
      const value = unwrapExpression(expression.right);
      if (ts.isIdentifier(value)) names.add(value.text);
      else if (ts.isObjectLiteralExpression(value)) {
        for (const property of value.properties) {
          if (ts.isShorthandPropertyAssignment(property)) names.add(property.name.text);
          else if (ts.isPropertyAssignment(property) && ts.isIdentifier(unwrapExpression(property.initializer)))
            names.add((unwrapExpression(property.initializer) as ts.Identifier).text);
        }
      }
    }
  }
  exportedNamesCache.set(sourceFile, names);
  return names;
}

const SIZE_PROPERTY = new Set(["length", "size", "count"]);

/**
 * The origin of a count (`for (let i = 0; i < n; i++)`, `Array.from({ length: n })`, `while (queue.length)`):
 * input-sized when it is the `.length`/`.size`/`.count` of an input-sized collection or a number
 * from a request (`req.query.n`), directly or through `const` locals. `Math.min(items.length, limit)`
 * is bounded by `limit`; a bare number parameter (`concurrency`) is a worker count, not input.
 */
export function countOrigin(expression: ts.Expression, depth = 0): InputOrigin | undefined {
  if (depth > 4) return undefined;
  const node = unwrapExpression(expression);
  if (ts.isCallExpression(node) && isApi(resolveApi(node.expression), GLOBAL_MODULE, "Math", "min")) {
    let origin: InputOrigin | undefined;
    for (const argument of node.arguments) {
      const inner = countOrigin(argument, depth + 1);
      if (!inner) return undefined;
      origin = inner;
    }
    return origin;
  }
  let origin: InputOrigin | undefined;
  walk(node, (child) => {
    if (origin || isFunctionNode(child)) return false;
    if (ts.isPropertyAccessExpression(child)) {
      if (SIZE_PROPERTY.has(child.name.text)) {
        origin = inputOrigin(child.expression);
        return false;
      }
      const request = requestOrigin(child);
      if (request) origin = request;
      return false;
    }
    if (ts.isIdentifier(child)) {
      const declaration = findDeclaration(child);
      if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer)
        origin = countOrigin(declaration.initializer, depth + 1);
    }
    return !origin;
  });
  return origin;
}
