import { ts } from "#compiler";
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
  if (checker && ts.isCallExpression(node)) {
    const answer = promiseTypedFromCallee(checker, node);
    if (answer !== RESOLVE) return answer;
  }
  const members = knownTypeMembers(checker, node);
  return members && members.some((member) => isPromiseType(checker!, member));
}

const RESOLVE = Symbol("resolve the call");

/**
 * What `isPromiseTyped` answers for a call, read from its callee's type when that decides it, so the
 * checker need not resolve the call (inferring over its arguments, checking the callbacks passed):
 * an untyped callee gives an untyped call, and when no signature can return a promise (`void`,
 * `string[]`, a class without `then`, whatever the type arguments), neither can the call. RESOLVE
 * when only resolving the call can tell (a signature that may return a promise or `any`, `require`,
 * `super`, `import()`, an IIFE, an optional chain).
 */
function promiseTypedFromCallee(checker: ts.TypeChecker, call: ts.CallExpression): boolean | undefined | typeof RESOLVE {
  const callee = call.expression;
  if (ts.isOptionalChain(call) || callee.kind === ts.SyntaxKind.SuperKeyword || callee.kind === ts.SyntaxKind.ImportKeyword) return RESOLVE;
  if (ts.isIdentifier(callee) && callee.text === "require") return RESOLVE;
  let bare: ts.Expression = callee;
  while (ts.isParenthesizedExpression(bare)) bare = bare.expression;
  if (ts.isFunctionExpression(bare) || ts.isArrowFunction(bare)) return RESOLVE;
  let signatures: readonly ts.Signature[];
  try {
    const type = checker.getTypeAtLocation(callee);
    // an untyped callee (`any`, or `unknown`: an error) makes the call `any`, which says nothing
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return undefined;
    signatures = checker.getSignaturesOfType(checker.getNonNullableType(type), ts.SignatureKind.Call);
    if (signatures.length === 0) return RESOLVE;
    for (const signature of signatures) {
      const returned = checker.getReturnTypeOfSignature(signature);
      const generic = (signature.typeParameters?.length ?? 0) > 0;
      if (generic ? mayBecomePromise(checker, returned) : mayBePromise(checker, returned)) return RESOLVE;
    }
  } catch {
    return RESOLVE;
  }
  return false;
}

/** A return type the call may give as a promise (or as `any`/`unknown`, which the caller treats apart). */
function mayBePromise(checker: ts.TypeChecker, type: ts.Type): boolean {
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return true;
  return (type.isUnion() ? type.types : [type]).some((member) => isPromiseType(checker, member));
}

const FIXED_PRIMITIVES =
  ts.TypeFlags.StringLike |
  ts.TypeFlags.NumberLike |
  ts.TypeFlags.BigIntLike |
  ts.TypeFlags.BooleanLike |
  ts.TypeFlags.ESSymbolLike |
  ts.TypeFlags.Void |
  ts.TypeFlags.Undefined |
  ts.TypeFlags.Null |
  ts.TypeFlags.Never;

/**
 * A generic signature's declared return type that may be a promise once its type parameters are
 * inferred. Not for primitives, nor for an object type that has no `then` and is not a mapped type
 * (`U[]`, `Map<K, V>`, a class of the run): type arguments change its members' types, not their names.
 */
function mayBecomePromise(checker: ts.TypeChecker, type: ts.Type, depth = 0): boolean {
  if (depth > 3) return true;
  if (type.flags & FIXED_PRIMITIVES) return false;
  if (type.isUnion() || type.isIntersection()) return type.types.some((member) => mayBecomePromise(checker, member, depth + 1));
  if (!(type.flags & ts.TypeFlags.Object) || (type as ts.ObjectType).objectFlags & ts.ObjectFlags.Mapped) return true;
  const name = (type.getSymbol() ?? type.aliasSymbol)?.name;
  return name === "Promise" || name === "PromiseLike" || type.getProperty("then") !== undefined || extendsPromise(checker, type);
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
