import { ts } from "#compiler";
import { findDeclaration, getInitializer } from "./scope.js";
import { getProperty, unwrapExpression, walk } from "./nodes.js";

/**
 * What an options argument says about one setting: `set` with the value expression when the object
 * literal names it, `unset` when it certainly does not, `unknown` when the object cannot be seen
 * (a spread, a parameter, a call's result), so that callers stay quiet rather than guess.
 */
export type OptionLookup = { state: "set"; value: ts.Expression | undefined } | { state: "unset" } | { state: "unknown" };

const UNSET: OptionLookup = { state: "unset" };
const UNKNOWN: OptionLookup = { state: "unknown" };

function isUndefinedLiteral(node: ts.Expression): boolean {
  return (ts.isIdentifier(node) && node.text === "undefined") || node.kind === ts.SyntaxKind.NullKeyword || ts.isVoidExpression(node);
}

/** `opts.name = …` anywhere in the file for the variable declared by `declaration`. */
function assignedLater(declaration: ts.Node, name: string): boolean {
  let found = false;
  walk(declaration.getSourceFile(), (node) => {
    if (found) return false;
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      (ts.isPropertyAccessExpression(node.left) || ts.isElementAccessExpression(node.left))
    ) {
      const left = node.left;
      const key = ts.isPropertyAccessExpression(left)
        ? left.name.text
        : ts.isStringLiteralLike(left.argumentExpression)
          ? left.argumentExpression.text
          : undefined;
      const target = unwrapExpression(left.expression);
      if ((key === name || key === undefined) && ts.isIdentifier(target) && findDeclaration(target) === declaration) found = true;
    }
    // Object.assign(opts, { … }) may add anything.
    if (ts.isCallExpression(node) && node.arguments.length > 0) {
      const first = unwrapExpression(node.arguments[0]!);
      if (
        ts.isIdentifier(first) &&
        findDeclaration(first) === declaration &&
        ts.isPropertyAccessExpression(node.expression) &&
        node.expression.name.text === "assign"
      ) {
        found = true;
      }
    }
    return true;
  });
  return found;
}

/**
 * Looks up any of `names` in an options argument: an object literal, or a variable initialised with
 * one (following a few aliases). Spreads, parameters and computed objects answer `unknown`.
 */
export function lookupOption(argument: ts.Expression | undefined, names: readonly string[], depth = 0): OptionLookup {
  if (!argument) return UNSET;
  const node = unwrapExpression(argument);
  if (isUndefinedLiteral(node)) return UNSET;
  if (ts.isObjectLiteralExpression(node)) {
    for (const name of names) {
      const property = getProperty(node, name);
      if (!property) continue;
      if (ts.isPropertyAssignment(property)) return { state: "set", value: unwrapExpression(property.initializer) };
      if (ts.isShorthandPropertyAssignment(property)) return { state: "set", value: property.name };
      return { state: "set", value: undefined };
    }
    const spreads = node.properties.filter(ts.isSpreadAssignment);
    if (spreads.length === 0) return UNSET;
    // `{ ...defaults, x }`: a spread of a visible literal is looked into, anything else may carry it.
    for (const spread of spreads) {
      const inner = depth < 4 ? lookupOption(spread.expression, names, depth + 1) : UNKNOWN;
      if (inner.state !== "unset") return inner.state === "set" ? inner : UNKNOWN;
    }
    return UNSET;
  }
  if (depth < 4 && (ts.isIdentifier(node) || (ts.isPropertyAccessExpression(node) && node.expression.kind === ts.SyntaxKind.ThisKeyword))) {
    const init = getInitializer(node);
    if (!init || !ts.isObjectLiteralExpression(unwrapExpression(init))) return UNKNOWN;
    if (ts.isIdentifier(node)) {
      const declaration = findDeclaration(node);
      if (declaration && names.some((name) => assignedLater(declaration, name))) return UNKNOWN;
    }
    return lookupOption(init, names, depth + 1);
  }
  return UNKNOWN;
}

/** `undefined`, `null`, `void 0`: a value that leaves a setting at its default. */
export function isAbsentValue(node: ts.Expression | undefined): boolean {
  return !node || isUndefinedLiteral(unwrapExpression(node));
}

/** `Infinity`, `Number.POSITIVE_INFINITY`, `Number.MAX_SAFE_INTEGER`, `Number.MAX_VALUE`: no limit at all. */
export function isInfiniteValue(node: ts.Expression | undefined): boolean {
  if (!node) return false;
  const value = unwrapExpression(node);
  if (ts.isIdentifier(value)) return value.text === "Infinity" && !findDeclaration(value);
  if (ts.isPropertyAccessExpression(value) && ts.isIdentifier(value.expression) && value.expression.text === "Number") {
    return ["POSITIVE_INFINITY", "MAX_SAFE_INTEGER", "MAX_VALUE"].includes(value.name.text);
  }
  return false;
}

/** The literal number `0` (also `-0`). */
export function isZeroLiteral(node: ts.Expression | undefined): boolean {
  if (!node) return false;
  let value = unwrapExpression(node);
  if (ts.isPrefixUnaryExpression(value) && value.operator === ts.SyntaxKind.MinusToken) value = value.operand;
  return ts.isNumericLiteral(value) && Number(value.text) === 0;
}
