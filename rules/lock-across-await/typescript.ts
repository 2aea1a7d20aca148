import {
  analyseHolding,
  defineTypeScriptRule,
  findDeclaration,
  findDescendant,
  GLOBAL_MODULE,
  hasDottedName,
  isApi,
  isFunctionNode,
  matchAcquisition,
  memberName,
  resolveApi,
  resolveCreation,
  resourceFamilies,
  resourceSpecSchema,
  ts,
  unwrapExpression,
  walk,
  type Acquisition,
  type ApiRef,
  type ProgramView,
  type ResourceKind,
  type ResourceSpec,
  isTimerApi,
  isPromiseTimer,
  snippet,
} from "../../src/lint/api.js";
import { reportUnknownAwaitsOption } from "./options.js";

interface Options {
  reportUnknownAwaits: boolean;
  resources: ResourceSpec[];
}

type Category = "http" | "database" | "redis" | "timer" | "event" | "process" | "dns";

const OPERATION: Record<Category, string> = {
  http: "an HTTP request",
  database: "a database query",
  redis: "a Redis command",
  timer: "a timer",
  event: "an event",
  process: "a child process",
  dns: "a DNS lookup",
};

function operationText(category: Category, held: ResourceKind): string {
  return category === "database" && held === "connection" ? "a query on another client" : OPERATION[category];
}

/**
 * What each kind of held resource costs while it waits, and which waits count. File handles and
 * generic resources are not watched; a semaphore permit limits slow work on purpose, so only
 * sleeping while holding one counts.
 */
const WATCHED: Partial<Record<ResourceKind, { categories: readonly Category[]; cost: string; unknownAwaits: boolean }>> = {
  lock: {
    categories: ["http", "database", "redis", "timer", "event", "process", "dns"],
    cost: "every other caller of the lock queues behind I/O the lock does not guard",
    unknownAwaits: true,
  },
  connection: {
    categories: ["http", "database", "redis", "timer", "event", "process", "dns"],
    cost: "the connection (and any open transaction) sits idle while other requests wait for the pool",
    unknownAwaits: true,
  },
  semaphore: { categories: ["timer"], cost: "the permit sits idle while it sleeps, throttling everyone else", unknownAwaits: false },
};

const HTTP_MODULES = ["axios", "got", "ky", "node-fetch", "undici", "superagent", "cross-fetch", "ofetch", "isomorphic-fetch"];
const DATABASE_CREATORS: readonly [string[], string[]][] = [
  [["pg"], ["Pool"]],
  [["pg"], ["Client"]],
  [["pg-pool"], []],
  [["pg-pool"], ["default"]],
  [["postgres"], []],
  [["postgres"], ["default"]],
  [["mysql2", "mysql2/promise", "mysql"], ["createPool"]],
  [["mysql2", "mysql2/promise", "mysql"], ["createConnection"]],
  [["@prisma/client"], ["PrismaClient"]],
  [["knex"], []],
  [["knex"], ["default"]],
  [["knex"], ["knex"]],
  [["mongodb"], ["MongoClient"]],
  [["@neondatabase/serverless"], ["Pool"]],
];
const REDIS_CREATORS: readonly [string[], string[]][] = [
  [["ioredis"], []],
  [["ioredis"], ["default"]],
  [["ioredis"], ["Redis"]],
  [["ioredis"], ["Cluster"]],
  [["redis", "@redis/client"], ["createClient"]],
  [["redis", "@redis/client"], ["createCluster"]],
];

interface Operation {
  category: Category;
  /** The awaited call, as written (shortened). */
  text: string;
}

type Verdict = Operation | "own" | "unknown";

function creatorCategory(ref: ApiRef): Category | undefined {
  if (HTTP_MODULES.includes(ref.module)) return "http";
  if (DATABASE_CREATORS.some(([modules, path]) => isApi(ref, modules, ...path))) return "database";
  if (REDIS_CREATORS.some(([modules, path]) => isApi(ref, modules, ...path))) return "redis";
  return undefined;
}

/** A direct call of a known slow API: `fetch(…)`, `setTimeout(ms)` of timers/promises, `once(…)`, promisified `exec`. */
function apiCategory(ref: ApiRef | undefined): Category | undefined {
  if (!ref) return undefined;
  if (isApi(ref, GLOBAL_MODULE, "fetch")) return "http";
  if (HTTP_MODULES.includes(ref.module)) return "http";
  if (isPromiseTimer(ref)) return "timer";
  if (ref.promisified && isTimerApi(ref, "setTimeout")) return "timer";
  if (ref.module === "delay" || ref.module === "timers-ext/promise/sleep") return "timer";
  if (isApi(ref, ["timers/promises"], "setInterval")) return "timer";
  if (["once", "on"].some((name) => isApi(ref, "events", name) || isApi(ref, "events", "EventEmitter", name))) return "event";
  if (ref.module === "child_process" && ref.promisified) return "process";
  if (ref.module === "execa" || ref.module === "zx") return "process";
  if (ref.module === "dns/promises" || (ref.module === "dns" && ref.path[0] === "promises")) return "dns";
  return undefined;
}

function isSetTimeout(call: ts.CallExpression): boolean {
  return isTimerApi(resolveApi(call.expression), "setTimeout");
}

/** `new Promise((resolve) => setTimeout(resolve, ms))` and friends. */
function executorCategory(promise: ts.NewExpression): Category | undefined {
  if (!isApi(resolveApi(promise.expression), GLOBAL_MODULE, "Promise")) return undefined;
  const executor = promise.arguments?.[0] && unwrapExpression(promise.arguments[0]);
  if (!executor || !isFunctionNode(executor)) return undefined;
  const resolveParameter = executor.parameters[0]?.name;
  const resolveName = resolveParameter && ts.isIdentifier(resolveParameter) ? resolveParameter.text : undefined;
  let category: Category | undefined;
  walk(executor, (node) => {
    if (category) return false;
    if (!ts.isCallExpression(node)) return true;
    if (isSetTimeout(node) && resolveName) {
      const callback = node.arguments[0] && unwrapExpression(node.arguments[0]);
      const resolves =
        !!callback &&
        ((ts.isIdentifier(callback) && callback.text === resolveName) ||
          (isFunctionNode(callback) &&
            !!findDescendant(
              callback,
              (inner): inner is ts.CallExpression => ts.isCallExpression(inner) && hasDottedName(inner.expression, resolveName),
            )));
      if (resolves) category = "timer";
      return true;
    }
    const ref = resolveApi(node.expression);
    if (isApi(ref, ["http", "https"], "request") || isApi(ref, ["http", "https"], "get") || isApi(ref, GLOBAL_MODULE, "fetch"))
      category = "http";
    else if (ref?.module === "child_process") category = "process";
    return true;
  });
  return category;
}

/** A local `sleep`: a function whose body is (or returns) a timer promise. */
function isSleepHelper(fn: ts.FunctionLikeDeclaration): boolean {
  const body = fn.body;
  if (!body) return false;
  let result: ts.Expression | undefined;
  if (!ts.isBlock(body)) result = body as ts.Expression;
  else if (body.statements.length === 1) {
    const only = body.statements[0]!;
    if (ts.isReturnStatement(only) && only.expression) result = only.expression;
    if (ts.isExpressionStatement(only) && ts.isAwaitExpression(only.expression)) result = only.expression.expression;
  }
  if (!result) return false;
  const node = unwrapExpression(result);
  const inner = ts.isAwaitExpression(node) ? unwrapExpression(node.expression) : node;
  if (ts.isNewExpression(inner)) return executorCategory(inner) === "timer";
  if (ts.isCallExpression(inner)) return apiCategory(resolveApi(inner.expression)) === "timer";
  return false;
}

function localFunction(callee: ts.Expression): ts.FunctionLikeDeclaration | undefined {
  if (!ts.isIdentifier(callee)) return undefined;
  const declaration = findDeclaration(callee);
  if (declaration && ts.isFunctionDeclaration(declaration)) return declaration;
  if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer) {
    const init = unwrapExpression(declaration.initializer);
    if (isFunctionNode(init)) return init;
  }
  return undefined;
}

/** `a.b(…).c` → `a`; `this.pool.query` → `this.pool`. */
function chainRoot(expression: ts.Expression): ts.Expression {
  let node = unwrapExpression(expression);
  for (;;) {
    if (ts.isPropertyAccessExpression(node) && node.expression.kind === ts.SyntaxKind.ThisKeyword) return node;
    if (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node) || ts.isCallExpression(node)) {
      node = unwrapExpression(node.expression);
    } else {
      return node;
    }
  }
}

class Classifier {
  constructor(
    private readonly acquisition: Acquisition,
    private readonly program: ProgramView,
  ) {}

  private isHeld(expression: ts.Expression): boolean {
    const node = unwrapExpression(expression);
    const binding = this.acquisition.binding;
    if (
      binding &&
      ts.isIdentifier(node) &&
      ts.isIdentifier(binding.name) &&
      node.text === binding.name.text &&
      findDeclaration(node) === binding
    )
      return true;
    // A pool is not its checked-out client: `pool.query()` while holding `client` needs a second connection.
    if (this.acquisition.kind === "connection" && this.acquisition.style === "handle") return false;
    return this.acquisition.ownerText !== undefined && hasDottedName(node, this.acquisition.ownerText);
  }

  classify(operand: ts.Expression, depth = 0): Verdict {
    if (depth > 4) return "unknown";
    let node = unwrapExpression(operand);
    if (ts.isAwaitExpression(node)) node = unwrapExpression(node.expression);
    if (ts.isIdentifier(node)) {
      if (this.isHeld(node)) return "own";
      const declaration = findDeclaration(node);
      const list = declaration?.parent;
      if (
        declaration &&
        ts.isVariableDeclaration(declaration) &&
        declaration.initializer &&
        list &&
        ts.isVariableDeclarationList(list) &&
        list.flags & ts.NodeFlags.Const
      ) {
        return this.classify(declaration.initializer, depth + 1);
      }
      return "unknown";
    }
    if (ts.isNewExpression(node)) {
      const category = executorCategory(node);
      return category ? { category, text: snippet(node.getText()) } : "unknown";
    }
    if (ts.isTaggedTemplateExpression(node)) {
      if (this.isHeld(chainRoot(node.tag))) return "own";
      const category = apiCategory(resolveApi(node.tag)) ?? this.instanceCategory(node.tag);
      return category ? { category, text: snippet(node.getText()) } : "unknown";
    }
    if (!ts.isCallExpression(node)) return "unknown";
    const callee = unwrapExpression(node.expression);
    // Work on the held client itself, or a helper given the held client, is the point of holding it.
    if (this.isHeld(chainRoot(callee)) || node.arguments.some((argument) => this.isHeld(argument))) return "own";
    const ref = resolveApi(callee);
    if (ref?.module === GLOBAL_MODULE && ref.path[0] === "Promise" && ref.path.length === 2) return this.combinator(node, depth);
    const method = memberName(callee);
    if (
      method &&
      ["then", "catch", "finally"].includes(method) &&
      (ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee))
    ) {
      return this.classify(callee.expression, depth + 1);
    }
    if (
      method &&
      (ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee)) &&
      ts.isCallExpression(unwrapExpression(callee.expression))
    ) {
      // `got(url).json()`, `fetch(url).then(…)`: the call the chain starts from decides.
      const inner = this.classify(callee.expression, depth + 1);
      if (inner !== "unknown") return inner;
    }
    const category = apiCategory(ref) ?? this.instanceCategory(callee);
    if (category) return { category, text: snippet(node.getText()) };
    const helper = localFunction(callee);
    if (helper && isSleepHelper(helper)) return { category: "timer", text: snippet(node.getText()) };
    return "unknown";
  }

  /** A method of a client created from a known library: `axios.create()`, `new Redis()`, another pg pool or client. */
  private instanceCategory(callee: ts.Expression): Category | undefined {
    const created = resolveCreation(chainRoot(callee), this.program);
    return created ? creatorCategory(created.ref) : undefined;
  }

  /** `Promise.all([fetch(a), sleep(1)])`, `Promise.all(urls.map((url) => fetch(url)))`: the first slow member. */
  private combinator(call: ts.CallExpression, depth: number): Verdict {
    const argument = call.arguments[0] && unwrapExpression(call.arguments[0]);
    if (!argument) return "unknown";
    const members: ts.Expression[] = [];
    if (ts.isArrayLiteralExpression(argument)) members.push(...argument.elements.filter((element) => !ts.isSpreadElement(element)));
    if (ts.isCallExpression(argument) && memberName(unwrapExpression(argument.expression)) === "map") {
      const mapper = argument.arguments[0] && unwrapExpression(argument.arguments[0]);
      if (mapper && isFunctionNode(mapper) && mapper.body && !ts.isBlock(mapper.body)) members.push(mapper.body as ts.Expression);
    }
    let own = false;
    for (const member of members) {
      const verdict = this.classify(member, depth + 1);
      if (typeof verdict === "object") return verdict;
      if (verdict === "own") own = true;
    }
    return own ? "own" : "unknown";
  }
}

export default defineTypeScriptRule<Options>({
  instead:
    "Do the slow work before taking the lock (or after releasing it) and hold it only to read or publish shared state; for single-flight work, share the in-flight promise instead of holding a lock; release the pooled client before calling out and check out another one afterwards. As in Tokio, never hold a guard across an `.await` it does not need.",
  needsTypes: false,
  messages: {
    heldAcrossAwait: "The {{noun}} `{{lock}}` is held while awaiting {{operation}} (`{{call}}`): {{cost}}.",
    heldAcrossUnknownAwait: "The {{noun}} `{{lock}}` is held while awaiting `{{call}}`, which may be slow I/O: {{cost}}.",
  },
  options: {
    properties: {
      reportUnknownAwaits: reportUnknownAwaitsOption,
      resources: {
        description:
          'Your own locks and pools, e.g. `{ "module": "redlock", "export": "default", "acquire": "acquire", "release": "release" }` (kind defaults to `lock`; use `connection` for pools). Built in: async-mutex `Mutex`/`Semaphore` (also `withTimeout`/`tryAcquire`) and pg `Pool#connect`.',
        type: "array",
        items: resourceSpecSchema,
        default: [],
      },
    },
    defaults: { reportUnknownAwaits: false, resources: [] },
  },
  examples: {
    incorrect: [
      `import { Mutex } from "async-mutex";\n\nconst cacheLock = new Mutex();\nconst cache = new Map<string, unknown>();\n\nexport function getProfile(id: string) {\n  return cacheLock.runExclusive(async () => {\n    if (!cache.has(id)) {\n      const response = await fetch(\`https://profiles.internal/\${id}\`, { signal: AbortSignal.timeout(2000) });\n      cache.set(id, await response.json());\n    }\n    return cache.get(id);\n  });\n}`,
      `import { Pool } from "pg";\nimport { setTimeout as sleep } from "node:timers/promises";\n\nconst pool = new Pool();\n\nexport async function claimJob() {\n  const client = await pool.connect();\n  try {\n    for (let attempt = 0; attempt < 5; attempt++) {\n      const { rows } = await client.query("SELECT id FROM jobs WHERE owner IS NULL LIMIT 1 FOR UPDATE SKIP LOCKED");\n      if (rows.length > 0) return rows[0].id;\n      await sleep(1000);\n    }\n    return undefined;\n  } finally {\n    client.release();\n  }\n}`,
    ],
    correct: [
      `import { Mutex } from "async-mutex";\n\nconst cacheLock = new Mutex();\nconst cache = new Map<string, unknown>();\n\nexport async function getProfile(id: string) {\n  const cached = await cacheLock.runExclusive(() => cache.get(id));\n  if (cached !== undefined) return cached;\n  const response = await fetch(\`https://profiles.internal/\${id}\`, { signal: AbortSignal.timeout(2000) });\n  const profile = await response.json();\n  await cacheLock.runExclusive(() => cache.set(id, profile));\n  return profile;\n}`,
      `import { Pool } from "pg";\n\nconst pool = new Pool({ connectionTimeoutMillis: 5_000 });\n\nexport async function transfer(from: string, to: string, amount: number) {\n  const client = await pool.connect();\n  try {\n    await client.query("BEGIN");\n    await client.query("UPDATE accounts SET balance = balance - $1 WHERE id = $2", [amount, from]);\n    await client.query("UPDATE accounts SET balance = balance + $1 WHERE id = $2", [amount, to]);\n    await client.query("COMMIT");\n  } catch (error) {\n    await client.query("ROLLBACK");\n    throw error;\n  } finally {\n    client.release();\n  }\n}`,
    ],
  },
  knownLimits: [
    "Deliberate single-flight sections (one token refresh at a time under a mutex) are reported; share the in-flight promise instead, or suppress with a reason.",
    "Only awaits the rule can classify are reported: fetch and HTTP client libraries, pg/mysql/Prisma/knex/MongoDB clients other than the held one, Redis clients, timers/promises and `new Promise(r => setTimeout(r, ms))` sleeps (also a local sleep helper), `events.once`, promisified child_process, execa and zx. Your own async helpers are not followed unless `reportUnknownAwaits` is on.",
    "A semaphore (other than `new Semaphore(1)`) limits slow work on purpose, so only sleeping while holding a permit is reported; a deliberate pacing sleep under a permit is reported too.",
    "Only resources acquired in the same function are followed: a client passed in as a parameter, or a lock taken by the caller, is not known to be held.",
    "An await is reported only when the resource is held on every path to it; awaits after a release on one branch are not.",
  ],
  create(context) {
    const families = resourceFamilies(context.options.resources, "lock");
    return {
      CallExpression(call) {
        const acquisition = matchAcquisition(call, families, { program: context.program, getTypeChecker: () => context.getTypeChecker() });
        if (!acquisition) return;
        const watched = WATCHED[acquisition.kind];
        if (!watched) return;
        const holding = analyseHolding(acquisition);
        if (!holding) return;
        const classifier = new Classifier(acquisition, context.program);
        const data = { noun: acquisition.family.noun, lock: acquisition.label, cost: watched.cost };
        for (const wait of holding.waits) {
          const verdict = classifier.classify(wait.operand);
          if (typeof verdict === "object") {
            if (!watched.categories.includes(verdict.category)) continue;
            context.report({
              node: wait.node,
              messageId: "heldAcrossAwait",
              data: { ...data, operation: operationText(verdict.category, acquisition.kind), call: verdict.text },
            });
          } else if (
            verdict === "unknown" &&
            context.options.reportUnknownAwaits &&
            watched.unknownAwaits &&
            ts.isCallExpression(unwrapExpression(wait.operand))
          ) {
            context.report({
              node: wait.node,
              messageId: "heldAcrossUnknownAwait",
              data: { ...data, call: snippet(wait.operand.getText()) },
            });
          }
        }
      },
    };
  },
});
