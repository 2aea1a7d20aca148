import {
  callbackSite,
  collectAwaits,
  defineTypeScriptRule,
  dottedName,
  findDeclaration,
  functionName,
  getEnclosingFunction,
  GLOBAL_MODULE,
  isApi,
  isAsyncFunction,
  isFunctionNode,
  isCoroutineGenerator,
  isGeneratorFunction,
  listenerRegistration,
  memberName,
  resolveApi,
  routeRegistrationOf,
  serverFactoryOf,
  ts,
  unwrapExpression,
  walk,
  identifiersNamed,
  type ApiRef,
  outerExpression,
  hasExportModifier,
  isToolConfigFile,
  reachedOnlyFromStartup,
  type StartupEnv,
} from "../../src/lint/api.js";

interface Options {
  allow: string[];
}

interface Blocking {
  /** `fs.readFileSync`, for the message and the `allow` option. */
  api: string;
  instead: string;
}

const CHILD_PROCESS_SYNC = new Set(["execSync", "execFileSync", "spawnSync"]);
const CRYPTO_SYNC: Record<string, string> = {
  pbkdf2Sync: "pbkdf2",
  scryptSync: "scrypt",
  generateKeyPairSync: "generateKeyPair",
  generateKeySync: "generateKey",
  generatePrimeSync: "generatePrime",
  checkPrimeSync: "checkPrime",
};
/** Drop-in replacements of `fs` that re-export its `*Sync` functions unchanged. */
const FS_MODULES = new Set(["fs", "fs-extra", "graceful-fs", "fs-promise", "mz/fs", "original-fs"]);
/** `path-type`'s synchronous stat helpers (`dirSync`, `isDirectorySync`…). */
const PATH_TYPE_SYNC = /^(dir|file|symlink|isDirectory|isFile|isSymlink)Sync$/;
const BCRYPT_SYNC: Record<string, string> = { hashSync: "hash", compareSync: "compare", genSaltSync: "genSalt" };
const WORKER_HINT = "or move the computation to a worker thread (a `piscina` pool), as Tokio's `spawn_blocking` does";

function pathOf(ref: ApiRef): string[] {
  return ref.path[0] === "default" ? ref.path.slice(1) : ref.path;
}

/** The blocking API a call names, by import source, with what to call instead. */
function blockingApi(call: ts.CallExpression): Blocking | undefined {
  // Resolving a name walks its scopes; skip member calls that cannot be blocking by their name alone
  const callee = unwrapExpression(call.expression);
  const method = ts.isIdentifier(callee) ? undefined : memberName(callee);
  if (!ts.isIdentifier(callee) && !(method && (method.endsWith("Sync") || method === "wait"))) return undefined;
  const ref = resolveApi(call.expression);
  if (!ref) return undefined;
  const path = pathOf(ref);
  const name = path[path.length - 1];
  if (!name) return undefined;
  if (FS_MODULES.has(ref.module) && path.length === 1 && name.endsWith("Sync")) {
    const base = name.slice(0, -4);
    const replacement = base === "exists" ? "fs.promises.access` (or `stat`)" : `fs.promises.${base}\``;
    return {
      api: `fs.${name}`,
      instead: `Use \`${replacement} from \`node:fs/promises\` and await it; the work then runs on the libuv thread pool instead of the event loop.`,
    };
  }
  if (ref.module === "path-type" && path.length === 1 && PATH_TYPE_SYNC.test(name)) {
    return {
      api: `path-type.${name}`,
      instead: `Use the promise form \`${name.slice(0, -4)}\` of \`path-type\` and await it: the \`stat\` then runs on the libuv thread pool.`,
    };
  }
  if (ref.module === "child_process" && path.length === 1 && CHILD_PROCESS_SYNC.has(name)) {
    return {
      api: `child_process.${name}`,
      instead:
        "Use `execFile` through `util.promisify`, or `spawn` and await its `'close'` event (`events.once`), so the event loop keeps serving while the child runs.",
    };
  }
  if (ref.module === "zlib" && path.length === 1 && name.endsWith("Sync")) {
    const base = name.slice(0, -4);
    return {
      api: `zlib.${name}`,
      instead: `Use \`zlib.${base}\` through \`util.promisify\` (it compresses on the libuv thread pool), or stream through \`pipeline\` from \`node:stream/promises\`.`,
    };
  }
  if (ref.module === "crypto" && path.length === 1 && CRYPTO_SYNC[name]) {
    return {
      api: `crypto.${name}`,
      instead: `Use \`crypto.${CRYPTO_SYNC[name]}\` (callback or \`util.promisify\`), which runs on the libuv thread pool, ${WORKER_HINT}.`,
    };
  }
  if ((ref.module === "bcrypt" || ref.module === "bcryptjs") && path.length === 1 && BCRYPT_SYNC[name]) {
    return {
      api: `${ref.module}.${name}`,
      instead: `Use the promise form \`${ref.module}.${BCRYPT_SYNC[name]}\` and await it, ${WORKER_HINT}.`,
    };
  }
  if (isApi(ref, GLOBAL_MODULE, "Atomics", "wait")) {
    return { api: "Atomics.wait", instead: "Use `Atomics.waitAsync`, which resolves a promise instead of parking the thread." };
  }
  return undefined;
}

/** `Date.now()`, `performance.now()`, `process.hrtime()`, `new Date().getTime()`. */
function readsClock(node: ts.Node): boolean {
  if (ts.isCallExpression(node)) {
    const ref = resolveApi(node.expression);
    if (
      isApi(ref, GLOBAL_MODULE, "Date", "now") ||
      isApi(ref, GLOBAL_MODULE, "performance", "now") ||
      isApi(ref, "perf_hooks", "performance", "now") ||
      isApi(ref, GLOBAL_MODULE, "process", "hrtime") ||
      isApi(ref, GLOBAL_MODULE, "process", "hrtime", "bigint")
    ) {
      return true;
    }
    const callee = unwrapExpression(node.expression);
    if (
      memberName(callee) === "getTime" &&
      ts.isPropertyAccessExpression(callee) &&
      ts.isNewExpression(unwrapExpression(callee.expression))
    ) {
      const created = unwrapExpression(callee.expression) as ts.NewExpression;
      return ts.isIdentifier(created.expression) && created.expression.text === "Date" && !findDeclaration(created.expression);
    }
  }
  return false;
}

/** A loop that spins on the clock: its condition reads the time and its body never awaits. */
function isBusyWait(loop: ts.WhileStatement | ts.DoStatement | ts.ForStatement): boolean {
  const condition =
    loop.kind === ts.SyntaxKind.ForStatement
      ? (loop as ts.ForStatement).condition
      : (loop as ts.WhileStatement | ts.DoStatement).expression;
  if (!condition) return false;
  let clock = false;
  walk(condition, (node) => {
    if (clock || isFunctionNode(node)) return false;
    if (readsClock(node)) clock = true;
    return !clock;
  });
  return clock && collectAwaits(loop.statement).length === 0;
}

interface ServingContext {
  /** "async function `handle`", "the `'data'` listener", … */
  description: string;
}

/** The declaration a named function is referenced by: the function itself, or its `const`. */
function nameOwner(fn: ts.FunctionLikeDeclaration): { name: ts.Identifier; owner: ts.Node } | undefined {
  if (ts.isFunctionDeclaration(fn) && fn.name) return { name: fn.name, owner: fn };
  const parent = fn.parent;
  if (
    (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) &&
    parent &&
    ts.isVariableDeclaration(parent) &&
    ts.isIdentifier(parent.name) &&
    parent.initializer === fn
  ) {
    return { name: parent.name, owner: parent };
  }
  return undefined;
}

/** `srv.listen(…)` after `node` in the same function: code before it is start-up, not serving. */
function listensAfter(fn: ts.FunctionLikeDeclaration, node: ts.Node): boolean {
  if (!fn.body) return false;
  let found = false;
  walk(fn.body, (child) => {
    if (found || (child !== fn.body && isFunctionNode(child))) return false;
    if (ts.isCallExpression(child) && child.pos >= node.end && memberName(unwrapExpression(child.expression)) === "listen") found = true;
    return !found;
  });
  return found;
}

function isCalleeReference(reference: ts.Node): ts.CallExpression | undefined {
  const current = outerExpression(reference);
  const parent = current.parent;
  return parent && ts.isCallExpression(parent) && parent.expression === current ? parent : undefined;
}

const MAX_CALL_DEPTH = 6;
/**
 * One-shot phases by name: a module's or a plugin's `init()` (Node-RED's storage and settings
 * modules, Payload's `init`) runs once before the program serves, and a migration
 * (`migrateSettings`, `readMigrationFiles`, `runMigrations`) runs once at deploy or from a command,
 * where reading files synchronously is expected.
 */
const ONE_SHOT_PHASE_NAME = /^(init|initialize|initialise)$|^migrat|Migrat/;

/** `init() {…}`, `init: async function () {…}`, `async function readMigrationFiles()`: a start-up or migration phase. */
function isInitPhase(fn: ts.FunctionLikeDeclaration): boolean {
  let name = fn.name && (ts.isIdentifier(fn.name) || ts.isPrivateIdentifier(fn.name)) ? fn.name.text : undefined;
  const parent = fn.parent;
  if (name === undefined && parent && (ts.isPropertyAssignment(parent) || ts.isVariableDeclaration(parent)) && ts.isIdentifier(parent.name))
    name = parent.name.text;
  return name !== undefined && ONE_SHOT_PHASE_NAME.test(name);
}
/** Next.js data functions that run at build time, not per request. */
const BUILD_TIME_FUNCTIONS = new Set(["getStaticProps", "getStaticPaths", "generateStaticParams"]);
/** Events that fire once while a program starts or stops, not per request. */
const LIFECYCLE_EVENTS = new Set(["ready", "listening", "exit", "beforeExit"]);
const CLI_FRAMEWORKS = new Set(["commander", "yargs", "cac", "meow", "sade", "citty", "clipanion", "@oclif/core", "minimist"]);

/** A command-line program: a `#!` line, or an import of an argument parser. Its async code serves no one else. */
function isCliFile(sourceFile: ts.SourceFile): boolean {
  if (sourceFile.text.startsWith("#!")) return true;
  return sourceFile.statements.some((statement) => {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier))
      return CLI_FRAMEWORKS.has(statement.moduleSpecifier.text);
    if (ts.isVariableStatement(statement)) {
      return statement.declarationList.declarations.some((declaration) => {
        const ref = declaration.initializer && resolveApi(declaration.initializer);
        return !!ref && CLI_FRAMEWORKS.has(ref.module);
      });
    }
    return false;
  });
}

const WORKER_FILE = /(^|\/)workers?\/|(^|[/.\-_])worker\.[cm]?[jt]sx?$/;
const WORKER_ONLY_BINDINGS = new Set(["parentPort", "workerData", "threadId"]);

/**
 * Code that runs on a worker thread (piscina or `worker_threads`), where blocking is the point: a file
 * named like a worker, or one that imports `parentPort`, `workerData` or `threadId`.
 */
function isWorkerFile(sourceFile: ts.SourceFile, filePath: string): boolean {
  if (WORKER_FILE.test(filePath)) return true;
  return sourceFile.statements.some((statement) => {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) return false;
    if (statement.moduleSpecifier.text.replace(/^node:/, "") !== "worker_threads") return false;
    const bindings = statement.importClause?.namedBindings;
    return (
      !!bindings &&
      ts.isNamedImports(bindings) &&
      bindings.elements.some((element) => WORKER_ONLY_BINDINGS.has((element.propertyName ?? element.name).text))
    );
  });
}

/**
 * A one-time lazy load: `cache ??= readFileSync(…)`, or the call inside `if (!cache) { cache = … }`
 * (also `=== undefined`/`== null`, `!map.has(k)` with `map.set`). It blocks once, not per request.
 */
function isLazyInitialisation(node: ts.Node, fn: ts.Node): boolean {
  for (let current: ts.Node = node; current !== fn && current.parent; current = current.parent) {
    const parent = current.parent;
    if (ts.isBinaryExpression(parent) && parent.right === current) {
      const operator = parent.operatorToken.kind;
      if (operator === ts.SyntaxKind.QuestionQuestionEqualsToken || operator === ts.SyntaxKind.BarBarEqualsToken) return true;
    }
    if (ts.isIfStatement(parent) && parent.thenStatement === current) {
      const cache = testedCache(parent.expression);
      if (cache && assignsTo(parent.thenStatement, cache)) return true;
    }
  }
  return false;
}

/** `!cache`, `cache === undefined`, `cache == null`, `!map.has(key)`: the cache's dotted name. */
function testedCache(condition: ts.Expression): string | undefined {
  const node = unwrapExpression(condition);
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.ExclamationToken) {
    const operand = unwrapExpression(node.operand);
    if (ts.isCallExpression(operand) && memberName(operand.expression) === "has" && ts.isPropertyAccessExpression(operand.expression)) {
      return dottedName(operand.expression.expression);
    }
    return dottedName(operand);
  }
  if (ts.isBinaryExpression(node)) {
    const kind = node.operatorToken.kind;
    const isEquality = kind === ts.SyntaxKind.EqualsEqualsEqualsToken || kind === ts.SyntaxKind.EqualsEqualsToken;
    const right = unwrapExpression(node.right);
    const isEmpty = right.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(right) && right.text === "undefined");
    if (isEquality && isEmpty) return dottedName(node.left);
  }
  return undefined;
}

function assignsTo(statement: ts.Node, cache: string): boolean {
  let found = false;
  walk(statement, (node) => {
    if (found) return false;
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && dottedName(node.left) === cache)
      found = true;
    if (
      ts.isCallExpression(node) &&
      memberName(node.expression) === "set" &&
      ts.isPropertyAccessExpression(node.expression) &&
      dottedName(node.expression.expression) === cache
    )
      found = true;
    return !found;
  });
  return found;
}
const TEST_FUNCTIONS = new Set([
  "it",
  "test",
  "describe",
  "suite",
  "bench",
  "beforeAll",
  "beforeEach",
  "afterAll",
  "afterEach",
  "before",
  "after",
]);

/** `it("…", async () => …)`, `test.each(…)(…)`, `describe.only(…)`: test code, not serving code. */
function isTestCallback(call: ts.CallExpression | ts.NewExpression): boolean {
  let callee: ts.Expression = unwrapExpression(call.expression);
  for (;;) {
    if (ts.isCallExpression(callee)) callee = unwrapExpression(callee.expression);
    else if (ts.isPropertyAccessExpression(callee)) callee = unwrapExpression(callee.expression);
    else break;
  }
  return ts.isIdentifier(callee) && TEST_FUNCTIONS.has(callee.text);
}

export default defineTypeScriptRule<Options>({
  instead:
    "Call the asynchronous API and await it (`fs.promises.readFile` for `fs.readFileSync`); move CPU-heavy work to a worker thread (a `piscina` pool), as Tokio moves blocking work to `spawn_blocking`.",
  needsTypes: false,
  messages: {
    blockingCall: "`{{api}}` blocks the event loop in {{context}}: while it runs, no other request, timer or I/O callback is served.",
    busyWait:
      "This loop spins on the clock in {{context}}: it holds the event loop until the deadline passes, and nothing else runs meanwhile.",
  },
  options: {
    properties: {
      allow: {
        type: "array",
        items: { type: "string" },
        description: "Blocking APIs to accept, by the name the rule reports them with (e.g. `fs.existsSync`).",
        default: [],
      },
    },
    defaults: { allow: [] },
  },
  examples: {
    incorrect: [
      `import fs from "node:fs";\nimport http from "node:http";\n\nhttp.createServer((req, res) => {\n  const page = fs.readFileSync("./public/index.html");\n  res.end(page);\n}).listen(8080);`,
      `import { pbkdf2Sync } from "node:crypto";\n\nexport async function login(password: string, salt: Buffer, expected: Buffer) {\n  const hash = pbkdf2Sync(password, salt, 310_000, 32, "sha256");\n  return hash.equals(expected);\n}`,
      `import { execSync } from "node:child_process";\n\nfunction currentBranch() {\n  return execSync("git rev-parse --abbrev-ref HEAD").toString().trim();\n}\n\nexport async function status() {\n  return { branch: currentBranch() };\n}`,
    ],
    correct: [
      `import { readFileSync } from "node:fs";\nimport { readFile } from "node:fs/promises";\nimport http from "node:http";\n\nconst config = JSON.parse(readFileSync("./config.json", "utf8"));\n\nconst server = http.createServer(async (req, res) => {\n  try {\n    res.end(await readFile(config.indexPath));\n  } catch {\n    res.statusCode = 500;\n    res.end();\n  }\n});\nserver.listen(config.port);\nprocess.on("SIGTERM", () => server.close());`,
      `import { pbkdf2 } from "node:crypto";\nimport { promisify } from "node:util";\n\nconst pbkdf2Async = promisify(pbkdf2);\n\nexport async function login(password: string, salt: Buffer, expected: Buffer) {\n  const hash = await pbkdf2Async(password, salt, 310_000, 32, "sha256");\n  return hash.equals(expected);\n}`,
    ],
  },
  knownLimits: [
    "Only blocking calls recognised by import source are reported (fs and its drop-ins fs-extra, graceful-fs, fs-promise and mz/fs, path-type's `*Sync` stat helpers, child_process and zlib `*Sync`, crypto's key-derivation and key-generation `*Sync`, bcrypt `*Sync`, `Atomics.wait`); CPU-heavy loops and `JSON.parse` of large bodies are not.",
    "The call graph is followed within one file, through plain functions and `const` arrows, when every reference to the helper in that file is a call from serving code; a method, a helper passed around as a value, and a helper with a caller outside serving code (start-up, a build script) are not followed. An exported helper is judged by the callers in its own file; one that this file never calls is not reported, whatever other files do with it.",
    "Across files, an exported function, a function set on `exports`/`module.exports` or a class method is not reported when every call of it found in the run is start-up code: module top level, a `bootstrap`/`init`/`initialize` function, a `register` hook of an object literal (a plugin or provider definition), code before `listen` in the same function, or a function itself reached only from such code (followed four levels; calls by name, through `require`/`import` bindings of a default export, and `new C().m()` of an imported class). When nothing in the run calls it (a public API), or one of its uses is not a call resolved to it (passed as a value, called on a receiver that cannot be resolved without types), it is judged as before. A start-up path that goes through a callback (a CLI command's action, an event listener) is not followed.",
    "Start-up code is recognised as module top level, an async function called only from module top level (`main().catch(…)`), a top-level async IIFE, anything before `server.listen(…)` in the same function, an `init`/`initialize`/`initialise` function or method (a module's or plugin's start-up phase, as in Node-RED's storage modules), and a function named for a migration (`migrateSettings`, `readMigrationFiles`: run once at deploy or from a command), with the helpers called only from them. Start-up callers in other files are followed as the entry above says; an `init`, `bootstrap` or migration function that in fact runs per request is missed.",
    "Listeners on `process` (`exit`, signals, `uncaughtException`) and for the lifecycle events `ready`, `listening`, `exit` and `beforeExit` are not reported: they run once at start-up or shutdown, where synchronous work is expected.",
    "Not reported by design: test files and scripts (the presets turn this rule off for the `test` and `script` file roles), tool configs (`*.config.*`), Next.js build-time functions (`getStaticProps`, `getStaticPaths`, `generateStaticParams`), one-time lazy loads (`cache ??= readFileSync(…)`, or the read inside `if (!cache) { cache = … }`), and async functions of command-line programs (a `#!` line or an import of commander, yargs, cac, meow, sade, citty, clipanion, oclif or minimist); request handlers and listeners in those programs are still checked.",
    "Worker-thread code is not reported (blocking there is the remedy): files named `worker.*`, `*.worker.*` or under `workers/`, and files that import `parentPort`, `workerData` or `threadId` from `worker_threads`. A BullMQ or other job worker in such a file is skipped too.",
    "A generator counts as async code only when it is handed straight to a coroutine runner (`coroutine(function* …)` from bluebird, `Promise.coroutine`, `co`, `co.wrap`); a generator stored first and wrapped later is not followed.",
    "Event listeners in general count as serving code, so a `readline` `'line'` listener of a script that does not import a CLI framework and has no `#!` line is reported.",
  ],
  create(context) {
    const allowed = new Set(context.options.allow);
    const memo = new Map<ts.Node, ServingContext | null>();
    let cli: boolean | undefined;
    const isCli = () => (cli ??= isCliFile(context.sourceFile));
    const referencesTo = (name: ts.Identifier, owner: ts.Node): ts.Identifier[] => {
      return identifiersNamed(context.sourceFile, name.text).filter(
        (identifier) => identifier !== name && findDeclaration(identifier) === owner,
      );
    };

    const startupEnv: StartupEnv = {
      program: context.program,
      filePath: context.filePath,
      isStartupFunction: (fn, node) => isInitPhase(fn) || (isAsyncFunction(fn) && listensAfter(fn, node)) || isStartup(fn),
    };
    /** Exported, a method, or set on `exports`: other files of the run may call it. */
    const mayBeCalledElsewhere = (fn: ts.FunctionLikeDeclaration): boolean => {
      if (ts.isMethodDeclaration(fn)) return true;
      const named = nameOwner(fn);
      return !!named && (hasExportModifier(named.owner) || /\bexports?\b/.test(context.sourceFile.text));
    };

    /** The serving context a node runs in, or undefined for start-up and plain synchronous code. */
    function contextOf(node: ts.Node, depth: number): ServingContext | undefined {
      const fn = getEnclosingFunction(node);
      if (!fn) return undefined;
      if (isAsyncFunction(fn) && listensAfter(fn, node)) return undefined;
      if (depth === 0 && isLazyInitialisation(node, fn)) return undefined;
      return classify(fn, depth);
    }

    function classify(fn: ts.FunctionLikeDeclaration, depth: number): ServingContext | undefined {
      const cached = memo.get(fn);
      if (cached !== undefined) return cached ?? undefined;
      if (depth > MAX_CALL_DEPTH) return undefined;
      memo.set(fn, null); // a cycle through this function counts as not serving
      const result = classifyUncached(fn, depth);
      memo.set(fn, result ?? null);
      return result;
    }

    function classifyUncached(fn: ts.FunctionLikeDeclaration, depth: number): ServingContext | undefined {
      const site = callbackSite(fn);
      if (site && isTestCallback(site.call)) return undefined;
      if (site) {
        const handler = handlerOf(site);
        if (handler !== undefined) return handler ?? undefined;
      }
      if ((isAsyncFunction(fn) && !isGeneratorFunction(fn)) || isCoroutineGenerator(fn)) {
        if (isStartup(fn) || isInitPhase(fn) || isCli()) return undefined;
        if (mayBeCalledElsewhere(fn) && reachedOnlyFromStartup(fn, startupEnv)) return undefined;
        if (fn.name && ts.isIdentifier(fn.name) && BUILD_TIME_FUNCTIONS.has(fn.name.text)) return undefined;
        const owner = nameOwner(fn);
        if (owner && BUILD_TIME_FUNCTIONS.has(owner.name.text)) return undefined;
        const name = functionName(fn);
        if (isCoroutineGenerator(fn)) return { description: "a coroutine (a generator run by `coroutine`/`co`)" };
        return { description: name === "<anonymous>" ? "an async callback" : `async function \`${name}\`` };
      }
      if (site) {
        // a synchronous callback (map, then, a Promise executor) runs where the call is made
        return contextOf(site.call, depth + 1);
      }
      const named = nameOwner(fn);
      if (!named) return undefined;
      // an exported helper may have callers elsewhere, but those of this file alone decide: when they
      // all serve, the blocking call runs while serving whatever other files do with it
      const references = referencesTo(named.name, named.owner);
      if (references.length === 0) return undefined;
      if (mayBeCalledElsewhere(fn) && reachedOnlyFromStartup(fn, startupEnv)) return undefined;
      let first: ServingContext | undefined;
      for (const reference of references) {
        const call = isCalleeReference(reference);
        let caller: ServingContext | undefined;
        if (call) {
          caller = contextOf(call, depth + 1);
        } else {
          const referenceSite = callbackSite(reference);
          caller = referenceSite ? (handlerOf(referenceSite) ?? undefined) : undefined;
        }
        if (!caller) return undefined;
        first ??= caller;
      }
      if (!first) return undefined;
      const calledFrom = hasExportModifier(named.owner) ? "which this file calls only from" : "which is only called from";
      return { description: `\`${named.name.text}\`, ${calledFrom} ${first.description}` };
    }

    /** A handler registration: the handler's context; `null` for listeners that must stay synchronous; undefined when not a handler. */
    function handlerOf(site: { call: ts.CallExpression | ts.NewExpression; index: number }): ServingContext | null | undefined {
      const listener = listenerRegistration(site);
      if (listener) {
        const receiver = unwrapExpression(listener.receiver);
        if (ts.isIdentifier(receiver) && receiver.text === "process" && !findDeclaration(receiver)) return null;
        if (listener.event !== undefined && LIFECYCLE_EVENTS.has(listener.event)) return null;
        return { description: listener.event === undefined ? "an event listener" : `the \`'${listener.event}'\` listener` };
      }
      const factory = serverFactoryOf(site);
      if (factory && site.index === 0) return { description: `the request handler of \`${factory}\`` };
      const route = routeRegistrationOf(site);
      if (route) return { description: `the \`${route}\` route handler` };
      return undefined;
    }

    /** Called only from module top level (`main()`, `main().catch(…)`) or from an `init()` phase, or an async IIFE at top level. */
    function isStartup(fn: ts.FunctionLikeDeclaration): boolean {
      const invoked = isCalleeReference(fn);
      if (invoked) return !getEnclosingFunction(invoked);
      const named = nameOwner(fn);
      if (!named || hasExportModifier(named.owner)) return false;
      const references = referencesTo(named.name, named.owner);
      return (
        references.length > 0 &&
        references.every((reference) => {
          if (!isCalleeReference(reference)) return false;
          const caller = getEnclosingFunction(reference);
          return !caller || isInitPhase(caller);
        })
      );
    }

    if (isToolConfigFile(context.filePath) || isWorkerFile(context.sourceFile, context.filePath)) return {};
    return {
      CallExpression(call) {
        const blocking = blockingApi(call);
        if (!blocking || allowed.has(blocking.api)) return;
        const serving = contextOf(call, 0);
        if (!serving) return;
        context.report({
          node: call,
          messageId: "blockingCall",
          data: { api: blocking.api, context: serving.description },
          help: blocking.instead,
        });
      },
      WhileStatement(loop) {
        checkLoop(loop);
      },
      DoStatement(loop) {
        checkLoop(loop);
      },
      ForStatement(loop) {
        checkLoop(loop);
      },
    };

    function checkLoop(loop: ts.WhileStatement | ts.DoStatement | ts.ForStatement): void {
      if (!isBusyWait(loop)) return;
      const serving = contextOf(loop, 0);
      if (!serving) return;
      context.report({
        node: loop,
        messageId: "busyWait",
        data: { context: serving.description },
        help: "Await a timer instead (`await setTimeout(ms)` from `node:timers/promises`), or wait for the event you are polling for.",
      });
    }
  },
});
