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
  indentationAt,
  indentUnit,
  lineEnding,
  reindentStatements,
  walk,
  type Fix,
} from "../../src/lint/api.js";

/** `name()` or `name.release()`-style (one of `methods`) as a statement: a release of the binding `name`. */
function isReleaseStatement(statement: ts.Node, name: string, methods: readonly string[]): statement is ts.ExpressionStatement {
  if (!ts.isExpressionStatement(statement)) return false;
  let expression = statement.expression;
  if (ts.isAwaitExpression(expression)) expression = expression.expression;
  if (!ts.isCallExpression(expression) || expression.arguments.length > 0) return false;
  const callee = expression.expression;
  if (ts.isIdentifier(callee)) return callee.text === name;
  return (
    ts.isPropertyAccessExpression(callee) &&
    ts.isIdentifier(callee.expression) &&
    callee.expression.text === name &&
    methods.includes(callee.name.text)
  );
}

/** Code that runs nothing: names, property reads and literals, so evaluating it while still holding changes nothing. */
function isInert(node: ts.Node): boolean {
  let inert = true;
  walk(node, (child) => {
    if (
      ts.isCallExpression(child) ||
      ts.isNewExpression(child) ||
      ts.isAwaitExpression(child) ||
      ts.isYieldExpression(child) ||
      ts.isTaggedTemplateExpression(child) ||
      ts.isFunctionLike(child)
    )
      inert = false;
    return inert;
  });
  return inert;
}

/**
 * The success-path-only release: `const x = await acquire(); …use…; release(x); [return inert;]`
 * in one block, the release written once and reached only by falling through. The use (and the
 * return) go into `try { … } finally { release }`: the same order on success, and the release now
 * runs when the use throws.
 */
function finallyFix(acquisition: Acquisition, sourceFile: ts.SourceFile): Fix | undefined {
  const binding = acquisition.binding;
  if (!binding || !ts.isVariableDeclaration(binding) || !ts.isIdentifier(binding.name)) return undefined;
  const list = binding.parent;
  if (!ts.isVariableDeclarationList(list) || list.declarations.length !== 1) return undefined;
  const statement = list.parent;
  if (!ts.isVariableStatement(statement) || !ts.isBlock(statement.parent)) return undefined;
  const name = binding.name.text;
  const methods = acquisition.family.valueRelease;
  const statements = statement.parent.statements;
  const rest = statements.slice(statements.indexOf(statement) + 1);
  const releaseIndex = rest.findIndex((candidate) => isReleaseStatement(candidate, name, methods));
  if (releaseIndex < 1) return undefined;
  const use = rest.slice(0, releaseIndex);
  const release = rest[releaseIndex]!;
  const after = rest.slice(releaseIndex + 1);
  if (after.length > 1 || (after[0] && !(ts.isReturnStatement(after[0]) && (!after[0].expression || isInert(after[0].expression)))))
    return undefined;
  // One release, and no exit from the use other than a throw: the leak is the throw path only.
  let other = false;
  for (const candidate of use) {
    walk(candidate, (node) => {
      if (
        isReleaseStatement(node, name, methods) ||
        ts.isReturnStatement(node) ||
        ts.isBreakStatement(node) ||
        ts.isContinueStatement(node)
      )
        other = true;
      if (ts.isIdentifier(node) && node.text === name && node.parent && ts.isCallExpression(node.parent) && node.parent.expression === node)
        other = true;
      return !other && !ts.isFunctionLike(node);
    });
  }
  if (other) return undefined;
  if (sourceFile.text.slice(release.getFullStart(), release.getStart(sourceFile)).trim() !== "") return undefined;
  const newline = lineEnding(sourceFile);
  const indent = indentationAt(sourceFile, statement.getStart(sourceFile));
  const inner = indent + indentUnit(sourceFile);
  const body = [reindentStatements(use, inner, newline), ...(after[0] ? [reindentStatements(after, inner, newline)] : [])].join(newline);
  const text = [`${newline}${indent}try {`, body, `${indent}} finally {`, `${inner}${release.getText(sourceFile)}`, `${indent}}`].join(
    newline,
  );
  const last = rest[releaseIndex + after.length]!;
  // From the end of the acquisition: comments above the first use statement move into the try with it.
  return { range: [statement.getEnd(), last.getEnd()], text };
}

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
  fixable: "code",
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
    "`--fix` moves a release into `finally` only for the plain shape: the acquisition's `const`, the use, then the release as a statement of the same block (and at most a `return` of a name or property after it); releases in branches, early exits or a release with a comment above it are left to you.",
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
    const report = (acquisition: Acquisition, messageId: string, data: Record<string, string | number>, fix?: Fix) => {
      context.report({
        node: acquisition.call,
        messageId,
        fix,
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
            report(
              acquisition,
              "notReleasedOnThrow",
              { site: snippet(leak.site.getText()), line: lineOf(leak.site) },
              finallyFix(acquisition, context.sourceFile),
            );
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
