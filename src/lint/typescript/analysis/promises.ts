import { ts } from "#compiler";
import type { ProgramFile, ProgramView } from "../rule.js";
import { isAsyncFunction, isPromiseTyped, knownTypeMembers } from "./functions.js";
import { abstractOwner, implementersOf } from "./implementations.js";
import { GLOBAL_MODULE, isApi, resolveApi, type ApiRef } from "./imports.js";
import { declaredName, dottedName, isFunctionNode, isStringLike, memberName, unwrapExpression, walk, enclosingClass } from "./nodes.js";
import { findDeclaration, getInitializer } from "./scope.js";

/**
 * What promise questions need to know beyond the syntax tree: the checker (asked lazily, since the
 * first call builds the program) and the run's other files, for async functions imported from them.
 */
export interface PromiseEnv {
  getTypeChecker(): ts.TypeChecker | undefined;
  program?: ProgramView;
  filePath?: string;
}

/** Modules whose every exported function returns a promise. */
const PROMISE_MODULES = new Set(["fs/promises", "dns/promises", "stream/promises", "readline/promises"]);
const HTTP_CLIENT_METHODS = new Set(["get", "post", "put", "patch", "delete", "head", "options", "request"]);

/**
 * Well-known promise-returning APIs, recognised by import source: `fetch`, `fs/promises.*`,
 * `fs.promises.*`, `timers/promises` `setTimeout`/`setImmediate`, `events.once`, anything passed
 * through `util.promisify`, the common HTTP clients (axios, got, node-fetch, undici), and VS Code's
 * `window.withProgress` and `workspace.fs.*`.
 */
export function isKnownPromiseApi(ref: ApiRef | undefined): boolean {
  if (!ref) return false;
  if (ref.promisified) return true;
  const path = ref.path[0] === "default" ? ref.path.slice(1) : ref.path;
  if (PROMISE_MODULES.has(ref.module)) return path.length === 1 && path[0] !== "constants";
  if (ref.module === "fs") return path.length === 2 && path[0] === "promises" && path[1] !== "constants";
  if (ref.module === "timers/promises") return isApi(ref, "timers/promises", "setTimeout") || isApi(ref, "timers/promises", "setImmediate");
  if (ref.module === "events") return isApi(ref, "events", "once") || isApi(ref, "events", "EventEmitter", "once");
  if (ref.module === GLOBAL_MODULE) return isApi(ref, GLOBAL_MODULE, "fetch");
  if (ref.module === "node-fetch") return path.length === 0;
  if (ref.module === "undici") return isApi(ref, "undici", "fetch") || isApi(ref, "undici", "request");
  if (ref.module === "vscode") return isVscodeTaskRunner(ref) || (path.length === 3 && path[0] === "workspace" && path[1] === "fs");
  if (ref.module === "axios" || ref.module === "got") {
    return path.length === 0 || (path.length === 1 && HTTP_CLIENT_METHODS.has(path[0]!));
  }
  return false;
}

/**
 * VS Code's `window.withProgress(options, task)`: the Thenable it returns settles as the task's
 * promise does, so it rejects when the task rejects.
 */
export function isVscodeTaskRunner(ref: ApiRef | undefined): boolean {
  return isApi(ref, "vscode", "window", "withProgress");
}

const PROMISE_STATICS = new Set(["all", "allSettled", "any", "race", "resolve", "reject", "try", "withResolvers"]);

function isPromiseStatic(call: ts.CallExpression): boolean {
  const ref = resolveApi(call.expression);
  return (
    !!ref &&
    ref.module === GLOBAL_MODULE &&
    ref.path.length === 2 &&
    ref.path[0] === "Promise" &&
    PROMISE_STATICS.has(ref.path[1]!) &&
    ref.path[1] !== "withResolvers"
  );
}

function isPromiseTypeNode(type: ts.TypeNode | undefined): boolean {
  if (!type) return false;
  if (ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName)) {
    return type.typeName.text === "Promise" || type.typeName.text === "PromiseLike";
  }
  return false;
}

/**
 * True when a function returns a promise by its syntax: `async`, a `Promise<…>` return annotation,
 * or (one level deep) an expression body that is a promise-producing expression, or a block whose
 * every `return` gives one and that cannot fall off its end (`close(cb)` that returns a promise only
 * without a callback does not count).
 */
export function returnsPromise(fn: ts.FunctionLikeDeclaration, env: PromiseEnv, depth = 0): boolean {
  if (isAsyncFunction(fn)) return !isGeneratorLike(fn);
  if (isPromiseTypeNode(fn.type)) return true;
  if (depth > 2 || !fn.body) return false;
  if (!ts.isBlock(fn.body)) return isPromiseExpression(fn.body, env, depth + 1) === true;
  const last = fn.body.statements[fn.body.statements.length - 1];
  if (!last || !(ts.isReturnStatement(last) || ts.isThrowStatement(last))) return false;
  const returns: ts.ReturnStatement[] = [];
  const body = fn.body;
  walk(body, (node) => {
    if (node !== body && isFunctionNode(node)) return false;
    if (ts.isReturnStatement(node)) returns.push(node);
    return true;
  });
  return (
    returns.length > 0 &&
    returns.every((statement) => !!statement.expression && isPromiseExpression(statement.expression, env, depth + 1) === true)
  );
}

function isGeneratorLike(fn: ts.FunctionLikeDeclaration): boolean {
  return (ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn) || ts.isMethodDeclaration(fn)) && !!fn.asteriskToken;
}

/** The function a declaration names: `function f`, `const f = () => …`, `const f = function …`. */
export function functionOfDeclaration(declaration: ts.Node | undefined): ts.FunctionLikeDeclaration | undefined {
  if (!declaration) return undefined;
  if (isFunctionNode(declaration)) return declaration;
  if (ts.isVariableDeclaration(declaration) && declaration.initializer) {
    const init = unwrapExpression(declaration.initializer);
    if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return init;
  }
  return undefined;
}

/**
 * The method `name` of a class, or of the classes it extends (declared in the same file, or with
 * `env` exported by a file of the run), a few levels up.
 */
function classMethod(klass: ts.ClassLikeDeclaration, name: string, env?: PromiseEnv, depth = 0): ts.FunctionLikeDeclaration | undefined {
  const own = ownClassMethod(klass, name);
  if (own || depth > 3 || hasOwnMember(klass, name)) return own;
  const base = klass.heritageClauses?.find((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
  const baseClass = base && classOfExpression(base, env);
  return baseClass && baseClass !== klass ? classMethod(baseClass, name, env, depth + 1) : undefined;
}

/** A member named `name` that is not a method with a body (an abstract method, a field without a function): the base's method is not the one called. */
function hasOwnMember(klass: ts.ClassLikeDeclaration, name: string): boolean {
  return klass.members.some((member) => !!member.name && declaredName(member.name) === name);
}

/**
 * The class an expression names: a class declared in this file (`class C`, `const C = class {}`), or
 * with `env` one exported by a file of the run it imports relatively (through re-exports).
 */
export function classOfExpression(expression: ts.Expression, env?: PromiseEnv): ts.ClassLikeDeclaration | undefined {
  const node = unwrapExpression(expression);
  if (ts.isClassExpression(node)) return node;
  if (!ts.isIdentifier(node)) return undefined;
  const declaration = findDeclaration(node);
  if (declaration && (ts.isClassDeclaration(declaration) || ts.isClassExpression(declaration))) return declaration;
  if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer) {
    const init = unwrapExpression(declaration.initializer);
    if (ts.isClassExpression(init)) return init;
  }
  if (!env) return undefined;
  const imported = relativeImportOf(node);
  return imported && importedClass(env, imported.specifier, imported.name, node);
}

/**
 * The class a receiver is an instance of, when the code shows it: `this` (the enclosing class),
 * `const o = new C()`, or `this.queue` given `new C()` by a field initialiser or the constructor.
 */
export function receiverClass(receiver: ts.Expression, env?: PromiseEnv): ts.ClassLikeDeclaration | undefined {
  const node = unwrapExpression(receiver);
  if (node.kind === ts.SyntaxKind.ThisKeyword) return enclosingClass(node);
  if (node.kind === ts.SyntaxKind.SuperKeyword) {
    // `super.init()`: the method of the class this one extends
    const base = enclosingClass(node)?.heritageClauses?.find((clause) => clause.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]
      ?.expression;
    return base && classOfExpression(base, env);
  }
  const init = getInitializer(node);
  return init && ts.isNewExpression(init) ? classOfExpression(init.expression, env) : undefined;
}

function ownClassMethod(klass: ts.ClassLikeDeclaration, name: string): ts.FunctionLikeDeclaration | undefined {
  for (const member of klass.members) {
    if (ts.isMethodDeclaration(member) && member.name && declaredName(member.name) === name && member.body) return member;
    if (ts.isPropertyDeclaration(member) && member.name && declaredName(member.name) === name && member.initializer) {
      const init = unwrapExpression(member.initializer);
      if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return init;
    }
  }
  return undefined;
}

/** Exported functions and classes of one file. */
interface PromiseExports {
  /** Every exported class (`class C`, `const C = class {}`), by exported name. */
  classes: Map<string, ts.ClassLikeDeclaration>;
  /** Every exported function (promise-returning or not), by exported name. */
  declarations: Map<string, ts.FunctionLikeDeclaration>;
  /** `export { name } from "./m"`, by exported name. */
  reexports: Map<string, { specifier: string; name: string }>;
  /** `export * from "./m"`. */
  reexportAll: string[];
}

function indexPromiseExports(file: ProgramFile): PromiseExports {
  const classes = new Map<string, ts.ClassLikeDeclaration>();
  const declarations = new Map<string, ts.FunctionLikeDeclaration>();
  const local = new Map<string, ts.Node>();
  const exported: [exportedName: string, localName: string][] = [];
  const reexports = new Map<string, { specifier: string; name: string }>();
  const reexportAll: string[] = [];
  const isExported = (node: ts.Node) =>
    ((ts.canHaveModifiers(node) ? ts.getModifiers(node) : undefined) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  const isDefault = (node: ts.Node) =>
    ((ts.canHaveModifiers(node) ? ts.getModifiers(node) : undefined) ?? []).some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
  for (const statement of file.sourceFile.statements) {
    if (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) {
      const name = statement.name?.text;
      if (name) local.set(name, statement);
      if (isExported(statement)) exported.push([isDefault(statement) ? "default" : (name ?? "default"), name ?? ""]);
      if (!name && isExported(statement)) local.set("", statement);
    } else if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (!ts.isIdentifier(declaration.name)) continue;
        local.set(declaration.name.text, declaration);
        if (isExported(statement)) exported.push([declaration.name.text, declaration.name.text]);
      }
    } else if (
      ts.isExportDeclaration(statement) &&
      !statement.moduleSpecifier &&
      statement.exportClause &&
      ts.isNamedExports(statement.exportClause)
    ) {
      for (const element of statement.exportClause.elements) {
        exported.push([element.name.text, (element.propertyName ?? element.name).text]);
      }
    } else if (ts.isExportAssignment(statement) && ts.isIdentifier(statement.expression)) {
      exported.push(["default", statement.expression.text]);
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && isStringLike(statement.moduleSpecifier)) {
      // export { a, b as c } from "./m"  /  export * from "./m"
      const specifier = statement.moduleSpecifier.text;
      if (!statement.exportClause) reexportAll.push(specifier);
      else if (ts.isNamedExports(statement.exportClause)) {
        for (const element of statement.exportClause.elements) {
          reexports.set(element.name.text, { specifier, name: (element.propertyName ?? element.name).text });
        }
      }
    } else if (ts.isExpressionStatement(statement)) {
      commonJsExports(statement.expression, local, exported);
    }
  }
  for (const [exportedName, localName] of exported) {
    const node = local.get(localName);
    if (!node) continue;
    if (ts.isClassDeclaration(node)) {
      classes.set(exportedName, node);
      continue;
    }
    const init = ts.isVariableDeclaration(node) && node.initializer ? unwrapExpression(node.initializer) : undefined;
    if (init && ts.isClassExpression(init)) {
      classes.set(exportedName, init);
      continue;
    }
    const fn = functionOfDeclaration(node);
    if (fn) declarations.set(exportedName, fn);
  }
  return { classes, declarations, reexports, reexportAll };
}

/**
 * `module.exports = { a, b: c }`, `module.exports.a = a`, `exports.a = function …`: CommonJS exports,
 * recorded like ES ones (a function written in place is recorded under a name of its own).
 */
function commonJsExports(
  expression: ts.Expression,
  local: Map<string, ts.Node>,
  exported: [exportedName: string, localName: string][],
): void {
  if (!ts.isBinaryExpression(expression) || expression.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return;
  const target = dottedName(expression.left);
  const value = unwrapExpression(expression.right);
  const record = (name: string, node: ts.Expression) => {
    const inner = unwrapExpression(node);
    if (ts.isIdentifier(inner)) exported.push([name, inner.text]);
    else if (ts.isArrowFunction(inner) || ts.isFunctionExpression(inner)) {
      local.set(`\u0000${name}`, inner);
      exported.push([name, `\u0000${name}`]);
    }
  };
  if (target === "module.exports" && ts.isObjectLiteralExpression(value)) {
    for (const property of value.properties) {
      if (ts.isShorthandPropertyAssignment(property)) exported.push([property.name.text, property.name.text]);
      else if (ts.isPropertyAssignment(property) && ts.isIdentifier(property.name)) record(property.name.text, property.initializer);
      else if (ts.isMethodDeclaration(property) && ts.isIdentifier(property.name)) {
        local.set(`\u0000${property.name.text}`, property);
        exported.push([property.name.text, `\u0000${property.name.text}`]);
      }
    }
  } else if (target === "module.exports") {
    record("default", value);
  } else if (target && /^(module\.)?exports\.[A-Za-z_$][\w$]*$/.test(target)) {
    record(target.slice(target.lastIndexOf(".") + 1), value);
  }
}

/**
 * An exported function of a file of the run, followed through re-exports (`export { f } from "./f"`,
 * `export * from "./g"`) a few files deep.
 */
function exportedFunction(env: PromiseEnv, file: ProgramFile, name: string): ts.FunctionLikeDeclaration | undefined {
  return exportedDeclaration(env, file, name, (exports, exported) => exports.declarations.get(exported));
}

function exportedDeclaration<T>(
  env: PromiseEnv,
  file: ProgramFile,
  name: string,
  pick: (exports: PromiseExports, name: string) => T | undefined,
  depth = 0,
): T | undefined {
  const exports = exportsOfFile(env, file);
  const own = pick(exports, name);
  if (own || depth > 3 || !env.program) return own;
  const reexport = exports.reexports.get(name);
  const targets = reexport
    ? [{ specifier: reexport.specifier, name: reexport.name }]
    : exports.reexportAll.map((specifier) => ({ specifier, name }));
  for (const target of targets) {
    const next = env.program.resolveImport(file.path, target.specifier);
    const found = next && exportedDeclaration(env, next, target.name, pick, depth + 1);
    if (found) return found;
  }
  return undefined;
}

function exportsOfFile(env: PromiseEnv, file: ProgramFile): PromiseExports {
  return env.program!.memo(`promise-exports:${file.path}`, () => indexPromiseExports(file));
}

/**
 * The file `specifier` names, resolved from the file that holds `from` (the analysis follows calls
 * into other files, whose relative imports are relative to themselves, not to the file being linted).
 */
function importedFile(env: PromiseEnv, specifier: string, from: ts.Node): ProgramFile | undefined {
  const { program } = env;
  if (!program) return undefined;
  const holder = from.getSourceFile().fileName;
  const filePath = program.getFile(holder) ? holder : env.filePath;
  return filePath ? program.resolveImport(filePath, specifier) : undefined;
}

/** The function exported as `name` by the file `specifier` names (relative to the file holding `from`), through re-exports. */
function importedFunction(env: PromiseEnv, specifier: string, name: string, from: ts.Node): ts.FunctionLikeDeclaration | undefined {
  const file = importedFile(env, specifier, from);
  return file && exportedFunction(env, file, name);
}

/** The class exported as `name` by the file `specifier` names, through re-exports. */
function importedClass(env: PromiseEnv, specifier: string, name: string, from: ts.Node): ts.ClassLikeDeclaration | undefined {
  const file = importedFile(env, specifier, from);
  return file && exportedDeclaration(env, file, name, (exports, exported) => exports.classes.get(exported));
}

/**
 * The relative module a receiver is the module object of: `ns` of `import * as ns from "./m"`, `m` of
 * `const m = require("./m")` (also `__importStar(require("./m"))` and `__importDefault(require("./m")).default`,
 * as TypeScript compiles them), and `m` of `import m from "./m"` when `./m` sets `module.exports = { … }`
 * (the names are looked up among its exports, so a default export that is not such an object finds nothing).
 */
export function moduleObjectOf(receiver: ts.Expression): string | undefined {
  let node = unwrapExpression(receiver);
  let throughDefault = false;
  if (ts.isPropertyAccessExpression(node) && node.name.text === "default") {
    node = unwrapExpression(node.expression);
    throughDefault = true;
  }
  if (!ts.isIdentifier(node)) return undefined;
  const declaration = findDeclaration(node);
  if (!declaration) return undefined;
  let specifier: string | undefined;
  if (ts.isNamespaceImport(declaration) || ts.isImportClause(declaration)) {
    const importDeclaration = ts.isNamespaceImport(declaration) ? declaration.parent.parent : declaration.parent;
    if (isStringLike(importDeclaration.moduleSpecifier)) specifier = importDeclaration.moduleSpecifier.text;
  } else if (ts.isVariableDeclaration(declaration) && ts.isIdentifier(declaration.name) && declaration.initializer) {
    let init = unwrapExpression(declaration.initializer);
    // __importStar(require("./m")), __importDefault(require("./m")), __toESM(require("./m"))
    if (ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text !== "require" && init.arguments.length >= 1)
      init = unwrapExpression(init.arguments[0]!);
    else if (throughDefault) return undefined;
    if (
      ts.isCallExpression(init) &&
      ts.isIdentifier(init.expression) &&
      init.expression.text === "require" &&
      init.arguments[0] &&
      isStringLike(init.arguments[0])
    )
      specifier = init.arguments[0].text;
  }
  return specifier?.startsWith(".") ? specifier : undefined;
}

/** For an identifier bound by `import { x as y } from "./m"`: the specifier and the exported name. */
export function relativeImportOf(identifier: ts.Identifier): { specifier: string; name: string } | undefined {
  const declaration = findDeclaration(identifier);
  if (!declaration) return undefined;
  let importDeclaration: ts.Node;
  let name: string;
  if (ts.isImportSpecifier(declaration)) {
    importDeclaration = declaration.parent.parent.parent;
    name = (declaration.propertyName ?? declaration.name).text;
  } else if (ts.isImportClause(declaration)) {
    importDeclaration = declaration.parent;
    name = "default";
  } else if (ts.isBindingElement(declaration) && ts.isObjectBindingPattern(declaration.parent)) {
    // const { a, b: c } = require("./m")
    const holder = declaration.parent.parent;
    const init = ts.isVariableDeclaration(holder) && holder.initializer ? unwrapExpression(holder.initializer) : undefined;
    const key = declaration.propertyName ?? declaration.name;
    if (
      !init ||
      !ts.isCallExpression(init) ||
      !ts.isIdentifier(init.expression) ||
      init.expression.text !== "require" ||
      !init.arguments[0] ||
      !isStringLike(init.arguments[0]) ||
      !ts.isIdentifier(key)
    )
      return undefined;
    const specifier = init.arguments[0].text;
    return specifier.startsWith(".") ? { specifier, name: key.text } : undefined;
  } else {
    return undefined;
  }
  if (!ts.isImportDeclaration(importDeclaration) || !isStringLike(importDeclaration.moduleSpecifier)) return undefined;
  const specifier = importDeclaration.moduleSpecifier.text;
  return specifier.startsWith(".") ? { specifier, name } : undefined;
}

/**
 * The function a call invokes when it is declared in this file (a function, a const arrow, a method
 * of the enclosing class via `this.m()`, a method of a local class via `const o = new C(); o.m()`).
 */
export function calledFunction(call: ts.CallExpression): ts.FunctionLikeDeclaration | undefined {
  const callee = unwrapExpression(call.expression);
  if (ts.isIdentifier(callee)) return functionOfDeclaration(findDeclaration(callee));
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const klass = receiverClass(callee.expression);
  return klass && classMethod(klass, callee.name.text);
}

/**
 * The function a call invokes, wherever it is declared among the linted files: in this file (per
 * `calledFunction`), exported by a file this one imports relatively, or — with the type checker —
 * wherever the checker resolves the callee to a function with a body (a method of an imported
 * class, a CommonJS export). Undefined for functions only declared (`.d.ts`, `declare`).
 */
export function resolveCalledFunction(call: ts.CallExpression, env: PromiseEnv): ts.FunctionLikeDeclaration | undefined {
  const local = calledFunction(call);
  if (local) return local;
  const callee = unwrapExpression(call.expression);
  if (ts.isIdentifier(callee)) {
    const imported = relativeImportOf(callee);
    const declaration = imported && importedFunction(env, imported.specifier, imported.name, callee);
    if (declaration) return declaration;
  }
  if (ts.isPropertyAccessExpression(callee)) {
    // an instance of (or a subclass of) a class exported by a file of the run
    const klass = receiverClass(callee.expression, env);
    const method = klass && classMethod(klass, callee.name.text, env);
    if (method) return method;
    // a module object: `import * as ns from "./m"; ns.f()`, `const m = require("./m"); m.f()`
    const module = moduleObjectOf(callee.expression);
    const exported = module && importedFunction(env, module, callee.name.text, callee);
    if (exported) return exported;
  }
  const checker = env.getTypeChecker();
  if (!checker) return undefined;
  try {
    const declaration = checker.getResolvedSignature(call)?.getDeclaration();
    if (declaration && isFunctionNode(declaration) && declaration.body && !declaration.getSourceFile().isDeclarationFile)
      return declaration;
    if (declaration && declaration.getSourceFile().isDeclarationFile) return compiledImplementation(declaration, env);
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * A compiled package ships `x.js` beside `x.d.ts`, and the checker resolves imports to the `.d.ts`:
 * the function a declaration there describes, found in the `.js` of the run beside it (a function
 * exported under the same name, or the method of the class of that name).
 */
function compiledImplementation(declaration: ts.Declaration, env: PromiseEnv): ts.FunctionLikeDeclaration | undefined {
  const declarationFile = declaration.getSourceFile().fileName;
  if (!env.program || !/\.d\.[cm]?ts$/.test(declarationFile)) return undefined;
  const base = declarationFile.replace(/\.d\.([cm]?)ts$/, "");
  const extension = /\.d\.([cm]?)ts$/.exec(declarationFile)![1];
  const file = env.program.getFile(`${base}.${extension}js`);
  if (!file) return undefined;
  const name = memberNameOf(declaration);
  if (!name) return undefined;
  const owner = declaration.parent;
  if (owner && ts.isClassDeclaration(owner) && owner.name) {
    const klass =
      exportedDeclaration(env, file, owner.name.text, (exports, exported) => exports.classes.get(exported)) ??
      file.sourceFile.statements.find(
        (statement): statement is ts.ClassDeclaration => ts.isClassDeclaration(statement) && statement.name?.text === owner.name!.text,
      );
    return klass && classMethod(klass, name, env);
  }
  if (ts.isFunctionDeclaration(declaration)) {
    const fn = exportedFunction(env, file, name);
    if (fn) return fn;
    const local = file.sourceFile.statements.find(
      (statement): statement is ts.FunctionDeclaration =>
        ts.isFunctionDeclaration(statement) && statement.name?.text === name && !!statement.body,
    );
    return local;
  }
  return undefined;
}

/**
 * `f.call(thisArg, …)` / `f.apply(thisArg, args)`: the function `f` names when the run declares it (in
 * this file, or imported from a file of the run), so what it returns is what this call returns.
 */
export function functionInvokedByCallOrApply(call: ts.CallExpression, env: PromiseEnv): ts.FunctionLikeDeclaration | undefined {
  const callee = unwrapExpression(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || (callee.name.text !== "call" && callee.name.text !== "apply")) return undefined;
  const target = unwrapExpression(callee.expression);
  if (!ts.isIdentifier(target)) return undefined;
  const local = functionOfDeclaration(findDeclaration(target));
  if (local) return local;
  const imported = relativeImportOf(target);
  return imported && importedFunction(env, imported.specifier, imported.name, target);
}

/**
 * Every function a call may run: the one `resolveCalledFunction` finds, or — with the checker, for a
 * call it resolves to a member without a body of an interface or an abstract class — that member in
 * each class or object literal of the run that implements the type (`queue: JobQueue`, then
 * `queue.drain()` runs `drain` of `MemoryQueue` or `RedisQueue`). Undefined when that set is not known
 * (no implementer found, one without the member, too many to follow).
 */
export function resolveCalledFunctions(call: ts.CallExpression, env: PromiseEnv): readonly ts.FunctionLikeDeclaration[] | undefined {
  const single = resolveCalledFunction(call, env);
  if (single) return [single];
  const checker = env.getTypeChecker();
  if (!checker || !env.program) return undefined;
  let declaration: ts.Declaration | undefined;
  try {
    declaration = checker.getResolvedSignature(call)?.getDeclaration();
  } catch {
    return undefined;
  }
  const owner = declaration && abstractOwner(declaration);
  const name = owner && memberNameOf(declaration!);
  if (!owner || !name || owner.getSourceFile().isDeclarationFile) return undefined;
  return implementationsOf(owner, name, checker, env, 0);
}

function memberNameOf(declaration: ts.Node): string | undefined {
  const member = ts.isFunctionTypeNode(declaration) ? declaration.parent : declaration;
  return declaredName((member as ts.NamedDeclaration).name as ts.PropertyName | undefined);
}

function implementationsOf(
  owner: ts.InterfaceDeclaration | ts.ClassLikeDeclaration,
  name: string,
  checker: ts.TypeChecker,
  env: PromiseEnv,
  depth: number,
): ts.FunctionLikeDeclaration[] | undefined {
  const implementers = implementersOf(owner, checker, env.program!);
  if (!implementers || implementers.classes.length + implementers.objects.length === 0 || depth > 3) return undefined;
  const found: ts.FunctionLikeDeclaration[] = [];
  for (const klass of implementers.classes) {
    const method = classMethod(klass, name, env);
    if (method) {
      found.push(method);
      continue;
    }
    // an abstract class between the type and the classes that implement the member
    const isAbstract = ts.isClassDeclaration(klass) && (ts.getCombinedModifierFlags(klass) & ts.ModifierFlags.Abstract) !== 0;
    const below = isAbstract ? implementationsOf(klass, name, checker, env, depth + 1) : undefined;
    if (!below) return undefined;
    found.push(...below);
  }
  for (const object of implementers.objects) {
    const method = objectMethod(object, name);
    if (!method) return undefined;
    found.push(method);
  }
  return found;
}

/** `{ async drain() {…} }`, `{ drain: async () => {…} }`: the function an object literal gives a member. */
function objectMethod(object: ts.ObjectLiteralExpression, name: string): ts.FunctionLikeDeclaration | undefined {
  for (const property of object.properties) {
    if (!property.name || declaredName(property.name) !== name) continue;
    if (ts.isMethodDeclaration(property) && property.body) return property;
    if (ts.isPropertyAssignment(property)) {
      const value = unwrapExpression(property.initializer);
      if (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) return value;
    }
  }
  return undefined;
}

/**
 * Does this call return a promise? `true`/`false` when the checker or the syntax can tell, `undefined`
 * when nothing is known (an unresolved method of an unknown object, without type information).
 */
export function isPromiseCall(call: ts.CallExpression, env: PromiseEnv, depth = 0): boolean | undefined {
  const syntactic = syntacticPromiseCall(call, env, depth);
  if (syntactic !== undefined) {
    if (syntactic) {
      const typed = isPromiseTyped(env.getTypeChecker(), call);
      return typed === false ? false : true;
    }
    return false;
  }
  if (isComputedMethodCall(call, env.getTypeChecker())) return undefined;
  return isPromiseTyped(env.getTypeChecker(), call);
}

/**
 * `app[method](…)` with a key the checker knows only as `string` (not a literal or a union of
 * literals): which method runs is not known, and the type the checker gives the call (fastify's route
 * shorthands come out as `Promise<undefined>`) is not evidence of a promise.
 */
function isComputedMethodCall(call: ts.CallExpression, checker: ts.TypeChecker | undefined): boolean {
  const callee = unwrapExpression(call.expression);
  if (!checker || !ts.isElementAccessExpression(callee)) return false;
  const key = unwrapExpression(callee.argumentExpression);
  if (isStringLike(key) || ts.isNumericLiteral(key)) return false;
  try {
    const type = checker.getTypeAtLocation(key);
    const members = type.isUnion() ? type.types : [type];
    return !members.every((member) => member.isLiteral() || (member.flags & ts.TypeFlags.UniqueESSymbol) !== 0);
  } catch {
    return true;
  }
}

/**
 * Promise-returning methods of well-known client classes, by module and exported class name: a call of
 * one on a receiver whose type annotation names the class (`topic: Topic`, `getTopic(): Topic`) returns a
 * promise, with or without the type checker (which has no package types in a bare checkout).
 */
const LIBRARY_PROMISE_METHODS: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  "@google-cloud/pubsub": {
    PubSub: ["createTopic", "createSubscription", "getTopics", "getSubscriptions", "close"],
    Topic: ["publish", "publishMessage", "publishJSON", "flush", "create", "delete", "exists", "get"],
    Subscription: ["close", "create", "delete", "exists", "get"],
  },
  pg: {
    Pool: ["query", "connect", "end"],
    Client: ["query", "connect", "end"],
    PoolClient: ["query"],
  },
};

/** The type annotation a receiver is declared with: a parameter, variable or class property, or the return type of a local function it calls. */
function annotatedTypeOf(receiver: ts.Expression): ts.TypeNode | undefined {
  const node = unwrapExpression(receiver);
  if (ts.isCallExpression(node)) return calledFunction(node)?.type;
  if (ts.isIdentifier(node)) {
    const declaration = findDeclaration(node);
    if (declaration && (ts.isParameter(declaration) || ts.isVariableDeclaration(declaration))) return declaration.type;
    return undefined;
  }
  if (ts.isPropertyAccessExpression(node) && node.expression.kind === ts.SyntaxKind.ThisKeyword) {
    const name = node.name.text;
    for (const member of enclosingClass(node)?.members ?? []) {
      if (ts.isPropertyDeclaration(member) && member.name && declaredName(member.name) === name) return member.type;
      if (ts.isConstructorDeclaration(member)) {
        // constructor(private readonly topic: Topic)
        const parameter = member.parameters.find(
          (candidate) => ts.isIdentifier(candidate.name) && candidate.name.text === name && ts.getModifiers(candidate)?.length,
        );
        if (parameter) return parameter.type;
      }
    }
  }
  return undefined;
}

/** `topic.publish(…)` with `topic` annotated as a class of `LIBRARY_PROMISE_METHODS` that has `publish`. */
function isLibraryPromiseMethodCall(callee: ts.PropertyAccessExpression): boolean {
  const type = annotatedTypeOf(callee.expression);
  if (!type || !ts.isTypeReferenceNode(type)) return false;
  const typeName = type.typeName;
  const ref = ts.isIdentifier(typeName)
    ? resolveApi(typeName)
    : ts.isIdentifier(typeName.left)
      ? (() => {
          const base = resolveApi(typeName.left);
          return base && { ...base, path: [...base.path, typeName.right.text] };
        })()
      : undefined;
  if (!ref || ref.module === GLOBAL_MODULE) return false;
  const path = ref.path[0] === "default" ? ref.path.slice(1) : ref.path;
  if (path.length !== 1) return false;
  return LIBRARY_PROMISE_METHODS[ref.module]?.[path[0]!]?.includes(callee.name.text) ?? false;
}

function syntacticPromiseCall(call: ts.CallExpression, env: PromiseEnv, depth: number): boolean | undefined {
  const callee = unwrapExpression(call.expression);
  // (async () => { … })()
  if (ts.isArrowFunction(callee) || ts.isFunctionExpression(callee)) return returnsPromise(callee, env, depth + 1);
  if (isPromiseStatic(call)) return true;
  const method = memberName(callee);
  if (
    (method === "then" || method === "catch" || method === "finally") &&
    (ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee))
  ) {
    return isPromiseExpression(callee.expression, env, depth + 1) === true ? true : undefined;
  }
  const local = calledFunction(call);
  if (local) return returnsPromise(local, env, depth + 1);
  // `update.call(this)`: what `update` returns
  const invoked = functionInvokedByCallOrApply(call, env);
  if (invoked) return returnsPromise(invoked, env, depth + 1) ? true : undefined;
  const ref = resolveApi(call.expression);
  if (isKnownPromiseApi(ref)) return true;
  if (ts.isIdentifier(callee)) {
    const imported = relativeImportOf(callee);
    const fn = imported && importedFunction(env, imported.specifier, imported.name, callee);
    if (fn) return returnsPromise(fn, env, 2) ? true : undefined;
  }
  if (ts.isPropertyAccessExpression(callee)) {
    if (isLibraryPromiseMethodCall(callee)) return true;
    // const repo = new Repo() with Repo imported from a file of the run, or a method inherited from one
    const klass = receiverClass(callee.expression, env);
    const method = klass && classMethod(klass, callee.name.text, env);
    if (method && returnsPromise(method, env, 2)) return true;
    // a function of a module object of the run: `ns.f()` of `import * as ns`, `m.f()` of `require("./m")`
    const module = moduleObjectOf(callee.expression);
    const fn = module && importedFunction(env, module, callee.name.text, callee);
    if (fn) return returnsPromise(fn, env, 2) ? true : undefined;
  }
  return undefined;
}

/**
 * Does this expression evaluate to a promise? Calls per `isPromiseCall`; `new Promise`; a variable
 * initialised with a (not awaited) promise; `a ? p : q` and `a && p` when a branch is a promise.
 */
export function isPromiseExpression(expression: ts.Expression, env: PromiseEnv, depth = 0): boolean | undefined {
  if (depth > 4) return undefined;
  const node = unwrapExpression(expression);
  if (ts.isCallExpression(node)) return isPromiseCall(node, env, depth);
  if (ts.isNewExpression(node)) {
    return ts.isIdentifier(node.expression) && node.expression.text === "Promise" && !findDeclaration(node.expression) ? true : undefined;
  }
  if (ts.isAwaitExpression(node)) return false;
  if (ts.isIdentifier(node)) {
    const declaration = findDeclaration(node);
    if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer && ts.isIdentifier(declaration.name)) {
      const isConst = (declaration.parent.flags & ts.NodeFlags.Const) !== 0;
      const init = unwrapExpression(declaration.initializer);
      if (isConst && (ts.isCallExpression(init) || ts.isNewExpression(init))) return isPromiseExpression(init, env, depth + 1);
    }
    return isPromiseTyped(env.getTypeChecker(), node);
  }
  if (ts.isConditionalExpression(node)) {
    const a = isPromiseExpression(node.whenTrue, env, depth + 1);
    const b = isPromiseExpression(node.whenFalse, env, depth + 1);
    return a || b ? true : undefined;
  }
  return undefined;
}

/** All `await` expressions and `for await` loops directly in `root`, not inside nested functions. */
export function collectAwaits(root: ts.Node): ts.Node[] {
  const found: ts.Node[] = [];
  walk(root, (node) => {
    if (node !== root && isFunctionNode(node)) return false;
    if (ts.isAwaitExpression(node) || (ts.isForOfStatement(node) && node.awaitModifier)) found.push(node);
    return true;
  });
  return found;
}

/** `p.catch(h)`, `p.then(a, b)`, and `.finally(f)` after one of those: a rejection handler is attached. */
export function hasRejectionHandler(expression: ts.Expression): boolean {
  let node = unwrapExpression(expression);
  for (;;) {
    if (!ts.isCallExpression(node)) return false;
    const callee = unwrapExpression(node.expression);
    const method = memberName(callee);
    if (!method || !(ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee))) return false;
    if (method === "catch") return node.arguments.length >= 1 && !isNullish(node.arguments[0]!);
    if (method === "then") return node.arguments.length >= 2 && !isNullish(node.arguments[1]!);
    if (method !== "finally") return false;
    node = unwrapExpression(callee.expression);
  }
}

function isNullish(expression: ts.Expression): boolean {
  const node = unwrapExpression(expression);
  return node.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(node) && node.text === "undefined");
}

/** For an identifier imported from another file of the run: is the export a promise-returning function? */
export function isImportedPromiseFunction(identifier: ts.Identifier, env: PromiseEnv): boolean {
  const imported = relativeImportOf(identifier);
  if (!imported) return false;
  const fn = importedFunction(env, imported.specifier, imported.name, identifier);
  return !!fn && returnsPromise(fn, env, 2);
}

/**
 * With the checker: false when the value is a thenable that is not a native `Promise` (a knex or
 * mongoose query, a PrismaPromise): those start no work until `then` is called, so they cannot reject
 * unobserved. True for native promises; undefined without a checker or for any/unknown.
 */
export function isNativePromiseTyped(checker: ts.TypeChecker | undefined, node: ts.Expression): boolean | undefined {
  return knownTypeMembers(checker, node)?.some((member) => (member.getSymbol() ?? member.aliasSymbol)?.name === "Promise");
}

/**
 * `new Promise((resolve) => …)` whose executor takes no `reject`, and `Promise.resolve(value)` of a
 * non-promise: they cannot reject once constructed (a deferred or a gate), so leaving them pending
 * loses nothing.
 */
export function cannotReject(expression: ts.Expression): boolean {
  const node = unwrapExpression(expression);
  if (
    ts.isNewExpression(node) &&
    ts.isIdentifier(node.expression) &&
    node.expression.text === "Promise" &&
    !findDeclaration(node.expression)
  ) {
    const executor = node.arguments?.[0] && unwrapExpression(node.arguments[0]);
    return !!executor && (ts.isArrowFunction(executor) || ts.isFunctionExpression(executor)) && executor.parameters.length < 2;
  }
  if (ts.isCallExpression(node) && isApi(resolveApi(node.expression), GLOBAL_MODULE, "Promise", "resolve")) {
    const value = node.arguments[0] && unwrapExpression(node.arguments[0]);
    return (
      !value ||
      ts.isLiteralExpression(value) ||
      ts.isObjectLiteralExpression(value) ||
      ts.isArrayLiteralExpression(value) ||
      value.kind === ts.SyntaxKind.NullKeyword ||
      value.kind === ts.SyntaxKind.TrueKeyword ||
      value.kind === ts.SyntaxKind.FalseKeyword
    );
  }
  return false;
}

/**
 * A call of a function imported from a relative module that is not among the linted files, when this
 * file awaits a call of another function of that module (`await serviceStart(…)` and, from the same
 * `require("./service")`, `orchestrateService(…)`): the module's API is asynchronous, and its other
 * functions are taken to return promises too. Only a guess where nothing better is known.
 */
export function isCallOfAwaitedModule(call: ts.CallExpression, env: PromiseEnv): boolean {
  const callee = unwrapExpression(call.expression);
  if (!ts.isIdentifier(callee)) return false;
  const imported = relativeImportOf(callee);
  if (!imported) return false;
  const sourceFile = call.getSourceFile();
  if (env.program && env.program.resolveImport(sourceFile.fileName, imported.specifier)) return false;
  const awaited = (env.program?.memo(`awaited-modules:${sourceFile.fileName}`, () => awaitedModules(sourceFile)) ??
    awaitedModules(sourceFile)) as Set<string>;
  return awaited.has(imported.specifier);
}

/** The relative modules whose imported functions this file awaits calls of. */
function awaitedModules(sourceFile: ts.SourceFile): Set<string> {
  const modules = new Set<string>();
  walk(sourceFile, (node) => {
    if (ts.isAwaitExpression(node)) {
      const value = unwrapExpression(node.expression);
      if (ts.isCallExpression(value) && ts.isIdentifier(unwrapExpression(value.expression))) {
        const imported = relativeImportOf(unwrapExpression(value.expression) as ts.Identifier);
        if (imported) modules.add(imported.specifier);
      }
    }
    return true;
  });
  return modules;
}
