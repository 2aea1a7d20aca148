import {
  analyseHolding,
  defineTypeScriptRule,
  getEnclosingFunction,
  lineOf,
  matchAcquisition,
  resourceFamilies,
  resourceSpecSchema,
  ts,
  type Acquisition,
  type ResourceKind,
  type ResourceSpec,
  snippet,
} from "../../src/lint/api.js";

interface Options {
  resources: ResourceSpec[];
}

const COST: Record<ResourceKind, string> = {
  lock: "the lock stays held and every later caller waits forever",
  semaphore: "a permit is lost for good, until no caller can get one",
  connection: "a client leaks from the pool, until the pool is exhausted and every query waits",
  file: "a file descriptor leaks, until the process hits its limit (EMFILE)",
  resource: "it leaks",
};

function exitName(site: ts.Node): string {
  if (ts.isReturnStatement(site)) return "`return`";
  if (ts.isBreakStatement(site)) return "`break`";
  if (ts.isContinueStatement(site)) return "`continue`";
  if (ts.isYieldExpression(site)) return "`yield` (where the consumer may stop iterating)";
  return "this exit";
}

function endLine(node: ts.Node): number {
  const sourceFile = node.getSourceFile();
  return sourceFile.getLineAndCharacterOfPosition(node.getEnd()).line + 1;
}

export default defineTypeScriptRule<Options>({
  instead:
    "Release in a `finally` block right after acquiring (`const client = await pool.connect(); try { … } finally { client.release(); }`), use `mutex.runExclusive(...)` or `pool.query(...)` which release by themselves, or `await using` for handles that are disposable — the way a Tokio guard is dropped on every path.",
  needsTypes: false,
  messages: {
    notReleasedOnThrow:
      "The {{noun}} `{{resource}}` is not released if `{{site}}` (line {{line}}) throws, because the release is not in a `finally`: on each failure {{cost}}.",
    notReleasedOnExit:
      "The {{noun}} `{{resource}}` is still held when {{exit}} on line {{line}} leaves: that path skips the release, and {{cost}}.",
    notReleasedAtEnd:
      "The {{noun}} `{{resource}}` is released on some paths only: the block ending on line {{line}} can be left with it held, and then {{cost}}.",
    neverReleased: "The {{noun}} `{{resource}}` is never released or handed off in this function: on each call {{cost}}.",
  },
  options: {
    properties: {
      resources: {
        description:
          'Your own acquire/release APIs, e.g. `{ "module": "mysql2/promise", "export": "createPool", "acquire": "getConnection", "release": "release", "kind": "connection" }`. Built in: async-mutex `Mutex`/`Semaphore` (also `withTimeout`/`tryAcquire`), classes named `Mutex`, `Lock` or `Semaphore` of any other package (also through `require()`), pg `Pool#connect`, ORM query runners (`createQueryRunner`), and `open` of `fs/promises`.',
        type: "array",
        items: resourceSpecSchema,
        default: [],
      },
    },
    defaults: { resources: [] },
  },
  examples: {
    incorrect: [
      `import { Pool } from "pg";\n\nconst pool = new Pool({ connectionTimeoutMillis: 5_000 });\n\nexport async function findUser(id: string) {\n  const client = await pool.connect();\n  const result = await client.query("SELECT * FROM users WHERE id = $1", [id]);\n  client.release();\n  return result.rows[0];\n}`,
      `import { Mutex } from "async-mutex";\n\nconst lock = new Mutex();\nconst cache = new Map<string, string>();\n\nexport async function get(key: string, load: (key: string) => Promise<string>) {\n  const release = await lock.acquire();\n  if (cache.has(key)) return cache.get(key);\n  const value = await load(key);\n  cache.set(key, value);\n  release();\n  return value;\n}`,
    ],
    correct: [
      `import { Pool } from "pg";\n\nconst pool = new Pool({ connectionTimeoutMillis: 5_000 });\n\nexport async function findUser(id: string) {\n  const client = await pool.connect();\n  try {\n    const result = await client.query("SELECT * FROM users WHERE id = $1", [id]);\n    return result.rows[0];\n  } finally {\n    client.release();\n  }\n}`,
      `import { Mutex } from "async-mutex";\n\nconst lock = new Mutex();\nconst cache = new Map<string, string>();\n\nexport function get(key: string, load: (key: string) => Promise<string>) {\n  return lock.runExclusive(async () => {\n    const cached = cache.get(key);\n    if (cached !== undefined) return cached;\n    const value = await load(key);\n    cache.set(key, value);\n    return value;\n  });\n}`,
      `import { open } from "node:fs/promises";\n\nexport async function firstLine(path: string) {\n  await using file = await open(path);\n  for await (const line of file.readLines()) return line;\n  return undefined;\n}`,
    ],
  },
  knownLimits: [
    "Any call or `await` between acquire and release counts as able to throw (except `console.*`, `Math.*`, `Date.now()`, `Array.isArray` and `Number.isX`); a release after `map.get()` or a logger call is reported although those cannot fail in practice. Moving the release into `finally` costs nothing.",
    "Only acquisitions whose result is bound to a name, assigned to a local, or (for async-mutex) dropped and released through the owner are followed; `.then(release => …)` chains and clients kept in fields are not analysed.",
    "Passing the resource to a function counts as handing it off when this function never releases it itself; a helper that takes ownership while this function also releases it on another path is not recognised.",
    "Owners are recognised from `new`/factory calls, parameter and field type annotations, and `export const` in another file of the run; a pool injected without a type annotation is not recognised.",
    "A release in `finally` behind an unrelated condition (`if (!released) client.release()`) is taken for a double-release guard and counts as guaranteed.",
    'A client that gets listeners (`client.on("notification", …)`) and is released nowhere in the function is taken for a long-lived connection kept on purpose (LISTEN/NOTIFY) and not reported.',
    "A synchronous throw from a promise API whose chain ends in `.finally(() => release())` is not considered.",
    "Locks of other packages are recognised by their class name (`Mutex`, `Lock`, `Semaphore`); an `acquire` that takes a callback is taken to release by itself, and a class of the project's own files is not recognised without a `resources` entry.",
    "Code nested more than 100 statements deep, or very large functions, are skipped rather than analysed.",
  ],
  create(context) {
    const families = resourceFamilies(context.options.resources);
    const report = (acquisition: Acquisition, messageId: string, data: Record<string, string | number>) => {
      context.report({
        node: acquisition.call,
        messageId,
        data: { noun: acquisition.family.noun, resource: acquisition.label, cost: COST[acquisition.kind], ...data },
      });
    };
    return {
      CallExpression(call) {
        const acquisition = matchAcquisition(call, families, { program: context.program, getTypeChecker: () => context.getTypeChecker() });
        if (!acquisition || acquisition.style === "scoped" || acquisition.style === "using") return;
        const leak = analyseHolding(acquisition)?.leak;
        if (!leak) return;
        // At the top level of a module a throw fails the import and ends the script; nothing is left to starve.
        if (leak.reason === "throw" && !getEnclosingFunction(call)) return;
        switch (leak.reason) {
          case "never":
            report(acquisition, "neverReleased", {});
            break;
          case "throw":
            if (ts.isThrowStatement(leak.site)) {
              report(acquisition, "notReleasedOnExit", { exit: "`throw`", line: lineOf(leak.site) });
              break;
            }
            report(acquisition, "notReleasedOnThrow", { site: snippet(leak.site.getText()), line: lineOf(leak.site) });
            break;
          case "exit":
            report(acquisition, "notReleasedOnExit", { exit: exitName(leak.site), line: lineOf(leak.site) });
            break;
          case "end":
            report(acquisition, "notReleasedAtEnd", { line: endLine(leak.site) });
            break;
        }
      },
    };
  },
});
