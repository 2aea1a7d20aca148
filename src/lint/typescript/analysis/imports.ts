import { builtinModules } from "node:module";
import { ts } from "#compiler";
import { findDeclaration, type Declaration } from "./scope.js";
import { isStringLike, unwrapExpression } from "./nodes.js";

/**
 * Where an expression's value comes from, by import source and name: `axios.get` with
 * `import axios from "axios"` is `{ module: "axios", path: ["default", "get"] }`; `http.request` with
 * `import * as http from "node:http"` (or `require("http")`, or a default import of the builtin)
 * is `{ module: "http", path: ["request"] }`. Globals (`fetch`, `setInterval`) have module `"<global>"`.
 * `promisified` is set when the value came through `util.promisify(...)`.
 */
export interface ApiRef {
  module: string;
  path: string[];
  promisified?: boolean;
}

export const GLOBAL_MODULE = "<global>";

const builtins = new Set(builtinModules.filter((name) => !name.startsWith("_")));

/** `node:fs/promises` → `fs/promises`; other specifiers unchanged. */
export function normalizeModule(specifier: string): string {
  return specifier.startsWith("node:") ? specifier.slice(5) : specifier;
}

export function isBuiltinModule(module: string): boolean {
  return builtins.has(normalizeModule(module));
}

interface Binding {
  module: string;
  /** "*" for a namespace, "default", or the imported name. */
  imported: string;
}

function bindingFromRequire(expression: ts.Expression | undefined): { module: string; path: string[] } | undefined {
  if (!expression) return undefined;
  let node = unwrapExpression(expression);
  if (ts.isAwaitExpression(node)) node = unwrapExpression(node.expression);
  const path: string[] = [];
  while (ts.isPropertyAccessExpression(node)) {
    path.unshift(node.name.text);
    node = unwrapExpression(node.expression);
  }
  if (!ts.isCallExpression(node) || node.arguments.length !== 1) return undefined;
  const argument = node.arguments[0]!;
  if (!isStringLike(argument)) return undefined;
  const isRequire = ts.isIdentifier(node.expression) && node.expression.text === "require";
  const isImport = node.expression.kind === ts.SyntaxKind.ImportKeyword;
  if (!isRequire && !isImport) return undefined;
  return { module: normalizeModule(argument.text), path };
}

function bindingOf(declaration: Declaration, name: string): Binding | undefined {
  if (ts.isImportClause(declaration)) {
    const module = moduleOfImport(declaration.parent as ts.ImportDeclaration);
    return module === undefined ? undefined : { module, imported: "default" };
  }
  if (ts.isNamespaceImport(declaration)) {
    const module = moduleOfImport(declaration.parent.parent as ts.ImportDeclaration);
    return module === undefined ? undefined : { module, imported: "*" };
  }
  if (ts.isImportSpecifier(declaration)) {
    const module = moduleOfImport(declaration.parent.parent.parent as ts.ImportDeclaration);
    const imported = declaration.propertyName ? declaration.propertyName.text : declaration.name.text;
    return module === undefined ? undefined : { module, imported };
  }
  if (ts.isImportEqualsDeclaration(declaration)) {
    const reference = declaration.moduleReference;
    if (ts.isExternalModuleReference(reference) && isStringLike(reference.expression)) {
      return { module: normalizeModule(reference.expression.text), imported: "*" };
    }
    return undefined;
  }
  if (ts.isVariableDeclaration(declaration) && ts.isIdentifier(declaration.name)) {
    const required = bindingFromRequire(declaration.initializer);
    if (!required) return undefined;
    if (required.path.length === 0) return { module: required.module, imported: "*" };
    if (required.path.length === 1) return { module: required.module, imported: required.path[0]! };
    return undefined;
  }
  if (ts.isBindingElement(declaration)) {
    // const { a, b: c } = require("m")  /  = await import("m")
    const pattern = declaration.parent;
    if (!ts.isObjectBindingPattern(pattern) || !ts.isVariableDeclaration(pattern.parent)) return undefined;
    const required = bindingFromRequire(pattern.parent.initializer);
    if (!required || required.path.length > 0) return undefined;
    const key = declaration.propertyName;
    const imported = key && (ts.isIdentifier(key) || ts.isStringLiteral(key)) ? key.text : name;
    return { module: required.module, imported };
  }
  return undefined;
}

function moduleOfImport(declaration: ts.ImportDeclaration): string | undefined {
  return isStringLike(declaration.moduleSpecifier) ? normalizeModule(declaration.moduleSpecifier.text) : undefined;
}

const PROMISIFY: ApiRef = { module: "util", path: ["promisify"] };

function refOfIdentifier(identifier: ts.Identifier, depth: number): ApiRef | undefined {
  const declaration = findDeclaration(identifier);
  if (!declaration) {
    if (identifier.text === "globalThis" || identifier.text === "window" || identifier.text === "global") {
      return { module: GLOBAL_MODULE, path: [] };
    }
    return { module: GLOBAL_MODULE, path: [identifier.text] };
  }
  const binding = bindingOf(declaration, identifier.text);
  if (binding) {
    if (binding.imported === "*") return { module: binding.module, path: [] };
    if (binding.imported === "default" && isBuiltinModule(binding.module)) return { module: binding.module, path: [] };
    return { module: binding.module, path: [binding.imported] };
  }
  // const execAsync = promisify(exec); const get = axios.get; const { request } = http
  if (depth < 4 && ts.isVariableDeclaration(declaration) && declaration.initializer) {
    const init = unwrapExpression(declaration.initializer);
    if (ts.isIdentifier(declaration.name)) {
      if (ts.isCallExpression(init) && init.arguments.length >= 1 && sameRef(resolveApiDepth(init.expression, depth + 1), PROMISIFY)) {
        const inner = resolveApiDepth(init.arguments[0]!, depth + 1);
        return inner ? { ...inner, promisified: true } : undefined;
      }
      if (ts.isPropertyAccessExpression(init) || ts.isIdentifier(init)) return resolveApiDepth(init, depth + 1);
    }
  }
  if (depth < 4 && ts.isBindingElement(declaration)) {
    const pattern = declaration.parent;
    if (ts.isObjectBindingPattern(pattern) && ts.isVariableDeclaration(pattern.parent) && pattern.parent.initializer) {
      const source = resolveApiDepth(pattern.parent.initializer, depth + 1);
      const key = declaration.propertyName;
      const name = key && (ts.isIdentifier(key) || ts.isStringLiteral(key)) ? key.text : identifier.text;
      if (source) return { module: source.module, path: [...source.path, name] };
    }
  }
  return undefined;
}

function sameRef(a: ApiRef | undefined, b: ApiRef): boolean {
  return !!a && a.module === b.module && a.path.join(".") === b.path.join(".");
}

function resolveApiDepth(expression: ts.Expression, depth: number): ApiRef | undefined {
  const node = unwrapExpression(expression);
  if (ts.isIdentifier(node)) return refOfIdentifier(node, depth);
  if (ts.isPropertyAccessExpression(node) || (ts.isElementAccessExpression(node) && isStringLike(node.argumentExpression))) {
    const name = ts.isPropertyAccessExpression(node) ? node.name.text : (node.argumentExpression as ts.StringLiteral).text;
    const base = resolveApiDepth(node.expression, depth);
    return base ? { ...base, path: [...base.path, name] } : undefined;
  }
  if (ts.isCallExpression(node) || ts.isAwaitExpression(node)) {
    const required = bindingFromRequire(node);
    return required ? { module: required.module, path: required.path } : undefined;
  }
  return undefined;
}

/*
 * Every rule asks about the callees it meets (eleven rules, one `CallExpression` each), and the answer
 * depends on the syntax alone (the lexical scope, the import or require a name comes from), so each
 * expression's is worked out once and kept, frozen: callers read it and build new refs from it.
 */
const resolvedApis = new WeakMap<ts.Expression, ApiRef | null>();

/** Resolves an expression (usually a callee or a `new` target) to the API it names. */
export function resolveApi(expression: ts.Expression): ApiRef | undefined {
  const cached = resolvedApis.get(expression);
  if (cached !== undefined) return cached ?? undefined;
  const ref = resolveApiDepth(expression, 0);
  if (ref) {
    Object.freeze(ref.path);
    Object.freeze(ref);
  }
  resolvedApis.set(expression, ref ?? null);
  return ref;
}

/**
 * True when `ref` is `module` (with or without `node:`) and its path ends as given. A module's
 * default export and the module itself are the same for `path` matching purposes when
 * `allowDefault` is set, since CommonJS packages are imported both ways.
 */
export function isApi(ref: ApiRef | undefined, module: string | readonly string[], ...path: string[]): boolean {
  if (!ref) return false;
  const modules = typeof module === "string" ? [module] : module;
  if (!modules.includes(ref.module)) return false;
  const refPath = ref.path[0] === "default" && path[0] !== "default" ? ref.path.slice(1) : ref.path;
  if (refPath.length !== path.length) return false;
  return refPath.every((segment, index) => segment === path[index]);
}

/** A callback timer function of Node's (`setTimeout`, `clearTimeout`, `setInterval`, …): global, `globalThis.x` or from `node:timers`. */
export function isTimerApi(
  ref: ApiRef | undefined,
  name: "setTimeout" | "clearTimeout" | "setInterval" | "clearInterval" | "setImmediate",
): boolean {
  return isApi(ref, GLOBAL_MODULE, name) || isApi(ref, GLOBAL_MODULE, "globalThis", name) || isApi(ref, "timers", name);
}

/** A promise timer (`setTimeout` of `node:timers/promises`, `timers.promises.setTimeout`, `scheduler.wait`): resolves after a delay, cancelled only through a signal. */
export function isPromiseTimer(ref: ApiRef | undefined): boolean {
  return (
    isApi(ref, "timers/promises", "setTimeout") ||
    isApi(ref, "timers/promises", "scheduler", "wait") ||
    isApi(ref, "timers", "promises", "setTimeout")
  );
}
