/**
 * "Is this function reached only from start-up code?", across the files of the run: a loader, a
 * certificate generator or a telemetry helper exported by one file and called, in another, only from
 * module top level, from a `bootstrap`/`init` phase, or before the server listens, runs once while the
 * program boots. Unknown callers keep the answer "no": nothing in the run calls it (a public API), or
 * some use of it is not a call this analysis resolves (passed as a value, called through a receiver it
 * cannot type).
 */
import { ts } from "#compiler";
import type { ProgramView } from "../rule.js";
import { callbackSite } from "./callbacks.js";
import { getEnclosingFunction } from "./functions.js";
import { identifiersByName, identifiersNamed } from "./identifiers.js";
import { isStringLike, outerExpression, unwrapExpression } from "./nodes.js";
import { resolveCalledFunction } from "./promises.js";
import { findDeclaration } from "./scope.js";

export interface StartupEnv {
  program: ProgramView;
  filePath: string;
  /** Start-up code known to the caller (the rule): a function, or the code before `node` in it (`listen` after it). */
  isStartupFunction(fn: ts.FunctionLikeDeclaration, node: ts.Node): boolean;
}

/** The one-shot phases of a program by name: `bootstrap()`, `init()`, and a plugin's or provider's `register` hook. */
const STARTUP_PHASE = /^(bootstrap|init|initialize|initialise)$/;
const MAX_DEPTH = 3;

/** The name a function is called by: its own, its `const`'s, or its method or property key. */
function calledName(fn: ts.FunctionLikeDeclaration): string | undefined {
  if (fn.name && ts.isIdentifier(fn.name)) return fn.name.text;
  const parent = fn.parent;
  if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) && ts.isIdentifier(parent.name))
    return parent.name.text;
  return undefined;
}

/** `bootstrap()`, `init()`, or `register` of an object literal (a plugin or provider definition). */
export function isStartupPhase(fn: ts.FunctionLikeDeclaration): boolean {
  const name = calledName(fn);
  if (name === undefined) return false;
  if (STARTUP_PHASE.test(name)) return true;
  const holder = ts.isMethodDeclaration(fn) ? fn.parent : fn.parent?.parent;
  return name === "register" && !!holder && ts.isObjectLiteralExpression(holder);
}

/** The call whose callee is `node` (`f(…)`, `x.f(…)`, `await`-free), if any. */
function callOf(node: ts.Node): ts.CallExpression | undefined {
  const outer = outerExpression(node);
  const parent = outer.parent;
  return parent && ts.isCallExpression(parent) && unwrapExpression(parent.expression) === unwrapExpression(outer as ts.Expression)
    ? parent
    : undefined;
}

/** A name that declares or exports something rather than using it: `function f`, `{ f: … }`, `import { f }`, `exports.f = f`. */
function isDeclarationOrExport(identifier: ts.Identifier): boolean {
  const parent = identifier.parent;
  if (!parent) return true;
  if (
    (ts.isFunctionDeclaration(parent) ||
      ts.isMethodDeclaration(parent) ||
      ts.isVariableDeclaration(parent) ||
      ts.isPropertyAssignment(parent) ||
      ts.isPropertyDeclaration(parent) ||
      ts.isClassDeclaration(parent) ||
      ts.isParameter(parent) ||
      ts.isBindingElement(parent) ||
      ts.isImportSpecifier(parent) ||
      ts.isExportSpecifier(parent) ||
      ts.isImportClause(parent) ||
      ts.isFunctionExpression(parent)) &&
    (parent as ts.NamedDeclaration).name === identifier
  )
    return true;
  if (ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent)) return true;
  // `exports.f = f`, `module.exports.f = f`, `module.exports = f`: both sides export
  const top: ts.Node = ts.isPropertyAccessExpression(parent) && parent.name === identifier ? parent : identifier;
  const assignment = top.parent;
  if (assignment && ts.isBinaryExpression(assignment) && assignment.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const target = assignment.left.getText();
    if (/^(module\.)?exports(\.|$)/.test(target)) return true;
  }
  return false;
}

/** `module.exports = f` / `export default f` / `export default function f`: the file's default export is `fn`. */
function isDefaultExport(fn: ts.FunctionLikeDeclaration, sourceFile: ts.SourceFile): boolean {
  if (ts.isFunctionDeclaration(fn) && fn.modifiers?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword)) return true;
  const name = calledName(fn);
  if (!name) return false;
  return sourceFile.statements.some((statement) => {
    if (ts.isExportAssignment(statement)) return ts.isIdentifier(statement.expression) && statement.expression.text === name;
    if (!ts.isExpressionStatement(statement) || !ts.isBinaryExpression(statement.expression)) return false;
    const { left, right, operatorToken } = statement.expression;
    return (
      operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      left.getText() === "module.exports" &&
      ts.isIdentifier(right) &&
      right.text === name
    );
  });
}

/** The relative module `require("./m")` or `import x from "./m"` binds `binding` to. */
function requiredSpecifier(declaration: ts.Node): string | undefined {
  if (ts.isImportClause(declaration) || ts.isNamespaceImport(declaration)) {
    const importDeclaration = ts.isImportClause(declaration) ? declaration.parent : declaration.parent.parent;
    return isStringLike(importDeclaration.moduleSpecifier) ? importDeclaration.moduleSpecifier.text : undefined;
  }
  if (!ts.isVariableDeclaration(declaration) || !declaration.initializer) return undefined;
  let init = unwrapExpression(declaration.initializer);
  if (ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text !== "require" && init.arguments[0])
    init = unwrapExpression(init.arguments[0]);
  if (ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === "require" && init.arguments[0]) {
    const argument = init.arguments[0];
    return isStringLike(argument) ? argument.text : undefined;
  }
  return undefined;
}

/** The names a class is known by: its own and the variable it is assigned to (`let C = C_1 = class C {…}`). */
function classNames(klass: ts.ClassLikeDeclaration): Set<string> {
  const names = new Set<string>();
  if (klass.name) names.add(klass.name.text);
  for (let node: ts.Node = klass; node.parent; node = node.parent) {
    const parent = node.parent;
    if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) names.add(parent.name.text);
    else if (ts.isBinaryExpression(parent) && parent.right === node && ts.isIdentifier(parent.left)) names.add(parent.left.text);
    else if (!ts.isParenthesizedExpression(parent) && !ts.isBinaryExpression(parent)) break;
    if (ts.isVariableDeclaration(parent)) break;
  }
  return names;
}

/**
 * `const c = new C(); c.m()` (or `new C().m()`) where `C` is imported from the file that declares the
 * class of method `fn`, under a name of that class: a call of `fn` even when the class is compiled to
 * an expression (`let C = C_1 = class C {…}`, as decorators compile) that import resolution skips.
 */
function isMethodOfImportedInstance(call: ts.CallExpression, fn: ts.FunctionLikeDeclaration, env: StartupEnv): boolean {
  if (!ts.isMethodDeclaration(fn) || !ts.isClassLike(fn.parent)) return false;
  const callee = unwrapExpression(call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return false;
  let receiver = unwrapExpression(callee.expression);
  if (ts.isIdentifier(receiver)) {
    const declaration = findDeclaration(receiver);
    if (!declaration || !ts.isVariableDeclaration(declaration) || !declaration.initializer) return false;
    receiver = unwrapExpression(declaration.initializer);
  }
  if (!ts.isNewExpression(receiver) || !ts.isIdentifier(receiver.expression)) return false;
  const imported = findDeclaration(receiver.expression);
  if (!imported || !ts.isImportSpecifier(imported)) return false;
  const importDeclaration = imported.parent.parent.parent;
  if (!isStringLike(importDeclaration.moduleSpecifier) || !importDeclaration.moduleSpecifier.text.startsWith(".")) return false;
  const file = env.program.resolveImport(call.getSourceFile().fileName, importDeclaration.moduleSpecifier.text);
  return file?.sourceFile === fn.getSourceFile() && classNames(fn.parent).has((imported.propertyName ?? imported.name).text);
}

/**
 * Every call of `fn` in the run, or undefined when some use of its name is not a call resolved to
 * it (or to another function). Calls by its own name (`f()`, `ns.f()`, `obj.f()`), and, when `fn`
 * is its file's default export, calls of the binding another file requires it as (`const x =
 * require("./f"); x()`).
 */
function callersOf(fn: ts.FunctionLikeDeclaration, env: StartupEnv): ts.CallExpression[] | undefined {
  const name = calledName(fn);
  if (!name) return undefined;
  const ownFile = fn.getSourceFile();
  const promiseEnv = { getTypeChecker: () => undefined, program: env.program, filePath: env.filePath };
  const calls: ts.CallExpression[] = [];
  for (const file of env.program.filesContaining(name)) {
    for (const identifier of identifiersNamed(file.sourceFile, name)) {
      if (isDeclarationOrExport(identifier)) continue;
      const parent = identifier.parent;
      const member = ts.isPropertyAccessExpression(parent) && parent.name === identifier;
      // a receiver (`m.f()` where `m` is a module object of the same name) or another object's member
      if (!member && (ts.isPropertyAccessExpression(parent) || ts.isQualifiedName(parent))) continue;
      const call = callOf(member ? parent : identifier);
      if (!call) {
        // a value use of this function, or of its member name: it may run anywhere
        if (member) return undefined;
        const declaration = findDeclaration(identifier);
        if (!declaration || file.sourceFile !== ownFile || declaration === fn || declaration === fn.parent) return undefined;
        continue;
      }
      const called = resolveCalledFunction(call, promiseEnv) ?? (member && isMethodOfImportedInstance(call, fn, env) ? fn : undefined);
      if (called === fn) calls.push(call);
      else if (!called) return undefined;
    }
  }
  if (isDefaultExport(fn, ownFile)) {
    const base = ownFile.fileName.replace(/^.*\//, "").replace(/\.[cm]?[jt]sx?$/, "");
    for (const file of env.program.filesContaining(base)) {
      if (file.sourceFile === ownFile) continue;
      for (const [text, identifiers] of identifiersByName(file.sourceFile)) {
        if (text === name) continue;
        for (const identifier of identifiers) {
          const declaration = findDeclaration(identifier);
          if (!declaration || declaration === identifier.parent) continue;
          const specifier = requiredSpecifier(declaration);
          if (!specifier?.startsWith(".") || env.program.resolveImport(file.path, specifier)?.sourceFile !== ownFile) continue;
          const parent = identifier.parent;
          if (ts.isPropertyAccessExpression(parent) && parent.expression === identifier && parent.name.text !== "default") continue;
          const call = callOf(ts.isPropertyAccessExpression(parent) && parent.expression === identifier ? parent : identifier);
          if (!call) return undefined;
          calls.push(call);
        }
      }
    }
  }
  return calls;
}

/**
 * True when every call of `fn` found in the run runs at start-up: at module top level, in a start-up
 * phase (`bootstrap`, `init`, a provider's `register`), in what `env` calls start-up (before `listen`,
 * say), or in a function itself reached only from such code, followed four levels up. False when no call
 * is found or some use is not understood.
 */
export function reachedOnlyFromStartup(fn: ts.FunctionLikeDeclaration, env: StartupEnv, depth = 0, seen = new Set<ts.Node>()): boolean {
  // `seen` holds the functions on the current path: a cycle counts as not start-up
  if (depth > MAX_DEPTH || seen.has(fn)) return false;
  const calls = callersOf(fn, env);
  if (!calls || calls.length === 0) return false;
  seen.add(fn);
  const result = calls.every((call) => {
    const caller = getEnclosingFunction(call);
    if (!caller) return true;
    if (env.isStartupFunction(caller, call) || isStartupPhase(caller)) return true;
    if (callbackSite(caller)) return false;
    return reachedOnlyFromStartup(caller, env, depth + 1, seen);
  });
  seen.delete(fn);
  return result;
}
