import { ts } from "ts-morph";
import { isFunctionNode, unwrapExpression } from "./nodes.js";

/** A declaration an identifier can resolve to. */
export type Declaration =
  | ts.VariableDeclaration
  | ts.ParameterDeclaration
  | ts.BindingElement
  | ts.FunctionDeclaration
  | ts.ClassDeclaration
  | ts.ImportClause
  | ts.ImportSpecifier
  | ts.NamespaceImport
  | ts.ImportEqualsDeclaration
  | ts.EnumDeclaration;

function bindsName(name: ts.BindingName, text: string): ts.Identifier | ts.BindingElement | undefined {
  if (ts.isIdentifier(name)) return name.text === text ? name : undefined;
  for (const element of name.elements) {
    if (ts.isOmittedExpression(element)) continue;
    if (ts.isIdentifier(element.name)) {
      if (element.name.text === text) return element;
    } else {
      const inner = bindsName(element.name, text);
      if (inner) return inner;
    }
  }
  return undefined;
}

function declarationIn(
  name: ts.BindingName,
  owner: ts.VariableDeclaration | ts.ParameterDeclaration,
  text: string,
): Declaration | undefined {
  const bound = bindsName(name, text);
  if (!bound) return undefined;
  return ts.isBindingElement(bound) ? bound : owner;
}

function declarationsOfStatement(statement: ts.Statement, text: string, includeVar: boolean): Declaration | undefined {
  if (ts.isVariableStatement(statement)) {
    const isVar = (statement.declarationList.flags & ts.NodeFlags.BlockScoped) === 0;
    if (isVar && !includeVar) return undefined;
    for (const declaration of statement.declarationList.declarations) {
      const found = declarationIn(declaration.name, declaration, text);
      if (found) return found;
    }
  } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name?.text === text) {
    return statement;
  } else if (ts.isEnumDeclaration(statement) && statement.name.text === text) {
    return statement;
  } else if (ts.isImportDeclaration(statement) && statement.importClause) {
    const clause = statement.importClause;
    if (clause.name?.text === text) return clause;
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings) && bindings.name.text === text) return bindings;
    if (bindings && ts.isNamedImports(bindings)) {
      const specifier = bindings.elements.find((element) => element.name.text === text);
      if (specifier) return specifier;
    }
  } else if (ts.isImportEqualsDeclaration(statement) && statement.name.text === text) {
    return statement;
  }
  return undefined;
}

/** `var` declarations anywhere in a function body (hoisted), not crossing nested functions. */
function findVar(body: ts.Node, text: string): Declaration | undefined {
  const stack: ts.Node[] = [body];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node !== body && isFunctionNode(node)) continue;
    if (ts.isVariableStatement(node)) {
      const found = declarationsOfStatement(node, text, true);
      if (found) return found;
    }
    if (ts.isForStatement(node) || ts.isForOfStatement(node) || ts.isForInStatement(node)) {
      const init = node.initializer;
      if (init && ts.isVariableDeclarationList(init)) {
        for (const declaration of init.declarations) {
          const found = declarationIn(declaration.name, declaration, text);
          if (found) return found;
        }
      }
    }
    ts.forEachChild(node, (child) => {
      stack.push(child);
    });
  }
  return undefined;
}

/**
 * Lexical lookup of the declaration an identifier refers to, without the type checker: walks up
 * blocks, functions, loops and catch clauses to the module scope. Good enough for the questions
 * rules ask ("is this `mutex` the one created by `new Mutex()`?"); undefined for globals.
 */
export function findDeclaration(identifier: ts.Identifier): Declaration | undefined {
  const text = identifier.text;
  let previous: ts.Node = identifier;
  for (let scope: ts.Node | undefined = identifier.parent; scope; previous = scope, scope = scope.parent) {
    if (ts.isBlock(scope) || ts.isSourceFile(scope) || ts.isModuleBlock(scope) || ts.isCaseBlock(scope)) {
      const statements = ts.isCaseBlock(scope) ? scope.clauses.flatMap((clause) => [...clause.statements]) : scope.statements;
      for (const statement of statements) {
        const found = declarationsOfStatement(statement, text, ts.isSourceFile(scope));
        if (found) return found;
      }
      if (ts.isSourceFile(scope)) return findVar(scope, text);
    } else if (isFunctionNode(scope)) {
      if (ts.isFunctionExpression(scope) && scope.name?.text === text) return undefined;
      for (const parameter of scope.parameters) {
        const found = declarationIn(parameter.name, parameter, text);
        if (found) return found;
      }
      if (scope.body) {
        const found = findVar(scope.body, text);
        if (found) return found;
      }
    } else if (ts.isForStatement(scope) || ts.isForOfStatement(scope) || ts.isForInStatement(scope)) {
      const init = scope.initializer;
      if (init && ts.isVariableDeclarationList(init)) {
        for (const declaration of init.declarations) {
          const found = declarationIn(declaration.name, declaration, text);
          if (found) return found;
        }
      }
    } else if (ts.isCatchClause(scope) && scope.variableDeclaration && previous === scope.block) {
      const found = declarationIn(scope.variableDeclaration.name, scope.variableDeclaration, text);
      if (found) return found;
    } else if (ts.isClassDeclaration(scope) || ts.isClassExpression(scope)) {
      if (scope.name?.text === text && ts.isClassExpression(scope)) return undefined;
    }
  }
  return undefined;
}

/**
 * The expression a name was initialised with: `const m = new Mutex()` gives `new Mutex()` for `m`;
 * `this.pool` gives the class field initialiser or the constructor's `this.pool = …`. Follows
 * aliases (`const a = b`) a few steps. Undefined when the value comes from elsewhere.
 */
export function getInitializer(expression: ts.Expression, depth = 0): ts.Expression | undefined {
  if (depth > 4) return undefined;
  const node = unwrapExpression(expression);
  if (ts.isIdentifier(node)) {
    const declaration = findDeclaration(node);
    if (declaration && ts.isVariableDeclaration(declaration) && ts.isIdentifier(declaration.name) && declaration.initializer) {
      const init = unwrapExpression(declaration.initializer);
      const awaited = ts.isAwaitExpression(init) ? unwrapExpression(init.expression) : init;
      if (ts.isIdentifier(awaited) || (ts.isPropertyAccessExpression(awaited) && awaited.expression.kind === ts.SyntaxKind.ThisKeyword)) {
        return getInitializer(awaited, depth + 1) ?? init;
      }
      return init;
    }
    return undefined;
  }
  if (ts.isPropertyAccessExpression(node) && node.expression.kind === ts.SyntaxKind.ThisKeyword) {
    return getThisPropertyInitializer(node);
  }
  return undefined;
}

/** For `this.name`: the field initialiser in the enclosing class, else the constructor's assignment. */
export function getThisPropertyInitializer(access: ts.PropertyAccessExpression): ts.Expression | undefined {
  let klass: ts.ClassLikeDeclaration | undefined;
  for (let current = access.parent; current; current = current.parent) {
    if (ts.isClassDeclaration(current) || ts.isClassExpression(current)) {
      klass = current;
      break;
    }
  }
  if (!klass) return undefined;
  const name = access.name.text;
  for (const member of klass.members) {
    if (ts.isPropertyDeclaration(member) && member.name && ts.isIdentifier(member.name) && member.name.text === name) {
      if (member.initializer) return unwrapExpression(member.initializer);
    }
    if (ts.isConstructorDeclaration(member) && member.body) {
      for (const statement of member.body.statements) {
        if (!ts.isExpressionStatement(statement)) continue;
        const expr = statement.expression;
        if (
          ts.isBinaryExpression(expr) &&
          expr.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
          ts.isPropertyAccessExpression(expr.left) &&
          expr.left.expression.kind === ts.SyntaxKind.ThisKeyword &&
          expr.left.name.text === name
        ) {
          return unwrapExpression(expr.right);
        }
      }
    }
  }
  return undefined;
}
