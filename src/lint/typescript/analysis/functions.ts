import { ts } from "ts-morph";
import { isFunctionNode } from "./nodes.js";

/** The nearest function (declaration, expression, arrow, method, accessor, constructor) around a node. */
export function getEnclosingFunction(node: ts.Node): ts.FunctionLikeDeclaration | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (isFunctionNode(current)) return current;
  }
  return undefined;
}

export function isAsyncFunction(node: ts.Node): boolean {
  return isFunctionNode(node) && (ts.getCombinedModifierFlags(node) & ts.ModifierFlags.Async) !== 0;
}

/** True for a generator function (`function*`, async or not). */
export function isGeneratorFunction(node: ts.Node): boolean {
  return (ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isMethodDeclaration(node)) && !!node.asteriskToken;
}

/** A readable name for a function, for messages: `handle`, `Server.start`, `<anonymous>`. */
export function functionName(node: ts.FunctionLikeDeclaration): string {
  if (node.name && ts.isIdentifier(node.name)) {
    if (
      ts.isMethodDeclaration(node) &&
      node.parent &&
      (ts.isClassDeclaration(node.parent) || ts.isClassExpression(node.parent)) &&
      node.parent.name
    ) {
      return `${node.parent.name.text}.${node.name.text}`;
    }
    return node.name.text;
  }
  if (ts.isConstructorDeclaration(node)) return "constructor";
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (parent && ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  return "<anonymous>";
}

/** The promise protocol: a type whose only members are these is a promise by shape (`Thenable<T>`, `PromiseLike<T>`). */
const PROMISE_PROTOCOL = new Set(["then", "catch", "finally"]);

/** A class or interface that extends `Promise`/`PromiseLike`, directly or through its bases. */
function extendsPromise(checker: ts.TypeChecker, type: ts.Type, depth = 0): boolean {
  if (depth > 5 || !(type.flags & ts.TypeFlags.Object)) return false;
  const target = (type as ts.TypeReference).target ?? type;
  if (!((target as ts.ObjectType).objectFlags & (ts.ObjectFlags.Class | ts.ObjectFlags.Interface))) return false;
  for (const base of checker.getBaseTypes(target as ts.InterfaceType)) {
    const name = (base.getSymbol() ?? base.aliasSymbol)?.name;
    if (name === "Promise" || name === "PromiseLike" || extendsPromise(checker, base, depth + 1)) return true;
  }
  return false;
}

/**
 * Is this type a promise? `Promise`, `PromiseLike` and their subclasses are; so is any type whose
 * members are only the promise protocol (`then`, `catch`, `finally`: VS Code's `Thenable`). An
 * object with an API of its own that also has a `then` (fastify's reply, a knex or mongoose query
 * builder) is a thenable, not a promise: no work starts and nothing can reject until someone calls
 * `then`, so dropping it loses nothing.
 */
function isPromiseType(checker: ts.TypeChecker, member: ts.Type): boolean {
  const name = (member.getSymbol() ?? member.aliasSymbol)?.name;
  if (name === "Promise" || name === "PromiseLike") return true;
  const then = member.getProperty("then");
  if (!then || checker.getTypeOfSymbol(then).getCallSignatures().length === 0) return false;
  if (member.getProperties().every((property) => PROMISE_PROTOCOL.has(property.name) || property.name.startsWith("__@"))) return true;
  return extendsPromise(checker, member);
}

/**
 * The type checker's answer to "does this expression produce a promise?" Undefined when there is no
 * checker or the type is unknown/any, so callers fall back to syntax.
 */
export function isPromiseTyped(checker: ts.TypeChecker | undefined, node: ts.Expression): boolean | undefined {
  const members = knownTypeMembers(checker, node);
  return members && members.some((member) => isPromiseType(checker!, member));
}

/** The members of an expression's type (one, or each of a union); undefined without a checker, or for any/unknown. */
export function knownTypeMembers(checker: ts.TypeChecker | undefined, node: ts.Expression): readonly ts.Type[] | undefined {
  if (!checker) return undefined;
  let type: ts.Type;
  try {
    type = checker.getTypeAtLocation(node);
  } catch {
    return undefined;
  }
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return undefined;
  return type.isUnion() ? type.types : [type];
}
