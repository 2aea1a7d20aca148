import {
  defineTypeScriptRule,
  dottedName,
  findDeclaration,
  functionOfDeclaration,
  getInitializer,
  getPropertyValue,
  GLOBAL_MODULE,
  isApi,
  isFunctionNode,
  isInside,
  isStringLike,
  normalizeModule,
  resolveApi,
  ts,
  unwrapExpression,
  walk,
  calledFunction,
  type ApiRef,
  type ProgramFile,
  type ProgramView,
  outerExpression,
} from "../../src/lint/api.js";

interface Options {
  shutdownModules: string[];
  requireSigterm: boolean;
}

const DEFAULT_SHUTDOWN_MODULES = [
  "@godaddy/terminus",
  "async-exit-hook",
  "close-with-grace",
  "death",
  "exit-hook",
  "http-graceful-shutdown",
  "http-terminator",
  "lightship",
  "node-graceful-shutdown",
  "signal-exit",
  "stoppable",
];

const SHUTDOWN_SIGNALS = new Set(["SIGTERM", "SIGINT"]);
const LISTENER_METHODS = new Set(["on", "once", "addListener", "prependListener", "prependOnceListener"]);
const NODE_SERVER_MODULES = ["http", "https", "http2", "net", "tls"];
/** Type annotations of a server or framework app (a `start(app: Express)` parameter). */
const SERVER_TYPE =
  /\b(Express|FastifyInstance|Koa|INestApplication|NestExpressApplication|NestFastifyApplication|Server|Http2Server|Http2SecureServer)\b/;
/** Receiver names for `.close()` in a signal handler that mean a server. */
const SERVER_NAME = /(server|app|wss|fastify|api|listener)$/i;

function isProcess(ref: ApiRef | undefined): boolean {
  return isApi(ref, GLOBAL_MODULE, "process") || isApi(ref, "process") || isApi(ref, GLOBAL_MODULE, "globalThis", "process");
}

function isProcessExit(call: ts.CallExpression): boolean {
  const ref = resolveApi(call.expression);
  return (
    isApi(ref, GLOBAL_MODULE, "process", "exit") ||
    isApi(ref, "process", "exit") ||
    isApi(ref, GLOBAL_MODULE, "globalThis", "process", "exit")
  );
}

/** Which shutdown signals a registration handles: a literal one, or `"both"` when the event is computed (`for (const s of […])`). */
function registeredSignal(event: ts.Expression | undefined): "SIGTERM" | "SIGINT" | "both" {
  return event && isStringLike(event) && (event.text === "SIGTERM" || event.text === "SIGINT") ? event.text : "both";
}

/** `process.on("SIGTERM", handler)` and friends: the handler argument, when the signal is a shutdown signal. */
function signalRegistration(call: ts.CallExpression, fileMentionsSignal: boolean): ts.Expression | undefined {
  const callee = unwrapExpression(call.expression);
  if (!ts.isPropertyAccessExpression(callee) || !LISTENER_METHODS.has(callee.name.text)) return undefined;
  if (!isProcess(resolveApi(callee.expression))) return undefined;
  const [event, handler] = call.arguments;
  if (!event || !handler) return undefined;
  // for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, stop)
  const isShutdownSignal = isStringLike(event) ? SHUTDOWN_SIGNALS.has(event.text) : fileMentionsSignal;
  return isShutdownSignal ? handler : undefined;
}

/** `await once(process, "SIGTERM")`, `for await (const _ of on(process, "SIGINT"))` from node:events. */
function awaitsSignal(call: ts.CallExpression): boolean {
  const ref = resolveApi(call.expression);
  if (
    !isApi(ref, "events", "once") &&
    !isApi(ref, "events", "on") &&
    !isApi(ref, "events", "EventEmitter", "once") &&
    !isApi(ref, "events", "EventEmitter", "on")
  )
    return false;
  const [emitter, event] = call.arguments;
  return !!emitter && !!event && isProcess(resolveApi(emitter)) && isStringLike(event) && SHUTDOWN_SIGNALS.has(event.text);
}

function mentionsShutdownSignal(sourceFile: ts.SourceFile): boolean {
  return sourceFile.text.includes("SIGTERM") || sourceFile.text.includes("SIGINT");
}

/** Text that any file handling shutdown contains (see `factsOf`): a signal's name, a shutdown module's, `enableShutdownHooks`. */
function signalWords(shutdownModules: readonly string[]): RegExp {
  const names = shutdownModules.map((name) => name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(["SIGTERM", "SIGINT", "enableShutdownHooks", ...names].join("|"));
}

function matchesModule(specifier: string, modules: readonly string[]): boolean {
  const module = normalizeModule(specifier);
  return modules.some((name) => module === name || module.startsWith(`${name}/`));
}

/**
 * How much of shutdown a file (or a program) handles: nothing; SIGINT only, with a handler that only
 * exits or logs (`sigintExit`: SIGTERM's default kill ends the process the same way); SIGINT only, with
 * a handler that does shutdown work (`sigint`: closing servers, stopping workers, which `docker stop`
 * and systemd's SIGTERM skip); or SIGTERM.
 */
type SignalCoverage = "none" | "sigintExit" | "sigint" | "sigterm";

const COVERAGE_RANK: Record<SignalCoverage, number> = { none: 0, sigintExit: 1, sigint: 2, sigterm: 3 };

/** `console.log(…)`, `logger.info(…)`, `debug(…)`: a call that only reports. */
function isLoggingCall(call: ts.CallExpression): boolean {
  const callee = unwrapExpression(call.expression);
  if (ts.isIdentifier(callee)) return /^(debug|log|trace)$/.test(callee.text);
  const receiver = ts.isPropertyAccessExpression(callee) ? dottedName(callee.expression) : undefined;
  return !!receiver && /(^|\.)(console|log|logger)$/i.test(receiver);
}

/**
 * Does a SIGINT handler do shutdown work, beyond exiting and logging? A handler that is not a function
 * of the file (an imported `shutdown`) is taken as doing work.
 */
function doesShutdownWork(handler: ts.Expression): boolean {
  const fn = handlerFunction(handler);
  if (!fn?.body) return true;
  let works = false;
  walk(fn.body, (node) => {
    if (works) return false;
    if (ts.isCallExpression(node) && !isProcessExit(node) && !isLoggingCall(node)) works = true;
    return !works;
  });
  return works;
}

function widest(a: SignalCoverage, b: SignalCoverage): SignalCoverage {
  return COVERAGE_RANK[a] >= COVERAGE_RANK[b] ? a : b;
}

interface FileFacts {
  imports: string[];
  signals: SignalCoverage;
  /** Only imports and re-exports (`import mod from "../lib/app.js"; export default mod;`): the file runs nothing. */
  facade: boolean;
}

/** A reference to a value, not a computation: `mod`, `mod.HttpError`, `require("./app")`. */
function isReference(expression: ts.Expression): boolean {
  const node = unwrapExpression(expression);
  if (ts.isIdentifier(node)) return true;
  if (ts.isPropertyAccessExpression(node)) return isReference(node.expression);
  return isRequireCall(node);
}

/**
 * A re-export facade (an ESM wrapper around a CommonJS build, an index that re-exports): every statement
 * imports, re-exports or assigns a reference to `module.exports`/`exports`, and it imports something.
 */
function isFacade(sourceFile: ts.SourceFile): boolean {
  let imports = false;
  for (const statement of sourceFile.statements) {
    if (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) {
      imports ||= ts.isImportDeclaration(statement) || !!statement.moduleSpecifier;
      continue;
    }
    if (ts.isExportAssignment(statement) && isReference(statement.expression)) continue;
    if (
      ts.isVariableStatement(statement) &&
      !!ts.getModifiers(statement)?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword) &&
      statement.declarationList.declarations.every((declaration) => !!declaration.initializer && isReference(declaration.initializer))
    )
      continue;
    if (ts.isExpressionStatement(statement)) {
      const expression = statement.expression;
      if (isStringLike(expression)) continue; // "use strict"
      const exported = moduleExportsAssignment(statement) ?? exportsAssignment(expression);
      if (exported && isReference(exported)) {
        imports ||= isRequireCall(exported);
        continue;
      }
    }
    return false;
  }
  return imports;
}

/** The value of `exports.name = value`. */
function exportsAssignment(expression: ts.Expression): ts.Expression | undefined {
  if (!ts.isBinaryExpression(expression) || expression.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return undefined;
  const target = dottedName(expression.left);
  return target && (target.startsWith("exports.") || target.startsWith("module.exports.")) ? expression.right : undefined;
}

/** Relative imports of a file (static, re-exports, `require`, `import()`) and whether it handles shutdown signals. */
function factsOf(file: ProgramFile, program: ProgramView, shutdownModules: readonly string[]): FileFacts {
  const imports = new Set<string>();
  let signals: SignalCoverage = "none";
  const mentionsSignal = mentionsShutdownSignal(file.sourceFile);
  const addSpecifier = (specifier: string) => {
    if (specifier.startsWith(".")) {
      const target = program.resolveImport(file.path, specifier);
      if (target) imports.add(target.path);
    } else if (matchesModule(specifier, shutdownModules)) {
      signals = "sigterm";
    }
  };
  walk(file.sourceFile, (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && isStringLike(node.moduleSpecifier)) {
      // `import type` does not load the module, so it does not tie the programs together.
      const typeOnly = ts.isImportDeclaration(node) ? !!node.importClause?.isTypeOnly : node.isTypeOnly;
      if (!typeOnly) addSpecifier(node.moduleSpecifier.text);
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      isStringLike(node.moduleReference.expression)
    ) {
      addSpecifier(node.moduleReference.expression.text);
    } else if (ts.isCallExpression(node)) {
      const isRequire = ts.isIdentifier(node.expression) && node.expression.text === "require";
      const isDynamicImport = node.expression.kind === ts.SyntaxKind.ImportKeyword;
      const argument = node.arguments[0];
      if ((isRequire || isDynamicImport) && argument && isStringLike(argument)) addSpecifier(argument.text);
      else if (mentionsSignal && signalRegistration(node, mentionsSignal)) {
        const sigintOnly = registeredSignal(node.arguments[0]) === "SIGINT";
        signals = widest(signals, !sigintOnly ? "sigterm" : doesShutdownWork(node.arguments[1]!) ? "sigint" : "sigintExit");
      } else if (mentionsSignal && awaitsSignal(node))
        signals = widest(signals, registeredSignal(node.arguments[1]) === "SIGINT" ? "sigint" : "sigterm");
      // NestJS: app.enableShutdownHooks() listens for the termination signals.
      else if (ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === "enableShutdownHooks") signals = "sigterm";
    }
    return true;
  });
  return { imports: [...imports], signals, facade: isFacade(file.sourceFile) };
}

interface ProgramIndex {
  facts: Map<string, FileFacts>;
  importers: Map<string, string[]>;
}

function buildIndex(program: ProgramView, shutdownModules: readonly string[]): ProgramIndex {
  const facts = new Map<string, FileFacts>();
  const importers = new Map<string, string[]>();
  const summaries = program.facts(`file-facts-2:${JSON.stringify(shutdownModules)}`, (file) => factsOf(file, program, shutdownModules));
  for (const [path, fileFacts] of summaries) facts.set(path, fileFacts);
  for (const [path, fileFacts] of facts) {
    for (const imported of fileFacts.imports) {
      const list = importers.get(imported) ?? [];
      list.push(path);
      importers.set(imported, list);
    }
  }
  return { facts, importers };
}

/**
 * Whether the program that runs `serverFile` handles shutdown: the file, every module that imports it
 * (transitively) and every module those import (transitively). Iterative, so import cycles are fine.
 */
function programSignals(index: ProgramIndex, serverFile: string): SignalCoverage {
  const roots = new Set<string>([serverFile]);
  const pending = [serverFile];
  while (pending.length > 0) {
    for (const importer of index.importers.get(pending.pop()!) ?? []) {
      if (!roots.has(importer)) {
        roots.add(importer);
        pending.push(importer);
      }
    }
  }
  const seen = new Set<string>(roots);
  const queue = [...roots];
  let signals: SignalCoverage = "none";
  while (queue.length > 0) {
    const path = queue.pop()!;
    const fileFacts = index.facts.get(path);
    if (!fileFacts) continue;
    signals = widest(signals, fileFacts.signals);
    if (signals === "sigterm") return signals;
    for (const imported of fileFacts.imports) {
      if (!seen.has(imported)) {
        seen.add(imported);
        queue.push(imported);
      }
    }
  }
  return signals;
}

/** `http.createServer()`, `express()`, `new Koa()`, `fastify()`, `NestFactory.create()`, `new http.Server()`. */
function createsServer(expression: ts.Expression): boolean {
  let node = unwrapExpression(expression);
  if (ts.isAwaitExpression(node)) node = unwrapExpression(node.expression);
  if (!ts.isCallExpression(node) && !ts.isNewExpression(node)) return false;
  const ref = resolveApi(node.expression);
  if (!ref) return false;
  for (const module of NODE_SERVER_MODULES) {
    if (isApi(ref, module, "createServer") || isApi(ref, module, "createSecureServer") || isApi(ref, module, "Server")) return true;
  }
  return (
    isApi(ref, "express") ||
    isApi(ref, "koa") ||
    isApi(ref, "fastify") ||
    isApi(ref, "fastify", "fastify") ||
    isApi(ref, "restify", "createServer") ||
    isApi(ref, "@nestjs/core", "NestFactory", "create")
  );
}

/** The initializer of a value exported by another file of the run (`export const app = express()`, `export default app`). */
function importedInitializer(identifier: ts.Identifier, filePath: string, program: ProgramView): ts.Expression | undefined {
  const declaration = findDeclaration(identifier);
  let specifierNode: ts.Expression;
  let name: string;
  if (declaration && ts.isImportSpecifier(declaration)) {
    specifierNode = declaration.parent.parent.parent.moduleSpecifier;
    name = (declaration.propertyName ?? declaration.name).text;
  } else if (declaration && ts.isImportClause(declaration)) {
    specifierNode = declaration.parent.moduleSpecifier;
    name = "default";
  } else if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer && isRequireCall(declaration.initializer)) {
    // const app = require("./app")
    specifierNode = (unwrapExpression(declaration.initializer) as ts.CallExpression).arguments[0]!;
    name = "default";
  } else {
    return undefined;
  }
  if (!isStringLike(specifierNode)) return undefined;
  const target = program.resolveImport(filePath, specifierNode.text);
  if (!target) return undefined;
  for (const statement of target.sourceFile.statements) {
    const defaultExport = ts.isExportAssignment(statement) ? statement.expression : moduleExportsAssignment(statement);
    if (name === "default" && defaultExport) {
      const value = unwrapExpression(defaultExport);
      return ts.isIdentifier(value) ? (getInitializer(value) ?? value) : value;
    }
    if (name !== "default" && ts.isVariableStatement(statement)) {
      for (const variable of statement.declarationList.declarations) {
        if (ts.isIdentifier(variable.name) && variable.name.text === name && variable.initializer) return variable.initializer;
      }
    }
  }
  return undefined;
}

function isRequireCall(expression: ts.Expression): boolean {
  const node = unwrapExpression(expression);
  return (
    ts.isCallExpression(node) &&
    ts.isIdentifier(node.expression) &&
    node.expression.text === "require" &&
    node.arguments.length === 1 &&
    isStringLike(node.arguments[0]!)
  );
}

/** The value of `module.exports = value;`. */
function moduleExportsAssignment(statement: ts.Statement): ts.Expression | undefined {
  if (!ts.isExpressionStatement(statement)) return undefined;
  const expression = statement.expression;
  if (!ts.isBinaryExpression(expression) || expression.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return undefined;
  return dottedName(expression.left) === "module.exports" ? expression.right : undefined;
}

function isServerValue(receiver: ts.Expression, filePath: string, program: ProgramView): boolean {
  const node = unwrapExpression(receiver);
  if (createsServer(node)) return true;
  const init = getInitializer(node);
  if (init && createsServer(init)) return true;
  if (!ts.isIdentifier(node)) return false;
  const imported = importedInitializer(node, filePath, program);
  if (imported && createsServer(imported)) return true;
  const declaration = findDeclaration(node);
  if (declaration && ts.isVariableDeclaration(declaration) && assignedValues(declaration).some(createsServer)) return true;
  return !!declaration && ts.isParameter(declaration) && !!declaration.type && SERVER_TYPE.test(declaration.type.getText());
}

/** The values assigned to a variable after its declaration (`let server = null; … server = http.createServer(app)`). */
function assignedValues(declaration: ts.VariableDeclaration): ts.Expression[] {
  if (!ts.isIdentifier(declaration.name)) return [];
  const name = declaration.name.text;
  let scope: ts.Node = declaration;
  while (scope.parent && !isFunctionNode(scope) && !ts.isSourceFile(scope)) scope = scope.parent;
  const values: ts.Expression[] = [];
  walk(scope, (node) => {
    if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isIdentifier(node.left) &&
      node.left.text === name &&
      findDeclaration(node.left) === declaration
    )
      values.push(node.right);
    return true;
  });
  return values;
}

/**
 * `getServer(client).then((app) => app.listen(8080))`: an app handed over by a promise of another
 * module, named like a server and started on a port; the module that makes it is not visible here.
 */
function isHandedOverApp(receiver: ts.Expression, call: ts.CallExpression): boolean {
  const node = unwrapExpression(receiver);
  if (!ts.isIdentifier(node) || !SERVER_NAME.test(node.text)) return false;
  const port = call.arguments[0] && unwrapExpression(call.arguments[0]);
  if (!port || !(ts.isNumericLiteral(port) || /port/i.test(port.getText()))) return false;
  const declaration = findDeclaration(node);
  if (!declaration || !ts.isParameter(declaration)) return false;
  const callback = declaration.parent;
  const then = callback.parent;
  return (
    isFunctionNode(callback) &&
    !!then &&
    ts.isCallExpression(then) &&
    ts.isPropertyAccessExpression(then.expression) &&
    then.expression.name.text === "then" &&
    then.arguments[0] === callback
  );
}

/** `new WebSocketServer({ port })` from ws: a listener of its own (with `server:` it rides on an HTTP server). */
function isStandaloneWebSocketServer(expression: ts.NewExpression): boolean {
  const ref = resolveApi(expression.expression);
  if (!isApi(ref, "ws", "WebSocketServer") && !isApi(ref, "ws", "Server") && !isApi(ref, "ws", "WebSocket", "Server")) return false;
  const options = expression.arguments?.[0] && unwrapExpression(expression.arguments[0]);
  return !!options && ts.isObjectLiteralExpression(options) && getPropertyValue(options, "port") !== undefined;
}

/** True when the close call's completion is waited for: awaited, returned, or chained with `.then`. */
function isWaitedFor(call: ts.CallExpression): boolean {
  const parent = outerExpression(call).parent;
  if (ts.isAwaitExpression(parent) || ts.isReturnStatement(parent)) return true;
  return ts.isPropertyAccessExpression(parent) && (parent.name.text === "then" || parent.name.text === "finally");
}

function handlerFunction(handler: ts.Expression): ts.FunctionLikeDeclaration | undefined {
  const node = unwrapExpression(handler);
  if (isFunctionNode(node)) return node;
  if (ts.isIdentifier(node)) return functionOfDeclaration(findDeclaration(node));
  return undefined;
}

/** `() => shutdown("SIGTERM")`: a handler that only delegates to a function of the file, which then does the work. */
function delegate(handler: ts.FunctionLikeDeclaration): ts.FunctionLikeDeclaration | undefined {
  const body = handler.body;
  if (!body) return undefined;
  let only: ts.Expression | undefined;
  if (ts.isBlock(body)) {
    const [statement] = body.statements;
    if (body.statements.length === 1 && statement && ts.isExpressionStatement(statement)) only = statement.expression;
  } else {
    only = body as ts.Expression;
  }
  if (!only) return undefined;
  let call = unwrapExpression(only);
  if (ts.isAwaitExpression(call) || ts.isVoidExpression(call)) call = unwrapExpression(call.expression);
  return ts.isCallExpression(call) ? calledFunction(call) : undefined;
}

/**
 * Is the listen call part of an exported API (`export function start() { app.listen() }`) of a module
 * no file of the run imports? Then the caller, not this module, owns the process and its signals.
 */
function isInExportedFunction(node: ts.Node): boolean {
  const sourceFile = node.getSourceFile();
  for (let current: ts.Node | undefined = node.parent; current; current = current.parent) {
    if (!isFunctionNode(current) && !ts.isClassLike(current)) continue;
    if (isAssignedToExports(current) || isMemberOfExportedConstructor(current)) return true;
    let declaration: ts.Node = current;
    let name: ts.Node | undefined = ts.isFunctionDeclaration(current) || ts.isClassLike(current) ? current.name : undefined;
    if (
      (ts.isArrowFunction(current) || ts.isFunctionExpression(current) || ts.isClassExpression(current)) &&
      ts.isVariableDeclaration(current.parent)
    ) {
      name = current.parent.name;
      declaration = current.parent.parent.parent;
    }
    const exported =
      (ts.canHaveModifiers(declaration) &&
        !!ts.getModifiers(declaration)?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword)) ||
      (!!name && ts.isIdentifier(name) && isExportedByName(sourceFile, name.text));
    // export async function main() { … }  main();  — an entry point that also exports its main.
    if (exported) return !(name && ts.isIdentifier(name) && isCalledOutside(sourceFile, name.text, current));
  }
  return false;
}

function isCalledOutside(sourceFile: ts.SourceFile, name: string, fn: ts.Node): boolean {
  let called = false;
  walk(sourceFile, (node) => {
    if (called || node === fn) return false;
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === name) called = true;
    return !called;
  });
  return called;
}

function isExportedByName(sourceFile: ts.SourceFile, name: string): boolean {
  return sourceFile.statements.some(
    (statement) =>
      (ts.isExportDeclaration(statement) &&
        !statement.moduleSpecifier &&
        !!statement.exportClause &&
        ts.isNamedExports(statement.exportClause) &&
        statement.exportClause.elements.some((element) => (element.propertyName ?? element.name).text === name)) ||
      (ts.isExportAssignment(statement) && ts.isIdentifier(statement.expression) && statement.expression.text === name),
  );
}

/**
 * `Container.prototype.listen = function (…) {…}` (or `Container.listen = …`) in a module that exports
 * `Container` or an instance of it (`module.exports = new Container()`, `module.exports = Container`,
 * `exports.Container = Container`, `export { Container }`): a method of the module's API.
 */
function isMemberOfExportedConstructor(fn: ts.Node): boolean {
  if (!ts.isFunctionExpression(fn) && !ts.isArrowFunction(fn)) return false;
  const assignment = fn.parent;
  if (!ts.isBinaryExpression(assignment) || assignment.operatorToken.kind !== ts.SyntaxKind.EqualsToken || assignment.right !== fn)
    return false;
  const target = dottedName(assignment.left)?.split(".");
  if (!target || target.length < 2 || target[0] === "module" || target[0] === "exports") return false;
  const owner = target[0]!;
  const sourceFile = fn.getSourceFile();
  if (isExportedByName(sourceFile, owner)) return true;
  return sourceFile.statements.some((statement) => {
    if (!ts.isExpressionStatement(statement)) return false;
    const expression = statement.expression;
    if (!ts.isBinaryExpression(expression) || expression.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return false;
    const left = dottedName(expression.left);
    if (!left || !(left === "module.exports" || left.startsWith("module.exports.") || left.startsWith("exports."))) return false;
    let value = unwrapExpression(expression.right);
    if (ts.isNewExpression(value)) value = unwrapExpression(value.expression);
    return ts.isIdentifier(value) && value.text === owner;
  });
}

/** `module.exports = function…`, `exports.start = () => …`, `module.exports = { start() {…} }`. */
function isAssignedToExports(fn: ts.Node): boolean {
  let node: ts.Node = fn;
  // { start() {…} } and { start: () => … } inside an object literal assigned to module.exports
  if (ts.isMethodDeclaration(node) && ts.isObjectLiteralExpression(node.parent)) node = node.parent;
  else if (ts.isPropertyAssignment(node.parent) && ts.isObjectLiteralExpression(node.parent.parent)) node = node.parent.parent;
  const parent = node.parent;
  if (!parent || !ts.isBinaryExpression(parent) || parent.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return false;
  const target = dottedName(parent.left);
  return !!target && (target === "module.exports" || target.startsWith("module.exports.") || target.startsWith("exports."));
}

/**
 * `server.listen(0, () => { port = server.address().port; server.close(…) })`: a probe (finding a free
 * port, checking that one binds) that closes the server as soon as it listens; no requests are served.
 */
function closesOnListening(call: ts.CallExpression): boolean {
  const receiver = dottedName((unwrapExpression(call.expression) as ts.PropertyAccessExpression).expression);
  if (!receiver) return false;
  return call.arguments.some((argument) => {
    const callback = unwrapExpression(argument);
    if (!isFunctionNode(callback) || !callback.body) return false;
    let closes = false;
    walk(callback.body, (node) => {
      if (closes) return false;
      if (ts.isCallExpression(node)) {
        const callee = unwrapExpression(node.expression);
        if (ts.isPropertyAccessExpression(callee) && callee.name.text === "close" && dottedName(callee.expression) === receiver)
          closes = true;
      }
      return !closes;
    });
    return closes;
  });
}

/** `server.close(); process.exit(0)` in the handler's own body: the exits that do not wait for the close. */
function exitsBeforeClose(
  handler: ts.FunctionLikeDeclaration,
  filePath: string,
  program: ProgramView,
): { exit: ts.CallExpression; server: string }[] {
  const body = handler.body;
  if (!body) return [];
  const closes: ts.CallExpression[] = [];
  const exits: ts.CallExpression[] = [];
  walk(body, (node) => {
    if (node !== body && isFunctionNode(node)) return false;
    if (!ts.isCallExpression(node)) return true;
    const callee = unwrapExpression(node.expression);
    if (ts.isPropertyAccessExpression(callee) && callee.name.text === "close" && !isWaitedFor(node)) {
      const name = dottedName(callee.expression)?.split(".").pop();
      if (isServerValue(callee.expression, filePath, program) || (name && SERVER_NAME.test(name))) closes.push(node);
    }
    if (isProcessExit(node)) exits.push(node);
    return true;
  });
  const found: { exit: ts.CallExpression; server: string }[] = [];
  for (const exit of exits) {
    const close = closes.find((candidate) => candidate.getEnd() <= exit.getStart() && !isInside(exit, candidate));
    if (close) {
      const receiver = (unwrapExpression(close.expression) as ts.PropertyAccessExpression).expression;
      found.push({ exit, server: dottedName(receiver) ?? "server" });
    }
  }
  return found;
}

export default defineTypeScriptRule<Options>({
  instead:
    "On SIGTERM and SIGINT, stop accepting connections, wait for `server.close()` (its callback or promise) and other cleanup, then let the process exit, with a timer that forces the exit after a grace period; `close-with-grace` or `@godaddy/terminus` do this for you. Tokio's shape is `select!` on `ctrl_c()`/a shutdown channel, then awaiting the server.",
  needsTypes: false,
  messages: {
    noSignalHandler:
      "This server starts listening, but no module of the program that runs it handles SIGTERM or SIGINT: on every deploy or scale-down the process is killed mid-request, dropping in-flight work.",
    sigtermNotHandled:
      "This server starts listening and the program handles SIGINT but not SIGTERM: `docker stop`, Kubernetes and systemd send SIGTERM, so on every deploy the process is killed mid-request without the shutdown that Ctrl-C gets.",
    exitBeforeClose:
      "`process.exit()` runs right after `{{server}}.close()` without waiting for it: close only stops new connections, so exiting here cuts off the requests still in flight.",
  },
  options: {
    properties: {
      shutdownModules: {
        description:
          "Modules whose import counts as handling shutdown signals (graceful-shutdown helpers). Replaces the default list; matched exactly or as a prefix of a subpath (`name/…`).",
        type: "array",
        items: { type: "string" },
        default: DEFAULT_SHUTDOWN_MODULES,
      },
      requireSigterm: {
        description:
          "Also report a server whose program handles SIGINT (Ctrl-C) but not SIGTERM when the SIGINT handler only exits or logs. Off by default: such a handler ends the process as SIGTERM's default does. A SIGINT handler that does shutdown work (closes servers, stops workers) without a SIGTERM one is always reported, since `docker stop`, Kubernetes and systemd send SIGTERM and skip that work.",
        type: "boolean",
        default: false,
      },
    },
    defaults: { shutdownModules: DEFAULT_SHUTDOWN_MODULES, requireSigterm: false },
  },
  examples: {
    incorrect: [
      `import express from "express";\n\nconst app = express();\napp.get("/health", (_req, res) => res.send("ok"));\napp.listen(Number(process.env.PORT ?? 3000));`,
      `import { createServer } from "node:http";\n\nconst server = createServer(handler).listen(8080);\nprocess.on("SIGTERM", () => {\n  server.close();\n  process.exit(0);\n});`,
    ],
    correct: [
      `import { createServer } from "node:http";\n\nconst server = createServer(handler).listen(8080);\nfunction shutdown() {\n  server.close(() => process.exit(0));\n  setTimeout(() => process.exit(1), 10_000).unref();\n}\nprocess.once("SIGTERM", shutdown);\nprocess.once("SIGINT", shutdown);`,
      `import Fastify from "fastify";\nimport closeWithGrace from "close-with-grace";\n\nconst app = Fastify();\ncloseWithGrace({ delay: 10_000 }, async () => {\n  await app.close();\n});\nawait app.listen({ port: 3000 });`,
    ],
  },
  knownLimits: [
    "Only the files of the run are looked at: linting `src/server.ts` alone reports a server whose signals are handled in an entry module that was not linted. Lint the whole program.",
    "Servers are recognised by how they are created (node's http/https/http2/net/tls, express, koa, fastify, restify, NestJS, `serve()` of @hono/node-server), also when the app is exported by another file of the run, by a parameter typed as a server or app, and `new WebSocketServer({ port })` from ws; other frameworks' `listen` is not reported.",
    "Test files are not checked by default: the presets turn this rule off for the `test` file role (see File roles in the README); turn it back on with `overrides`.",
    "A listen inside an exported function or class of a module that no file of the run imports (and that the module does not call itself) is taken as a library API whose caller owns the signals, and is not reported (a file that only re-exports the module, such as an ESM wrapper around a CommonJS build, does not count as importing it unless a file imports that wrapper in turn); so is a listen in a method assigned to a constructor the module exports (`Container.prototype.listen = function …` with `module.exports = new Container()`).",
    "A server closed in its own `listen` callback (`server.listen(0, () => { …; server.close() })`, a free-port probe) serves nothing and is not reported; a server closed later, elsewhere, still is.",
    "A handler that registers SIGTERM but only calls `process.exit()` (no `server.close()`) counts as handling the signal.",
    "A program that handles SIGINT but not SIGTERM is reported when its SIGINT handler does any work besides exiting and logging (that work is what SIGTERM skips); a SIGINT handler that only exits or logs is reported only with `requireSigterm`.",
    "Any `.close()` whose receiver is a recognised server or is named like one (`server`, `app`, `wss`, `fastify`) is taken as the server's close.",
  ],
  create(context) {
    const { program, filePath, options } = context;
    const index = () => program.memo("index", () => buildIndex(program, options.shutdownModules));
    // No file of the package names a signal, a shutdown module or enableShutdownHooks: no program in it
    // handles shutdown, and the import graph (which parses every file of the package) is not needed.
    const packageHandlesNothing = () =>
      program.facts(`signal-words:${JSON.stringify(options.shutdownModules)}`, () => true, signalWords(options.shutdownModules)).size === 0;
    const signals = () => program.memo(`handled:${filePath}`, () => (packageHandlesNothing() ? "none" : programSignals(index(), filePath)));
    /** Reports a server start unless the program handles SIGTERM; SIGINT alone gets its own message. */
    const reportUnhandled = (node: ts.Node) => {
      const coverage = signals();
      if (coverage === "sigterm" || (coverage === "sigintExit" && !options.requireSigterm)) return;
      context.report({ node, messageId: coverage === "none" ? "noSignalHandler" : "sigtermNotHandled" });
    };
    /** Is this module run by a file of the run? Importers that only re-export it (facades) run nothing themselves, unless a file imports them in turn. */
    const isImported = () => {
      const { importers, facts } = index();
      const seen = new Set<string>([filePath]);
      const pending = [filePath];
      while (pending.length > 0) {
        for (const importer of importers.get(pending.pop()!) ?? []) {
          if (seen.has(importer)) continue;
          seen.add(importer);
          if (!facts.get(importer)?.facade) return true;
          pending.push(importer);
        }
      }
      return false;
    };
    /**
     * A library's exported `start()` that no file of the run calls: its caller owns the signals. A module
     * that registers process signal handlers itself has taken the process over: no caller owns them.
     */
    const isUnusedLibraryApi = (node: ts.Node): boolean =>
      isInExportedFunction(node) && !isImported() && index().facts.get(filePath)?.signals === "none";
    const fileMentionsSignal = mentionsShutdownSignal(context.sourceFile);
    return {
      CallExpression(call) {
        const callee = unwrapExpression(call.expression);
        if (
          ts.isPropertyAccessExpression(callee) &&
          callee.name.text === "listen" &&
          (isServerValue(callee.expression, filePath, program) || isHandedOverApp(callee.expression, call))
        ) {
          if (!isUnusedLibraryApi(call) && !closesOnListening(call)) reportUnhandled(call);
          return;
        }
        if (isApi(resolveApi(call.expression), "@hono/node-server", "serve")) {
          if (!isUnusedLibraryApi(call)) reportUnhandled(call);
          return;
        }
        const handler = fileMentionsSignal ? signalRegistration(call, fileMentionsSignal) : undefined;
        const fn = handler && handlerFunction(handler);
        if (!fn) return;
        const target = delegate(fn) ?? fn;
        for (const { exit, server } of exitsBeforeClose(target, filePath, program)) {
          context.report({ node: exit, messageId: "exitBeforeClose", data: { server } });
        }
      },
      NewExpression(expression) {
        if (!isStandaloneWebSocketServer(expression)) return;
        if (!isUnusedLibraryApi(expression)) reportUnhandled(expression);
      },
    };
  },
});
