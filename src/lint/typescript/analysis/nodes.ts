import { ts } from "#compiler";

/**
 * Pre-order walk without recursion, so 10,000 levels of nesting cannot overflow the stack.
 * Return `false` from `visit` to skip a node's children.
 */
export function walk(root: ts.Node, visit: (node: ts.Node) => boolean | void): void {
  const stack: ts.Node[] = [root];
  const children: ts.Node[] = [];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (visit(node) === false) continue;
    children.length = 0;
    ts.forEachChild(node, (child) => {
      children.push(child);
    });
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
}

/** The first descendant (pre-order, root included) that satisfies `test`. */
export function findDescendant<T extends ts.Node>(
  root: ts.Node,
  test: (node: ts.Node) => node is T,
  options: { crossFunctions?: boolean } = {},
): T | undefined {
  let found: T | undefined;
  walk(root, (node) => {
    if (found) return false;
    if (test(node)) {
      found = node;
      return false;
    }
    if (node !== root && !options.crossFunctions && isFunctionNode(node)) return false;
    return true;
  });
  return found;
}

/** Wrappers that change an expression's type but not its value: `(x)`, `x as T`, `x satisfies T`, `x!`, `<T>x`. */
export function isTypeOnlyWrapper(
  node: ts.Node,
): node is ts.ParenthesizedExpression | ts.AsExpression | ts.SatisfiesExpression | ts.NonNullExpression | ts.TypeAssertion {
  return (
    ts.isParenthesizedExpression(node) ||
    ts.isAsExpression(node) ||
    ts.isSatisfiesExpression(node) ||
    ts.isNonNullExpression(node) ||
    ts.isTypeAssertionExpression(node)
  );
}

/**
 * Climbs from an expression to the outermost wrapper that holds the same value (parentheses and type
 * wrappers), and also through `await` when `throughAwait` is set (the awaited result of the same
 * operation). The upward counterpart of `unwrapExpression`; ask the returned node's parent for the use.
 */
export function outerExpression(node: ts.Node, options: { throughAwait?: boolean } = {}): ts.Node {
  let current = node;
  while (current.parent && (isTypeOnlyWrapper(current.parent) || (options.throughAwait === true && ts.isAwaitExpression(current.parent))))
    current = current.parent;
  return current;
}

export function isFunctionNode(node: ts.Node): node is ts.FunctionLikeDeclaration {
  switch (node.kind) {
    case ts.SyntaxKind.FunctionDeclaration:
    case ts.SyntaxKind.FunctionExpression:
    case ts.SyntaxKind.ArrowFunction:
    case ts.SyntaxKind.MethodDeclaration:
    case ts.SyntaxKind.Constructor:
    case ts.SyntaxKind.GetAccessor:
    case ts.SyntaxKind.SetAccessor:
      return true;
    default:
      return false;
  }
}

/**
 * Strips parentheses, `as`/`satisfies`/`!`, type assertions, and the `0, ` of `(0, m.f)`: compiled
 * modules call imports that way (TypeScript's CommonJS output) to drop `this`, and the value is `m.f`.
 */
export function unwrapExpression(expression: ts.Expression): ts.Expression {
  let current = expression;
  for (;;) {
    if (ts.isParenthesizedExpression(current)) current = current.expression;
    else if (
      ts.isBinaryExpression(current) &&
      current.operatorToken.kind === ts.SyntaxKind.CommaToken &&
      ts.isNumericLiteral(current.left) &&
      ts.isParenthesizedExpression(current.parent)
    )
      current = current.right;
    else if (ts.isAsExpression(current) || ts.isSatisfiesExpression(current)) current = current.expression;
    else if (ts.isNonNullExpression(current)) current = current.expression;
    else if (ts.isTypeAssertionExpression(current)) current = current.expression;
    else return current;
  }
}

/** `a.b.c` for property chains and identifiers (and `this`), undefined for anything else. */
export function dottedName(expression: ts.Expression): string | undefined {
  const node = unwrapExpression(expression);
  if (ts.isIdentifier(node)) return node.text;
  if (node.kind === ts.SyntaxKind.ThisKeyword) return "this";
  if (ts.isPropertyAccessExpression(node)) {
    const left = dottedName(node.expression);
    return left === undefined ? undefined : `${left}.${node.name.text}`;
  }
  return undefined;
}

/** The name a member is accessed by: `x.name`, `x["name"]`, `x?.name`. */
export function memberName(node: ts.Node): string | undefined {
  if (ts.isPropertyAccessExpression(node)) return node.name.text;
  if (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression)) {
    return node.argumentExpression.text;
  }
  return undefined;
}

/** For `obj.method(...)`, the method name; for `fn(...)`, the function name. */
export function calleeName(call: ts.CallExpression | ts.NewExpression): string | undefined {
  const callee = unwrapExpression(call.expression);
  if (ts.isIdentifier(callee)) return callee.text;
  return memberName(callee);
}

/** The name a member or property declares when it is written out: `name`, `"name"`, `1`, `#name` (not a computed key). */
export function declaredName(name: ts.PropertyName | undefined): string | undefined {
  if (!name) return undefined;
  return ts.isIdentifier(name) || ts.isStringLiteralLike(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)
    ? name.text
    : undefined;
}

/** The property of an object literal with this name (shorthand, assignment or method). */
export function getProperty(object: ts.ObjectLiteralExpression, name: string): ts.ObjectLiteralElementLike | undefined {
  return object.properties.find((property) => {
    if (ts.isSpreadAssignment(property)) return false;
    return declaredName(property.name) === name;
  });
}

/** The initializer of a `name: value` / `name` (shorthand) property, when there is one. */
export function getPropertyValue(object: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  const property = getProperty(object, name);
  if (!property) return undefined;
  if (ts.isPropertyAssignment(property)) return property.initializer;
  if (ts.isShorthandPropertyAssignment(property)) return property.name;
  return undefined;
}

export function isInside(node: ts.Node, ancestor: ts.Node): boolean {
  for (let current: ts.Node | undefined = node; current; current = current.parent) {
    if (current === ancestor) return true;
  }
  return false;
}

export function findAncestor<T extends ts.Node>(node: ts.Node, test: (node: ts.Node) => node is T, stopAtFunction = false): T | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (test(current)) return current;
    if (stopAtFunction && isFunctionNode(current)) return undefined;
  }
  return undefined;
}

/** 1-based line of a node's start (after leading trivia). */
export function lineOf(node: ts.Node, sourceFile = node.getSourceFile()): number {
  return sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1;
}

export function isStringLike(node: ts.Node): node is ts.StringLiteral | ts.NoSubstitutionTemplateLiteral {
  return ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node);
}

/** True when a declaration (or the statement of a `const`/`let` declaration) carries `export`. */
export function hasExportModifier(node: ts.Node | undefined): boolean {
  let statement = node;
  if (statement && ts.isVariableDeclaration(statement)) statement = statement.parent;
  if (statement && ts.isVariableDeclarationList(statement)) statement = statement.parent;
  if (!statement || !ts.canHaveModifiers(statement)) return false;
  return (ts.getModifiers(statement) ?? []).some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword);
}

/** The class (declaration or expression) a node is inside, if any. */
export function enclosingClass(node: ts.Node): ts.ClassLikeDeclaration | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (ts.isClassDeclaration(current) || ts.isClassExpression(current)) return current;
  }
  return undefined;
}
