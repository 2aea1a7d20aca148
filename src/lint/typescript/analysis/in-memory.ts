import { ts } from "#compiler";
import { callDoesIo } from "./collections.js";
import { isFunctionNode, isInside, isStringLike, memberName, unwrapExpression, walk } from "./nodes.js";
import { findDeclaration } from "./scope.js";

/** Lookups of a value already stored (`cache.get(key)`): awaiting what they give waits on existing work. */
const LOOKUP = new Set(["get", "at", "find", "peek"]);

/** Array iteration methods: their callbacks run synchronously, before the call returns. */
const SYNC_ITERATION = new Set(["forEach", "map", "filter", "some", "every", "find", "findIndex", "reduce", "flatMap", "sort"]);

/**
 * "Does this async function start any asynchronous work of its own?" False when it only awaits
 * promises that already exist (`await cached` where `cached = this.cache.get(key)`, `await this.pending`)
 * and returns no call: a method
 * that updates a cache or a map, or an `async` function with no `await` at all. Such a function does
 * its work in memory, so running it for every item of a collection at once opens nothing. Any
 * awaited or returned call, `for await`, a `yield`, a call that does I/O (per `callDoesIo`, followed
 * into the linted files) or a call handed a callback (other than an array iteration) counts as
 * starting work. Nested functions are not looked into (they run when something calls them).
 */
export function startsAsyncWork(
  fn: ts.FunctionLikeDeclaration,
  resolve: (call: ts.CallExpression) => ts.FunctionLikeDeclaration | undefined,
): boolean {
  const body = fn.body;
  if (!body) return true;
  if (!ts.isBlock(body)) return isCallLike(body as ts.Expression) || containsWork(body, resolve);
  return containsWork(body, resolve);
}

function isCallLike(expression: ts.Expression): boolean {
  const node = unwrapExpression(expression);
  if (ts.isConditionalExpression(node)) return isCallLike(node.whenTrue) || isCallLike(node.whenFalse);
  return ts.isCallExpression(node) || ts.isNewExpression(node) || ts.isTaggedTemplateExpression(node);
}

function containsWork(root: ts.Node, resolve: (call: ts.CallExpression) => ts.FunctionLikeDeclaration | undefined): boolean {
  let found = false;
  walk(root, (node) => {
    if (found) return false;
    if (node !== root && isFunctionNode(node)) return false;
    if (ts.isAwaitExpression(node) && (isCallLike(node.expression) || isLocalStartedWork(node.expression, root))) found = true;
    else if (ts.isReturnStatement(node) && node.expression && isCallLike(node.expression)) found = true;
    else if (ts.isYieldExpression(node)) found = true;
    else if (ts.isForOfStatement(node) && node.awaitModifier) found = true;
    else if (ts.isCallExpression(node)) {
      if (callDoesIo(node, resolve)) found = true;
      else if (
        !SYNC_ITERATION.has(memberName(unwrapExpression(node.expression)) ?? "") &&
        node.arguments.some((argument) => isFunctionNode(unwrapExpression(argument)))
      )
        found = true;
    }
    return !found;
  });
  return found;
}

/** `const p = db.query(sql); await p`: a local of this function holding a call's promise (not a stored value looked up). */
function isLocalStartedWork(expression: ts.Expression, root: ts.Node): boolean {
  const node = unwrapExpression(expression);
  if (!ts.isIdentifier(node)) return false;
  const declaration = findDeclaration(node);
  if (!declaration || !ts.isVariableDeclaration(declaration) || !declaration.initializer || !isInside(declaration, root)) return false;
  const init = unwrapExpression(declaration.initializer);
  if (!isCallLike(init)) return false;
  return !(ts.isCallExpression(init) && LOOKUP.has(memberName(unwrapExpression(init.expression)) ?? ""));
}

/** Names of a transaction handle: every call made on it runs on the transaction's one connection. */
const TRANSACTION_NAME = /^(trx|tx|transaction|knexTrx|transactionClient)$/;

/** A field holding the one connection an object works on: `this.connection`, `this.conn`, `this.databaseConnection`. */
const CONNECTION_FIELD = /^(connection|conn|_connection|databaseConnection)$/;

/**
 * "Does this function work on its object's one connection?" True when it reads `this.connection`
 * (or `this.conn`): sequelize's `Query#run` sends every statement on the query's connection, so
 * calling it per item queues the statements on that connection instead of opening more.
 */
export function usesOwnConnection(fn: ts.FunctionLikeDeclaration): boolean {
  if (!fn.body) return false;
  let found = false;
  walk(fn.body, (node) => {
    if (found) return false;
    if (ts.isPropertyAccessExpression(node) && node.expression.kind === ts.SyntaxKind.ThisKeyword && CONNECTION_FIELD.test(node.name.text))
      found = true;
    return !found;
  });
  return found;
}

/**
 * "Does this call run on its object's one connection?" A call of a method on `this` (`this.createIndex(t, i)`,
 * from the method itself or an arrow function in it) in a class one of whose methods reads
 * `this.connection`/`this.conn`/`this.databaseConnection`: the object holds one connection (a query
 * runner, a session), and what its methods send queues there. TypeORM's `createIndices` maps
 * `this.createIndex` over the indices; each goes through `executeQueries` and `query` to the runner's
 * single `databaseConnection`, so starting them together opens nothing more.
 */
export function runsOnOwnConnection(call: ts.CallExpression): boolean {
  const callee = unwrapExpression(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || callee.expression.kind !== ts.SyntaxKind.ThisKeyword) return false;
  // `this` is the class's instance only through arrow functions up to a method of the class
  const enclosing = (from: ts.Node): ts.Node | undefined => {
    let current = from.parent;
    while (current && !isFunctionNode(current)) current = current.parent;
    return current;
  };
  let node = enclosing(call);
  while (node && ts.isArrowFunction(node)) node = enclosing(node);
  if (!node || !(ts.isMethodDeclaration(node) || ts.isConstructorDeclaration(node) || ts.isGetAccessor(node) || ts.isSetAccessor(node)))
    return false;
  const klass = node.parent;
  if (!klass || !(ts.isClassDeclaration(klass) || ts.isClassExpression(klass))) return false;
  return klass.members.some(
    (member) =>
      (ts.isMethodDeclaration(member) || ts.isGetAccessor(member)) &&
      !!member.body &&
      usesOwnConnection(member as ts.FunctionLikeDeclaration),
  );
}

/**
 * "Does this function only load modules?" True when it makes a dynamic `import()` (directly, not in a
 * nested function): a wrapper like payload's `dynamicImport(path)` reads each module once into the
 * module cache rather than holding a socket or descriptor per item.
 */
export function loadsModule(fn: ts.FunctionLikeDeclaration): boolean {
  if (!fn.body) return false;
  let found = false;
  walk(fn.body, (node) => {
    if (found) return false;
    if (node !== fn.body && isFunctionNode(node)) return false;
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) found = true;
    return !found;
  });
  return found;
}

/**
 * "Is this call serialised on one connection?" A call on a transaction (`trx("t").insert(row)`,
 * `trx.select(…)`, `tx.query(…)`) or handed one (`{ transaction: t }`, `{ knex: trx }`,
 * `save(row, trx)`): the driver sends the statements one after another on the transaction's single
 * connection, so starting them together opens nothing more.
 */
export function isOnTransaction(call: ts.CallExpression): boolean {
  for (let node: ts.Expression = unwrapExpression(call.expression); ;) {
    if (ts.isIdentifier(node)) {
      if (TRANSACTION_NAME.test(node.text)) return true;
      break;
    }
    if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) {
      if (
        ts.isPropertyAccessExpression(node) &&
        TRANSACTION_NAME.test(node.name.text) &&
        node.expression.kind === ts.SyntaxKind.ThisKeyword
      )
        return true;
      node = unwrapExpression(node.expression);
    } else if (ts.isCallExpression(node)) node = unwrapExpression(node.expression);
    else break;
  }
  return call.arguments.some((argument) => {
    const value = unwrapExpression(argument);
    if (ts.isIdentifier(value)) return TRANSACTION_NAME.test(value.text);
    if (!ts.isObjectLiteralExpression(value)) return false;
    return value.properties.some((property) => {
      const initializer = ts.isPropertyAssignment(property)
        ? unwrapExpression(property.initializer)
        : ts.isShorthandPropertyAssignment(property)
          ? property.name
          : undefined;
      return !!initializer && ts.isIdentifier(initializer) && TRANSACTION_NAME.test(initializer.text);
    });
  });
}

/** Decorators that run a method inside one transaction (Vendure's and TypeORM's `@Transaction()`, `@Transactional()`). */
const TRANSACTION_DECORATOR = /^(Transaction|Transactional)$/;

/**
 * "Does this method run inside one transaction?" True for a method decorated `@Transaction()` /
 * `@Transactional()`, written as a decorator or compiled to `__decorate([…Transaction)()…], C.prototype, "name")`:
 * every query it makes goes through the request's one query runner, so the driver serialises them.
 */
export function runsInTransaction(fn: ts.FunctionLikeDeclaration): boolean {
  if (!ts.isMethodDeclaration(fn)) return false;
  const isTransactionCall = (expression: ts.Expression) => {
    const node = unwrapExpression(expression);
    if (!ts.isCallExpression(node)) return false;
    let callee = unwrapExpression(node.expression);
    // `(0, transaction_decorator_1.Transaction)()`: the compiled form of an imported decorator
    if (ts.isBinaryExpression(callee) && callee.operatorToken.kind === ts.SyntaxKind.CommaToken) callee = unwrapExpression(callee.right);
    const name = ts.isIdentifier(callee) ? callee.text : memberName(callee);
    return !!name && TRANSACTION_DECORATOR.test(name);
  };
  if ((ts.getDecorators(fn) ?? []).some((decorator) => isTransactionCall(decorator.expression))) return true;
  const name = ts.isIdentifier(fn.name) || ts.isStringLiteral(fn.name) ? fn.name.text : undefined;
  if (!name) return false;
  let found = false;
  walk(fn.getSourceFile(), (node) => {
    if (found) return false;
    if (
      ts.isCallExpression(node) &&
      ts.isIdentifier(unwrapExpression(node.expression)) &&
      (unwrapExpression(node.expression) as ts.Identifier).text === "__decorate" &&
      node.arguments.length >= 3 &&
      isStringLike(unwrapExpression(node.arguments[2]!)) &&
      (unwrapExpression(node.arguments[2]!) as ts.StringLiteral).text === name &&
      ts.isArrayLiteralExpression(unwrapExpression(node.arguments[0]!))
    ) {
      found = (unwrapExpression(node.arguments[0]!) as ts.ArrayLiteralExpression).elements.some((element) => isTransactionCall(element));
    }
    return !found;
  });
  return found;
}
