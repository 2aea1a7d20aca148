import {
  isSelfDrivenEvent,
  calleeName,
  callbackSite,
  defineTypeScriptRule,
  findDeclaration,
  getInitializer,
  GLOBAL_MODULE,
  isAbsentValue,
  isApi,
  isFunctionNode,
  isStringLike,
  isZeroLiteral,
  lookupOption,
  resolveApi,
  ts,
  unwrapExpression,
  type ApiRef,
  type ProgramView,
  outerExpression,
  isTypeOnlyWrapper,
  isTimerApi,
  hasExportModifier,
  addOptionFix,
  type Fix,
  identifiersNamed,
  exportSpecifiersOf,
} from "../../src/lint/api.js";
import { DEFAULT_FIX_TIMEOUT_MS, DEFAULT_WRAPPERS, fixTimeoutMsOption, timeoutWrappersOption } from "./options.js";

/**
 * Programs that work on local files and local processes and wait on no peer: archivers, file tools,
 * process tools. A deadline on them guards against nothing the rule is about (a peer that never
 * answers). Anything that may reach a network or a daemon (git, curl, ssh, docker, npm, node) is not here.
 */
const LOCAL_PROGRAMS = new Set([
  "tar", "gzip", "gunzip", "zip", "unzip", "bzip2", "xz",
  "rm", "cp", "mv", "mkdir", "rmdir", "ln", "chmod", "chown", "touch", "ls", "cat", "stat", "du", "df", "wc",
  "kill", "pkill", "taskkill", "tasklist", "ps", "which", "where", "whoami", "uname", "hostname", "id",
]); // prettier-ignore

/**
 * What a shell line may put before the program it runs: `sudo` with options that take no value
 * (`-n` non-interactive, `-E` keep the environment, `-H`), then `NAME=value` environment assignments.
 * sudo itself waits on no peer (without `-n` it may ask a terminal for a password, a person, not a peer).
 */
const COMMAND_PREFIX = /^\s*(?:sudo(?:\s+(?:-[nEH]+|--non-interactive|--preserve-env))*\s+)?(?:[A-Za-z_][A-Za-z0-9_]*=\S*\s+)*/;

/** Shell syntax that could run a second program after the one named first. */
const SHELL_CHAINING = /[;&|`\n]|\$\(/;

/**
 * The literal text pieces of a command built from literals: `"tar zcf " + out`, `` `tar zcf ${out}` ``,
 * or a variable initialised with one. `complete` is false when values are spliced in.
 */
function commandText(expression: ts.Expression): { parts: string[]; complete: boolean } | undefined {
  let node = unwrapExpression(expression);
  if (ts.isIdentifier(node)) node = getInitializer(node) ?? node;
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return { parts: [node.text], complete: true };
  if (ts.isTemplateExpression(node))
    return { parts: [node.head.text, ...node.templateSpans.map((span) => span.literal.text)], complete: false };
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const left = commandText(node.left);
    if (!left) return undefined;
    const right = unwrapExpression(node.right);
    const rightParts = ts.isStringLiteral(right) || ts.isNoSubstitutionTemplateLiteral(right) ? [right.text] : [];
    return { parts: [...left.parts, ...rightParts], complete: false };
  }
  return undefined;
}

/** Whether a child_process call runs one of `LOCAL_PROGRAMS`, as the code spells it out. */
function runsLocalProgram(call: ts.CallExpression, execFile: boolean): boolean {
  const first = call.arguments[0];
  if (!first) return false;
  const command = commandText(first);
  if (!command || command.parts.some((part) => SHELL_CHAINING.test(part))) return false;
  // exec: a shell line may run the program through `sudo` (`sudo -n kill -9 …`) or with environment
  // assignments before it (`LANG=C ps …`); the program is the word after them
  const head = execFile ? command.parts[0]! : command.parts[0]!.replace(COMMAND_PREFIX, "");
  // execFile: the whole literal names the program; exec: its first word, which must end inside the literal
  const match = execFile
    ? command.complete
      ? /^(\S+)$/.exec(head)
      : null
    : command.complete
      ? /^\s*(\S+)(?:\s|$)/.exec(head)
      : /^\s*(\S+)\s/.exec(head);
  if (!match) return false;
  const program = match[1]!
    .split(/[\\/]/)
    .pop()!
    .toLowerCase()
    .replace(/\.exe$/, "");
  return LOCAL_PROGRAMS.has(program);
}

const KINDS = ["fetch", "axios", "http", "net", "child_process", "events.once", "pg"] as const;
type Kind = (typeof KINDS)[number];

interface Options {
  timeoutWrappers: string[];
  ignore: Kind[];
  fixTimeoutMs: number;
}

const HELP: Record<Kind, string> = {
  fetch:
    "Pass a signal: `fetch(url, { signal: AbortSignal.timeout(5_000) })`, or `AbortSignal.any([callerSignal, AbortSignal.timeout(5_000)])` to honour a caller's cancellation too.",
  axios:
    "Set `timeout` on the call, or create the client once with `axios.create({ timeout: 5_000 })` (or pass `signal: AbortSignal.timeout(5_000)`).",
  http: "Pass `timeout` (and destroy the request in its `'timeout'` handler) or `signal: AbortSignal.timeout(ms)`, or call `req.setTimeout(ms, () => req.destroy())`.",
  net: "Pass `timeout` in the connect options or call `socket.setTimeout(ms)` and destroy the socket on `'timeout'`; `signal: AbortSignal.timeout(ms)` also works.",
  child_process: "Pass `timeout` (and `killSignal` if SIGTERM is not enough) or `signal: AbortSignal.timeout(ms)` in the options.",
  "events.once": "Pass `{ signal: AbortSignal.timeout(ms) }` (or the caller's signal) as the third argument of `once`.",
  pg: "Set `connectionTimeoutMillis` in the Pool/Client config (it also bounds the wait for a free client when the pool is exhausted), and `statement_timeout`/`query_timeout` for queries.",
};

const AXIOS_CONFIG_INDEX: Record<string, number> = {
  request: 0,
  get: 1,
  delete: 1,
  head: 1,
  options: 1,
  post: 2,
  put: 2,
  patch: 2,
  postForm: 2,
  putForm: 2,
  patchForm: 2,
};

const FETCH_MODULES = ["node-fetch", "cross-fetch", "isomorphic-fetch", "isomorphic-unfetch"];
const URL_NAME = /(url|uri|href|endpoint|link|path|target|address)$/i;
const PROMISE_COMBINATORS = new Set(["all", "allSettled", "any"]);

function text(node: ts.Node): string {
  const source = node.getText();
  return source.length > 40 ? `${source.slice(0, 37)}…` : source;
}

/** What a deadline in an options object looks like: a non-zero timeout-like option or a signal. */
function optionsHaveDeadline(argument: ts.Expression | undefined, timeouts: readonly string[], signals: readonly string[]): boolean {
  for (const name of timeouts) {
    const found = lookupOption(argument, [name]);
    if (found.state === "unknown") return true;
    if (found.state === "set" && !isAbsentValue(found.value) && !isZeroLiteral(found.value)) return true;
  }
  for (const name of signals) {
    const found = lookupOption(argument, [name]);
    if (found.state === "unknown") return true;
    if (found.state === "set" && !isAbsentValue(found.value)) return true;
  }
  return false;
}

type ArgumentShape = "options" | "plain" | "unknown";

/** Is an argument an options object, a plain value (URL, port, command, argv), or something unseen? */
function shapeOf(argument: ts.Expression, depth = 0): ArgumentShape {
  const node = unwrapExpression(argument);
  if (ts.isObjectLiteralExpression(node)) return "options";
  if (
    isStringLike(node) ||
    ts.isTemplateExpression(node) ||
    ts.isNumericLiteral(node) ||
    ts.isArrayLiteralExpression(node) ||
    isFunctionNode(node)
  )
    return "plain";
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) return "plain";
  if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === "URL") return "plain";
  if (ts.isPropertyAccessExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === "env")
    return "plain";
  if (ts.isIdentifier(node) || ts.isPropertyAccessExpression(node)) {
    const init = ts.isIdentifier(node) || node.expression.kind === ts.SyntaxKind.ThisKeyword ? getInitializer(node) : undefined;
    if (init && depth < 4) {
      const shape = shapeOf(init, depth + 1);
      if (shape !== "unknown") return shape;
    }
    const name = ts.isIdentifier(node) ? node.text : node.name.text;
    if (URL_NAME.test(name) || /^(port|host|hostname|cmd|command|file|args|argv)$/i.test(name) || /Args$/.test(name)) return "plain";
  }
  return "unknown";
}

/**
 * The options argument among `args` (from `from` on): the first object-like argument. `unknown` when
 * an argument could be an options object that cannot be seen (a parameter, a call's result).
 */
function findOptions(
  args: readonly ts.Expression[],
  from = 0,
): { state: "found"; options: ts.Expression } | { state: "none" } | { state: "unknown" } {
  for (let index = from; index < args.length; index++) {
    const argument = args[index]!;
    if (ts.isSpreadElement(argument)) return { state: "unknown" };
    const shape = shapeOf(argument);
    if (shape === "options") return { state: "found", options: argument };
    if (shape === "unknown") return { state: "unknown" };
  }
  return { state: "none" };
}

function isPromiseCombinator(call: ts.CallExpression): boolean {
  const ref = resolveApi(call.expression);
  return (
    !!ref && ref.module === GLOBAL_MODULE && ref.path.length === 2 && ref.path[0] === "Promise" && PROMISE_COMBINATORS.has(ref.path[1]!)
  );
}

function isPromiseRace(call: ts.CallExpression): boolean {
  if (!isApi(resolveApi(call.expression), GLOBAL_MODULE, "Promise", "race")) return false;
  const list = call.arguments[0] && unwrapExpression(call.arguments[0]);
  // A race of a single promise has no timer to lose against.
  return !list || !ts.isArrayLiteralExpression(list) || list.elements.length >= 2;
}

/** The variable a call's result is stored in (`const req = http.get(…)`), following `.on(…)` chains. */
function storedIn(node: ts.Node): ts.VariableDeclaration | undefined {
  let current = node;
  for (;;) {
    const parent = current.parent;
    if (!parent) return undefined;
    if (isTypeOnlyWrapper(parent) || ts.isAwaitExpression(parent)) {
      current = parent;
      continue;
    }
    if (ts.isVariableDeclaration(parent) && parent.initializer === current && ts.isIdentifier(parent.name)) return parent;
    return undefined;
  }
}

/** Methods called on a call's result directly: `http.get(…).on("error", …).setTimeout(…)`. */
function chainedMethods(call: ts.Expression): { names: string[]; end: ts.Expression } {
  const names: string[] = [];
  let current: ts.Expression = call;
  for (;;) {
    const parent = current.parent;
    if (
      parent &&
      ts.isPropertyAccessExpression(parent) &&
      parent.expression === current &&
      parent.parent &&
      ts.isCallExpression(parent.parent) &&
      parent.parent.expression === parent
    ) {
      names.push(parent.name.text);
      current = parent.parent;
      continue;
    }
    return { names, end: current };
  }
}

function isTimerCallback(fn: ts.Node): boolean {
  const site = callbackSite(fn);
  if (!site || !ts.isCallExpression(site.call)) return false;
  return isTimerApi(resolveApi(site.call.expression), "setTimeout");
}

interface LaterDeadline {
  /** Methods that set a deadline on the result (`setTimeout`). */
  setters: readonly string[];
  /** Methods that end it when called from a timer callback (`destroy`, `abort`, `kill`). */
  enders: readonly string[];
}

/**
 * True when the result of `call` gets a deadline after creation: a chained or later `setTimeout`,
 * a `destroy()`/`kill()` from a timer, or the value escapes (returned, stored on an object, handed to
 * a callback) so that its deadline is someone else's to set.
 */
function laterDeadline(call: ts.Expression, later: LaterDeadline): boolean {
  const chain = chainedMethods(call);
  if (chain.names.some((name) => later.setters.includes(name))) return true;
  const end = chain.end;
  const declaration = storedIn(end);
  if (!declaration) {
    const current = outerExpression(end, { throughAwait: true });
    const parent = current.parent;
    // `return net.connect(…)`, `this.socket = …`, `resolve(http.get(…))`: the caller decides.
    if (!parent) return false;
    if (ts.isReturnStatement(parent) || (ts.isArrowFunction(parent) && parent.body === current)) return true;
    if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) return true;
    if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.expression !== current) return true;
    if (ts.isPropertyAssignment(parent) || ts.isShorthandPropertyAssignment(parent) || ts.isArrayLiteralExpression(parent)) return true;
    return false;
  }
  const name = (declaration.name as ts.Identifier).text;
  const scope = findScope(declaration);
  let found = false;
  for (const node of identifiersNamed(scope, name)) {
    if (found) break;
    if (node === declaration.name || findDeclaration(node) !== declaration) continue;
    const parent = node.parent;
    if (ts.isPropertyAccessExpression(parent) && parent.expression === node) {
      const method = parent.name.text;
      if (later.setters.includes(method)) found = true;
      else if (
        method === "on" &&
        ts.isCallExpression(parent.parent) &&
        parent.parent.arguments[0] &&
        isStringLike(parent.parent.arguments[0]) &&
        parent.parent.arguments[0].text === "socket"
      )
        found = true;
      else if (later.enders.includes(method) && insideTimer(node, scope)) found = true;
      continue;
    }
    // Handed on: returned, stored, passed to a function other than our own checks.
    if (ts.isReturnStatement(parent) || (ts.isArrowFunction(parent) && parent.body === node)) found = true;
    else if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.expression !== node) found = true;
    else if (ts.isBinaryExpression(parent) && parent.right === node) found = true;
    else if (ts.isPropertyAssignment(parent) || ts.isShorthandPropertyAssignment(parent)) found = true;
  }
  return found;
}

function insideTimer(node: ts.Node, scope: ts.Node): boolean {
  for (let current = node.parent; current && current !== scope; current = current.parent) {
    if (isFunctionNode(current) && isTimerCallback(current)) return true;
  }
  return false;
}

function findScope(declaration: ts.VariableDeclaration): ts.Node {
  for (let current: ts.Node | undefined = declaration.parent; current; current = current.parent) {
    if (isFunctionNode(current) || ts.isSourceFile(current)) return current;
  }
  return declaration.getSourceFile();
}

function isModuleExports(node: ts.Expression): boolean {
  return /^(module\.)?exports\b/.test(node.getText());
}

/**
 * True when an `axios.create(…)` instance leaves the file (exported, returned by a factory, put on
 * `module.exports` or an object): its calls are then out of sight and the creation is what to fix.
 */
function createEscapes(create: ts.CallExpression): boolean {
  const current = outerExpression(create);
  const parent = current.parent;
  if (!parent) return false;
  if (ts.isReturnStatement(parent) || (ts.isArrowFunction(parent) && parent.body === current) || ts.isExportAssignment(parent)) return true;
  if (ts.isPropertyAssignment(parent)) return true;
  if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && parent.right === current)
    return isModuleExports(parent.left);
  if (!ts.isVariableDeclaration(parent) || !ts.isIdentifier(parent.name)) return false;
  if (hasExportModifier(parent.parent?.parent)) return true;
  const declaration = parent;
  const name = parent.name.text;
  const sourceFile = create.getSourceFile();
  // One walk finds both: the name's identifiers, and the file's export specifiers on the way.
  const uses = identifiersNamed(sourceFile, name);
  if (exportSpecifiersOf(sourceFile).some((specifier) => (specifier.propertyName ?? specifier.name).text === name)) return true;
  return uses.some((node) => {
    if (node === declaration.name || findDeclaration(node) !== declaration) return false;
    const use = node.parent;
    return (
      ts.isExportAssignment(use) ||
      ts.isShorthandPropertyAssignment(use) ||
      ts.isPropertyAssignment(use) ||
      ts.isReturnStatement(use) ||
      (ts.isBinaryExpression(use) && use.right === node && isModuleExports(use.left))
    );
  });
}

/** Any file of the run sets axios defaults or a request interceptor that may add a timeout. */
function axiosDefaultsSetSomewhere(program: ProgramView): boolean {
  const setsDefaults = program.facts(
    "missing-timeout:axios-defaults",
    ({ text: source }) => {
      if (/\.defaults\.(timeout|signal)\s*=/.test(source)) return true;
      return /interceptors\.request\.use/.test(source) && /\b(timeout|signal)\b/.test(source);
    },
    /\.defaults\.|interceptors\.request\.use/,
  );
  return [...setsDefaults.values()].some(Boolean);
}

function looksLikeRequest(argument: ts.Expression, checker: ts.TypeChecker | undefined): boolean | "signal" {
  const node = unwrapExpression(argument);
  if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === "Request") {
    return optionsHaveDeadline(node.arguments?.[1], [], ["signal"]) ||
      (node.arguments?.[0] !== undefined && shapeOf(node.arguments[0]) === "unknown")
      ? "signal"
      : true;
  }
  if (ts.isIdentifier(node)) {
    const init = getInitializer(node);
    if (init && init !== node) {
      const inner = unwrapExpression(init);
      if (ts.isNewExpression(inner) && ts.isIdentifier(inner.expression) && inner.expression.text === "Request")
        return looksLikeRequest(inner, checker);
      if (shapeOf(inner) === "plain") return false;
    }
    if (/^req(uest)?$/i.test(node.text) || /Request$/.test(node.text)) return "signal";
  }
  if (ts.isPropertyAccessExpression(node) && /^(req|request)$/i.test(node.name.text)) return "signal";
  if (checker) {
    try {
      const symbol = checker.getTypeAtLocation(node).getSymbol();
      if (symbol?.name === "Request") return "signal";
    } catch {
      return false;
    }
  }
  return false;
}

export default defineTypeScriptRule<Options>({
  instead:
    "Give every external call a deadline, as Tokio's `time::timeout` wraps a future: an `AbortSignal.timeout(ms)` (combined with the caller's signal through `AbortSignal.any`), the library's own `timeout` option, or a wrapper that applies one.",
  needsTypes: false,
  fixable: "code",
  hasSuggestions: true,
  messages: {
    fetch:
      "`{{name}}` has no `signal`, so nothing bounds it: a server that accepts the connection and never answers keeps this request, and everything awaiting it, pending for minutes (Node waits up to 5 minutes for headers, then as long as the body trickles; browsers wait indefinitely).",
    axios:
      "`{{name}}` runs without a `timeout` (axios defaults to 0, no timeout at all): a stalled server keeps this request pending indefinitely — hours, in practice — and the caller never hears about it.",
    http: "`{{name}}` has no `timeout` option, no `signal` and no `setTimeout` on the request: a peer that stops responding keeps the request and its socket open indefinitely.",
    net: "`{{name}}` has no `timeout` and the socket never gets `setTimeout`: connecting to an unreachable host waits for the OS connect timeout (minutes), and an idle peer holds the socket forever.",
    childProcess:
      "`{{name}}` has no `timeout` (or `signal`): a child process that hangs keeps this call, and whatever awaits it, pending forever.",
    once: "`{{name}}(…, {{event}})` has no `signal`: if the event never fires (the emitter closed, errored elsewhere, or was never started), this promise never settles.",
    axiosCreate:
      "`{{name}}(…)` creates a client without a `timeout` (axios defaults to 0, no timeout) and hands it out: every request made through it can hang for hours.",
    pg: "`new {{name}}(…)` has no `connectionTimeoutMillis` (node-postgres defaults to 0, no timeout): `connect()` to an unreachable server, or on a pool whose clients are all checked out, waits forever.",
  },
  options: {
    properties: {
      timeoutWrappers: timeoutWrappersOption,
      ignore: {
        description:
          "API families not to check, for code bases that bound them another way (a proxy with its own timeouts, a global undici dispatcher).",
        type: "array",
        items: { type: "string", enum: [...KINDS] },
        default: [],
      },
      fixTimeoutMs: fixTimeoutMsOption,
    },
    defaults: { timeoutWrappers: DEFAULT_WRAPPERS, ignore: [], fixTimeoutMs: DEFAULT_FIX_TIMEOUT_MS },
  },
  examples: {
    incorrect: [
      `import axios from "axios";\n\nexport async function getRates() {\n  const { data } = await axios.get("https://rates.example.com/latest");\n  return data;\n}`,
      `export async function handler(req: Request): Promise<Response> {\n  const upstream = await fetch("https://inventory.internal/stock");\n  return new Response(upstream.body);\n}`,
      `import { Pool } from "pg";\n\nexport const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });`,
      `import { execFile } from "node:child_process";\nimport { promisify } from "node:util";\n\nconst run = promisify(execFile);\n\nexport async function convert(input: string) {\n  await run("ffmpeg", ["-i", input, "out.mp4"]);\n}`,
      `import { once } from "node:events";\nimport type { ChildProcess } from "node:child_process";\n\nexport async function waitForExit(child: ChildProcess) {\n  const [code] = await once(child, "exit");\n  return code;\n}`,
    ],
    correct: [
      `import axios from "axios";\n\nconst rates = axios.create({ baseURL: "https://rates.example.com", timeout: 5_000 });\n\nexport async function getRates() {\n  const { data } = await rates.get("/latest");\n  return data;\n}`,
      `export async function handler(req: Request): Promise<Response> {\n  const upstream = await fetch("https://inventory.internal/stock", {\n    signal: AbortSignal.any([req.signal, AbortSignal.timeout(3_000)]),\n  });\n  return new Response(upstream.body);\n}`,
      `import { Pool } from "pg";\n\nexport const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10, connectionTimeoutMillis: 5_000 });`,
      `import { execFile } from "node:child_process";\nimport { promisify } from "node:util";\n\nconst run = promisify(execFile);\n\nexport async function convert(input: string) {\n  await run("ffmpeg", ["-i", input, "out.mp4"], { timeout: 120_000 });\n}`,
    ],
  },
  knownLimits: [
    "`--fix` adds a deadline only where the options are an object literal it can extend or are missing at the end of the call: `signal: AbortSignal.timeout(fixTimeoutMs)` for the platform's `fetch` and `events.once`, `timeout: fixTimeoutMs` for axios requests and `axios.create`, child_process `exec`/`execFile`, and `signal: AbortSignal.timeout(fixTimeoutMs)` for `http`/`https` `request`/`get` (the request is destroyed with an AbortError on its 'error' listener). Options in a variable, a spread, node-fetch (its own AbortSignal type; a suggestion is offered), `net` sockets (a signal would also end a healthy long-lived connection) and pg configs are left to you.",
    "A deadline that lives elsewhere is not seen: an undici global dispatcher with `headersTimeout`, a service mesh, an axios instance or default configured in a file outside the run. `axios.defaults.timeout = …` or a request interceptor mentioning `timeout`/`signal` in any linted file silences axios reports.",
    "An axios instance is judged at its calls while it stays in its file, and once at `axios.create(…)` when it is exported, returned or put on an object; calls on an instance imported from another file are not checked.",
    "Options that cannot be seen (a parameter, a spread, a call's result) are assumed to carry a deadline, so wrappers that forward their caller's options are not reported.",
    "`fetch(request)` with a Request object is not reported (the request may carry a signal); a `new Request(url)` in the same file without a signal is.",
    "`http.request`'s `timeout` only emits `'timeout'`; the rule does not check that the handler destroys the request.",
    "`once(server, \"listening\")` is not reported: `listen` either emits it or an `'error'`, which rejects the promise.",
    "An event this function drives itself is not reported: `'drain'` after a `write()` on the same stream, `'close'` after its `close()`/`destroy()`, `'finish'` after its `end()`, and `'open'`/`'ready'` of a file stream created here (the receiver is matched by name, in the same function, before the `once`). A server's `'close'` after `close()` still waits for open keep-alive connections to end.",
    "`once(worker, \"exit\")` is reported even when the worker is being terminated by a helper in another function (piscina's `destroy()` waits for the exits of workers that `_removeWorker` terminates): a terminated worker always emits 'exit', but the termination is not followed across calls.",
    'A child process that runs a local file or process tool named in the code (`exec("tar zcf " + out)`, `execFile("taskkill", …)`: archivers, `rm`/`cp`/`mv`-like file tools, `kill`/`ps`/`taskkill`; in an `exec` line also through `sudo` and its value-less options or after `NAME=value` assignments: `exec(\`sudo -n kill -9 ${pid}\`)`) is not reported: it waits on no peer. A command chained with `;`, `&&`, `|` or `$(…)`, and any program that may reach a network or daemon (git, curl, docker, npm, node), still is.',
    "A deadline applied by a function called with the result stored in a variable is seen only for the configured `timeoutWrappers`, `p-timeout` and `Promise.race`.",
  ],
  create(context) {
    const wrappers = new Set(context.options.timeoutWrappers ?? DEFAULT_WRAPPERS);
    const ignored = new Set<string>(context.options.ignore ?? []);
    const timeoutMs = String(context.options.fixTimeoutMs ?? DEFAULT_FIX_TIMEOUT_MS);
    const signal = `AbortSignal.timeout(${timeoutMs})`;

    function isWrapperCall(call: ts.CallExpression | ts.NewExpression): boolean {
      if (!ts.isCallExpression(call)) return false;
      const name = calleeName(call);
      if (name && wrappers.has(name)) return true;
      const ref = resolveApi(call.expression);
      if (ref && ref.module === "p-timeout") return true;
      return isPromiseRace(call);
    }

    /**
     * Is the promise made by `call` handed to a wrapper that applies a deadline? Follows `await`,
     * `.then` chains, `Promise.all` lists, variables, and functions returning it (a callback given to
     * the wrapper or to `.map`, or a helper of this file whose call is wrapped somewhere).
     */
    function wrapped(call: ts.Expression, depth = 0): boolean {
      if (depth > 3) return false;
      let current: ts.Node = call;
      for (let steps = 0; steps < 50; steps++) {
        const parent = current.parent;
        if (!parent) return false;
        if (
          isTypeOnlyWrapper(parent) ||
          ts.isAwaitExpression(parent) ||
          ts.isArrayLiteralExpression(parent) ||
          ts.isSpreadElement(parent) ||
          ts.isConditionalExpression(parent)
        ) {
          current = parent;
          continue;
        }
        // fetch(url).then(r => r.json()) is still the fetch's promise.
        if (
          ts.isPropertyAccessExpression(parent) &&
          parent.expression === current &&
          parent.parent &&
          ts.isCallExpression(parent.parent) &&
          ["then", "catch", "finally"].includes(parent.name.text)
        ) {
          current = parent.parent;
          continue;
        }
        if (ts.isCallExpression(parent) && parent.expression !== current) {
          if (isWrapperCall(parent)) return true;
          if (isPromiseCombinator(parent)) {
            current = parent;
            continue;
          }
          return false;
        }
        if (ts.isArrowFunction(parent) && parent.body === current) return functionResultWrapped(parent, depth);
        if (ts.isReturnStatement(parent)) {
          const fn = ts.findAncestor(parent, isFunctionNode);
          return !!fn && functionResultWrapped(fn, depth);
        }
        if (ts.isVariableDeclaration(parent) && parent.initializer === current && ts.isIdentifier(parent.name))
          return variableWrapped(parent, depth);
        return false;
      }
      return false;
    }

    function functionResultWrapped(fn: ts.Node, depth: number): boolean {
      const site = callbackSite(fn);
      if (site) {
        if (isWrapperCall(site.call)) return true;
        const callee = unwrapExpression(site.call.expression);
        return (
          ts.isCallExpression(site.call) &&
          ts.isPropertyAccessExpression(callee) &&
          callee.name.text === "map" &&
          wrapped(site.call, depth + 1)
        );
      }
      // A helper of this file: function get() { return fetch(…) } … withTimeout(get(), 1000)
      let declaration: ts.Node | undefined;
      if (ts.isFunctionDeclaration(fn) && fn.name) declaration = fn;
      else if (fn.parent && ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name)) declaration = fn.parent;
      if (!declaration) return false;
      const name = ts.isFunctionDeclaration(declaration)
        ? declaration.name!.text
        : ((declaration as ts.VariableDeclaration).name as ts.Identifier).text;
      return identifiersNamed(context.sourceFile, name).some((node) => {
        const parent = node.parent;
        if (!parent || !ts.isCallExpression(parent)) return false;
        if (parent.expression === node && findDeclaration(node) === declaration && wrapped(parent, depth + 1)) return true;
        // withTimeout(load, 1000): the function itself handed to a wrapper.
        return parent.arguments.includes(node) && isWrapperCall(parent) && findDeclaration(node) === declaration;
      });
    }

    function variableWrapped(declaration: ts.VariableDeclaration, depth: number): boolean {
      const name = (declaration.name as ts.Identifier).text;
      return identifiersNamed(findScope(declaration), name).some(
        (node) => node !== declaration.name && findDeclaration(node) === declaration && wrapped(node, depth + 1),
      );
    }

    function report(node: ts.Node, kind: Kind, messageId: string, data: Record<string, string>, fix?: Fix, suggestion?: Fix): void {
      context.report({
        node,
        messageId,
        data,
        help: HELP[kind],
        fix,
        suggest: suggestion && [{ desc: `Add a deadline: ${suggestion.text.replace(/^, /, "").trim()}`, fix: suggestion }],
      });
    }

    function checkFetch(call: ts.CallExpression, ref: ApiRef): void {
      const nodeFetch = FETCH_MODULES.includes(ref.module);
      const args = call.arguments;
      if (args.length === 0 || ts.isSpreadElement(args[0]!)) return;
      if (args.length === 1) {
        const request = looksLikeRequest(args[0]!, context.getTypeChecker());
        if (request === "signal") return;
      }
      if (optionsHaveDeadline(args[1], nodeFetch ? ["timeout"] : [], ["signal"])) return;
      if (wrapped(call)) return;
      const edit = args.length <= 2 ? addOptionFix(call, 1, "signal", signal) : undefined;
      // node-fetch and friends declare their own AbortSignal type; only the platform's fetch is fixed.
      report(call, "fetch", "fetch", { name: text(call.expression) }, nodeFetch ? undefined : edit, nodeFetch ? edit : undefined);
    }

    /** The axios config argument of a call, or "unknown" when it cannot be placed. */
    function axiosConfig(call: ts.CallExpression, method: string | undefined): ts.Expression | undefined | "unknown" {
      const args = call.arguments;
      if (args.some((argument) => ts.isSpreadElement(argument))) return "unknown";
      if (method === undefined) {
        // axios(config) / axios(url, config)
        if (args.length === 0) return undefined;
        const first = shapeOf(args[0]!);
        if (first === "options") return args[0];
        if (first === "unknown" && args.length === 1) return "unknown";
        return args[1];
      }
      return args[AXIOS_CONFIG_INDEX[method]!];
    }

    /** An `axios.create(…)` instance has no timeout: none in its config, its defaults or interceptors. */
    function instanceLacksTimeout(create: ts.CallExpression, name: string | undefined): boolean {
      if (create.arguments.some((argument) => ts.isSpreadElement(argument))) return false;
      if (optionsHaveDeadline(create.arguments[0], ["timeout"], ["signal"])) return false;
      // axios.create merges the global defaults, so a global timeout set anywhere is inherited.
      if (axiosDefaultsSetSomewhere(context.program)) return false;
      if (name) {
        const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        const source = context.sourceFile.text;
        if (new RegExp(`${escaped}\\.defaults\\.(timeout|signal)\\s*=`).test(source)) return false;
        if (new RegExp(`${escaped}\\.interceptors\\.request`).test(source)) return false;
      }
      return true;
    }

    function checkAxiosCreate(create: ts.CallExpression): void {
      if (!createEscapes(create)) return;
      const storage = storedIn(create);
      if (!instanceLacksTimeout(create, storage ? (storage.name as ts.Identifier).text : undefined)) return;
      report(create, "axios", "axiosCreate", { name: text(create.expression) }, addOptionFix(create, 0, "timeout", timeoutMs));
    }

    function checkAxios(call: ts.CallExpression): void {
      const callee = unwrapExpression(call.expression);
      const ref = resolveApi(callee);
      let method: string | undefined;
      let isAxios = false;
      if (ref && ref.module === "axios") {
        const path = ref.path[0] === "default" ? ref.path.slice(1) : ref.path;
        if (path.length === 0) isAxios = true;
        else if (path.length === 1 && path[0]! in AXIOS_CONFIG_INDEX) {
          isAxios = true;
          method = path[0];
        }
        if (isAxios && axiosDefaultsSetSomewhere(context.program)) return;
      } else {
        // An instance: api.get(…) / api(…) where api = axios.create(…).
        let target: ts.Expression = callee;
        if (ts.isPropertyAccessExpression(callee) && callee.name.text in AXIOS_CONFIG_INDEX) {
          method = callee.name.text;
          target = callee.expression;
        } else if (
          !ts.isIdentifier(callee) &&
          !(ts.isPropertyAccessExpression(callee) && callee.expression.kind === ts.SyntaxKind.ThisKeyword)
        ) {
          return;
        }
        const init = getInitializer(target);
        if (!init || !ts.isCallExpression(init) || !isApi(resolveApi(init.expression), "axios", "create")) return;
        // An instance that leaves the file is reported once, where it is created.
        if (!instanceLacksTimeout(init, target.getText()) || createEscapes(init)) return;
        isAxios = true;
      }
      if (!isAxios) return;
      const config = axiosConfig(call, method);
      if (config === "unknown") return;
      if (optionsHaveDeadline(config, ["timeout"], ["signal", "cancelToken"])) return;
      if (wrapped(call)) return;
      const configIndex =
        config !== undefined
          ? call.arguments.indexOf(config)
          : method !== undefined
            ? AXIOS_CONFIG_INDEX[method]!
            : call.arguments.length === 1
              ? 1
              : -1;
      const edit = configIndex >= 0 ? addOptionFix(call, configIndex, "timeout", timeoutMs) : undefined;
      report(call, "axios", "axios", { name: text(call.expression) }, edit);
    }

    function checkHttp(call: ts.CallExpression, name: string): void {
      const options = findOptions(call.arguments);
      if (options.state === "unknown") return;
      if (options.state === "found") {
        if (optionsHaveDeadline(options.options, ["timeout"], ["signal"])) return;
        if (agentHasTimeout(options.options)) return;
      }
      if (laterDeadline(call, { setters: ["setTimeout"], enders: ["destroy", "abort"] })) return;
      if (wrapped(call)) return;
      report(call, "http", "http", { name }, httpFix(call, options.state === "found" ? options.options : undefined));
    }

    /**
     * `signal: AbortSignal.timeout(ms)` (Node's `RequestOptions.signal`: the request is destroyed with an
     * AbortError, which reaches its 'error' listener) merged into the options literal, or added as the
     * options of `get(url)` / `request(url)` and before the callback of `get(url, callback)`.
     */
    function httpFix(call: ts.CallExpression, options: ts.Expression | undefined): Fix | undefined {
      const args = call.arguments;
      if (options) return addOptionFix(call, args.indexOf(options), "signal", signal);
      if (args.length === 1) return addOptionFix(call, 1, "signal", signal);
      const callback = args[1];
      if (args.length === 2 && callback && (ts.isArrowFunction(callback) || ts.isFunctionExpression(callback))) {
        const at = callback.getStart(context.sourceFile);
        return { range: [at, at], text: `{ signal: ${signal} }, ` };
      }
      return undefined;
    }

    /** `agent: new https.Agent({ timeout })` sets a socket timeout; an agent made elsewhere may. */
    function agentHasTimeout(options: ts.Expression): boolean {
      const agent = lookupOption(options, ["agent"]);
      if (agent.state !== "set" || !agent.value || agent.value.kind === ts.SyntaxKind.FalseKeyword) return false;
      const value = unwrapExpression(agent.value);
      const made = ts.isIdentifier(value) ? getInitializer(value) : value;
      if (!made || !ts.isNewExpression(made)) return true;
      return optionsHaveDeadline(made.arguments?.[0], ["timeout"], []);
    }

    function checkNet(call: ts.CallExpression, name: string): void {
      const options = findOptions(call.arguments);
      if (options.state === "unknown") return;
      if (options.state === "found" && optionsHaveDeadline(options.options, ["timeout"], ["signal"])) return;
      if (laterDeadline(call, { setters: ["setTimeout"], enders: ["destroy", "end", "resetAndDestroy"] })) return;
      if (wrapped(call)) return;
      report(call, "net", "net", { name });
    }

    function checkChildProcess(call: ts.CallExpression, name: string, promisified: boolean): void {
      const options = findOptions(call.arguments, 1);
      if (options.state === "unknown") return;
      if (options.state === "found" && optionsHaveDeadline(options.options, ["timeout"], ["signal"])) return;
      // A ChildProcess handed on can still be killed by its new owner; a promise cannot.
      if (!promisified && laterDeadline(call, { setters: [], enders: ["kill"] })) return;
      if (wrapped(call)) return;
      if (runsLocalProgram(call, name.endsWith("execFile"))) return;
      report(
        call,
        "child_process",
        "childProcess",
        { name },
        childProcessFix(call, options.state === "found" ? options.options : undefined),
      );
    }

    /**
     * `timeout` merged into the options literal, or added as the options of `exec(command)`,
     * `execFile(file)` and `execFile(file, [args])` (nothing after them: a callback comes after the options).
     */
    function childProcessFix(call: ts.CallExpression, options: ts.Expression | undefined): Fix | undefined {
      const args = call.arguments;
      if (options) return addOptionFix(call, args.indexOf(options), "timeout", timeoutMs);
      const withArgv = args.length === 2 && ts.isArrayLiteralExpression(args[1]!);
      return args.length === 1 || withArgv ? addOptionFix(call, args.length, "timeout", timeoutMs) : undefined;
    }

    function checkOnce(call: ts.CallExpression, name: string): void {
      const args = call.arguments;
      if (args.length < 2 || args.some((argument) => ts.isSpreadElement(argument))) return;
      const event = args[1]!;
      if (isStringLike(event) && event.text === "listening") return;
      if (isSelfDrivenEvent(call, args[0]!, event)) return;
      if (optionsHaveDeadline(args[2], [], ["signal"])) return;
      if (wrapped(call)) return;
      const edit = args.length <= 3 ? addOptionFix(call, 2, "signal", signal) : undefined;
      report(call, "events.once", "once", { name, event: isStringLike(event) ? JSON.stringify(event.text) : text(event) }, edit);
    }

    return {
      CallExpression(call) {
        const ref = resolveApi(call.expression);
        if (ref) {
          if (
            !ignored.has("fetch") &&
            (isApi(ref, GLOBAL_MODULE, "fetch") || isApi(ref, "undici", "fetch") || FETCH_MODULES.some((module) => isApi(ref, module)))
          ) {
            checkFetch(call, ref);
            return;
          }
          const path = ref.path[0] === "default" ? ref.path.slice(1) : ref.path;
          const last = path[path.length - 1];
          if (
            !ignored.has("http") &&
            (ref.module === "http" || ref.module === "https") &&
            path.length === 1 &&
            (last === "request" || last === "get")
          ) {
            checkHttp(call, `${ref.module}.${last}`);
            return;
          }
          if (
            !ignored.has("net") &&
            ((ref.module === "net" && path.length === 1 && (last === "connect" || last === "createConnection")) ||
              (ref.module === "tls" && path.length === 1 && last === "connect"))
          ) {
            checkNet(call, `${ref.module}.${last}`);
            return;
          }
          if (
            !ignored.has("child_process") &&
            ref.module === "child_process" &&
            path.length === 1 &&
            (last === "exec" || last === "execFile")
          ) {
            checkChildProcess(call, text(call.expression), !!ref.promisified);
            return;
          }
          if (!ignored.has("events.once") && (isApi(ref, "events", "once") || isApi(ref, "events", "EventEmitter", "once"))) {
            checkOnce(call, text(call.expression));
            return;
          }
        }
        if (ignored.has("axios")) return;
        if (isApi(ref, "axios", "create")) checkAxiosCreate(call);
        else checkAxios(call);
      },
      NewExpression(node) {
        if (ignored.has("pg")) return;
        const ref = resolveApi(node.expression);
        const isPg =
          isApi(ref, "pg", "Pool") ||
          isApi(ref, "pg", "Client") ||
          isApi(ref, "pg", "native", "Pool") ||
          isApi(ref, "pg", "native", "Client") ||
          isApi(ref, "pg-pool");
        if (!isPg) return;
        const config = node.arguments?.[0];
        if (config && ts.isSpreadElement(config)) return;
        if (config && shapeOf(config) === "plain") {
          // A connection string: node-postgres takes no connect timeout from it.
        } else if (optionsHaveDeadline(config, ["connectionTimeoutMillis"], [])) {
          return;
        }
        const name = ref!.path[ref!.path.length - 1] === "default" || ref!.path.length === 0 ? "Pool" : ref!.path[ref!.path.length - 1]!;
        report(node, "pg", "pg", { name });
      },
    };
  },
});
