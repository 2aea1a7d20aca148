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

/**
 * The type checker's answer to "does this expression produce a promise?" Undefined when there is no
 * checker or the type is unknown/any, so callers fall back to syntax.
 */
export function isPromiseTyped(checker: ts.TypeChecker | undefined, node: ts.Expression): boolean | undefined {
  if (!checker) return undefined;
  let type: ts.Type;
  try {
    type = checker.getTypeAtLocation(node);
  } catch {
    return undefined;
  }
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return undefined;
  const types = type.isUnion() ? type.types : [type];
  return types.some((member) => {
    const symbol = member.getSymbol() ?? member.aliasSymbol;
    if (symbol && (symbol.name === "Promise" || symbol.name === "PromiseLike")) return true;
    const then = member.getProperty("then");
    return !!then && checker.getTypeOfSymbol(then).getCallSignatures().length > 0;
  });
}
