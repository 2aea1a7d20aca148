import { ts } from "#compiler";
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

type Names = Map<string, Declaration>;

function add(names: Names, text: string, declaration: Declaration): void {
  if (!names.has(text)) names.set(text, declaration);
}

/** The names a binding binds, in source order; an element of a pattern is its own declaration. */
function addBinding(names: Names, name: ts.BindingName, owner: ts.VariableDeclaration | ts.ParameterDeclaration): void {
  if (ts.isIdentifier(name)) {
    add(names, name.text, owner);
    return;
  }
  addPattern(names, name);
}

function addPattern(names: Names, pattern: ts.BindingPattern): void {
  for (const element of pattern.elements) {
    if (ts.isOmittedExpression(element)) continue;
    if (ts.isIdentifier(element.name)) add(names, element.name.text, element);
    else addPattern(names, element.name);
  }
}

function addStatement(names: Names, statement: ts.Statement, includeVar: boolean): void {
  if (ts.isVariableStatement(statement)) {
    const isVar = (statement.declarationList.flags & ts.NodeFlags.BlockScoped) === 0;
    if (isVar && !includeVar) return;
    for (const declaration of statement.declarationList.declarations) addBinding(names, declaration.name, declaration);
  } else if (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) {
    if (statement.name) add(names, statement.name.text, statement);
  } else if (ts.isEnumDeclaration(statement)) {
    add(names, statement.name.text, statement);
  } else if (ts.isImportDeclaration(statement) && statement.importClause) {
    const clause = statement.importClause;
    if (clause.name) add(names, clause.name.text, clause);
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) add(names, bindings.name.text, bindings);
    if (bindings && ts.isNamedImports(bindings)) for (const element of bindings.elements) add(names, element.name.text, element);
  } else if (ts.isImportEqualsDeclaration(statement)) {
    add(names, statement.name.text, statement);
  }
}

function addLoopInitializer(names: Names, loop: ts.ForStatement | ts.ForOfStatement | ts.ForInStatement): void {
  const init = loop.initializer;
  if (init && ts.isVariableDeclarationList(init)) {
    for (const declaration of init.declarations) addBinding(names, declaration.name, declaration);
  }
}

/*
 * Rules ask for the same names again and again (every call's callee, every argument), so each
 * scope's names are collected once, on first use, and each identifier's answer is kept: the tree
 * is not edited while rules run, and a re-parsed file has new nodes.
 */
const statementNames = new WeakMap<ts.Node, Names>();
const varNames = new WeakMap<ts.Node, Names>();
const parameterNames = new WeakMap<ts.Node, Names>();
const resolved = new WeakMap<ts.Identifier, Declaration | null>();

/** The names a block's statements declare (with `var` only at module level), first declaration first. */
function namesOfStatements(scope: ts.Block | ts.SourceFile | ts.ModuleBlock | ts.CaseBlock): Names {
  let names = statementNames.get(scope);
  if (!names) {
    names = new Map();
    const includeVar = ts.isSourceFile(scope);
    if (ts.isCaseBlock(scope)) {
      for (const clause of scope.clauses) for (const statement of clause.statements) addStatement(names, statement, includeVar);
    } else {
      for (const statement of scope.statements) addStatement(names, statement, includeVar);
    }
    statementNames.set(scope, names);
  }
  return names;
}

/** Declarations anywhere in a function body (`var` is hoisted), not crossing nested functions. */
function namesOfVars(body: ts.Node): Names {
  let names = varNames.get(body);
  if (names) return names;
  names = new Map();
  const stack: ts.Node[] = [body];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node !== body && isFunctionNode(node)) continue;
    if (ts.isVariableStatement(node)) addStatement(names, node, true);
    if (ts.isForStatement(node) || ts.isForOfStatement(node) || ts.isForInStatement(node)) addLoopInitializer(names, node);
    ts.forEachChild(node, (child) => {
      stack.push(child);
    });
  }
  varNames.set(body, names);
  return names;
}

function namesOfParameters(scope: ts.SignatureDeclaration): Names {
  let names = parameterNames.get(scope);
  if (!names) {
    names = new Map();
    for (const parameter of scope.parameters) addBinding(names, parameter.name, parameter);
    parameterNames.set(scope, names);
  }
  return names;
}

/**
 * Lexical lookup of the declaration an identifier refers to, without the type checker: walks up
 * blocks, functions, loops and catch clauses to the module scope. Good enough for the questions
 * rules ask ("is this `mutex` the one created by `new Mutex()`?"); undefined for globals.
 */
export function findDeclaration(identifier: ts.Identifier): Declaration | undefined {
  const cached = resolved.get(identifier);
  if (cached !== undefined) return cached ?? undefined;
  const found = lookUp(identifier);
  resolved.set(identifier, found ?? null);
  return found;
}

/**
 * What a name resolves to from a block up (the block's own names first): the same for every
 * identifier of that name inside the block that the walk up reaches it from, so it is kept per block.
 */
const resolvedFromBlock = new WeakMap<ts.Node, Map<string, Declaration | null>>();

function lookUp(identifier: ts.Identifier): Declaration | undefined {
  const text = identifier.text;
  // the blocks passed on the way up, whose answer is the one found
  const blocks: Map<string, Declaration | null>[] = [];
  const found = lookUpFrom(identifier, text, blocks);
  for (const answers of blocks) answers.set(text, found ?? null);
  return found;
}

function lookUpFrom(identifier: ts.Identifier, text: string, blocks: Map<string, Declaration | null>[]): Declaration | undefined {
  let previous: ts.Node = identifier;
  for (let scope: ts.Node | undefined = identifier.parent; scope; previous = scope, scope = scope.parent) {
    if (ts.isBlock(scope) || ts.isSourceFile(scope) || ts.isModuleBlock(scope) || ts.isCaseBlock(scope)) {
      let answers = resolvedFromBlock.get(scope);
      if (!answers) {
        answers = new Map();
        resolvedFromBlock.set(scope, answers);
      }
      const known = answers.get(text);
      if (known !== undefined) return known ?? undefined;
      blocks.push(answers);
      const found = namesOfStatements(scope).get(text);
      if (found) return found;
      if (ts.isSourceFile(scope)) return namesOfVars(scope).get(text);
    } else if (isFunctionNode(scope)) {
      if (ts.isFunctionExpression(scope) && scope.name?.text === text) return undefined;
      const parameter = namesOfParameters(scope).get(text);
      if (parameter) return parameter;
      if (scope.body) {
        const found = namesOfVars(scope.body).get(text);
        if (found) return found;
      }
    } else if (ts.isForStatement(scope) || ts.isForOfStatement(scope) || ts.isForInStatement(scope)) {
      const names: Names = new Map();
      addLoopInitializer(names, scope);
      const found = names.get(text);
      if (found) return found;
    } else if (ts.isCatchClause(scope) && scope.variableDeclaration && previous === scope.block) {
      const names: Names = new Map();
      addBinding(names, scope.variableDeclaration.name, scope.variableDeclaration);
      const found = names.get(text);
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
