import { ts } from "ts-morph";
import type { ProgramView } from "../rule.js";
import { isApi, resolveApi, type ApiRef } from "./imports.js";
import {
  dottedName,
  findDescendant,
  isFunctionNode,
  memberName,
  unwrapExpression,
  walk,
  outerExpression,
} from "./nodes.js";
import { findDeclaration, getInitializer } from "./scope.js";

/**
 * Acquire/release spans: which calls take a lock, a semaphore permit, a pooled client or a file handle,
 * where that resource is held, and on which paths its release is skipped. Shared by the rules about
 * holding resources (lock-across-await, unreleased-resource).
 */

export type ResourceKind = "lock" | "semaphore" | "connection" | "file" | "resource";

/** A team's own acquire/release API, registered through a rule option. */
export interface ResourceSpec {
  /** Import source, e.g. `mysql2/promise`. */
  module: string;
  /** Export (dotted for a nested one) that creates the owner, e.g. `createPool`; or the acquiring function itself when `acquire` is omitted. */
  export: string;
  /** Method of the owner that acquires, e.g. `getConnection`. Omit when calling the export acquires. */
  acquire?: string;
  /** Method that releases, on the acquired value (`conn.release()`) or on the owner (`pool.release(conn)`). Omit when the acquired value is the release function itself. */
  release?: string;
  kind?: ResourceKind;
}

/** The JSON schema of a `ResourceSpec[]` option, for rule metadata. */
export const resourceSpecSchema = {
  type: "object",
  properties: {
    module: { type: "string", description: "Import source of the API, e.g. `mysql2/promise`." },
    export: {
      type: "string",
      description: "Export that creates the owner (class or factory, dotted when nested), or the acquiring function itself when `acquire` is omitted.",
    },
    acquire: { type: "string", description: "Method of the owner that acquires (`getConnection`); omit when calling the export acquires." },
    release: {
      type: "string",
      description: "Method that releases, called on the acquired value or on the owner; omit when the acquired value is the release function.",
    },
    kind: {
      type: "string",
      enum: ["lock", "semaphore", "connection", "file", "resource"],
      description: "What is held, for messages and for which awaits count as unrelated work.",
    },
  },
  required: ["module", "export"],
  additionalProperties: false,
} as const;

interface ApiPattern {
  modules: readonly string[];
  path: readonly string[];
}

/** One family of acquire/release API. */
export interface ResourceFamily {
  kind: ResourceKind;
  /** What one acquisition holds, for messages: "mutex", "pooled client". */
  noun: string;
  /** Constructors or factories whose instances acquire. */
  owners: readonly ApiPattern[];
  /** Type names that mark a parameter or field as an owner. */
  ownerTypes: readonly ApiPattern[];
  /** Functions that wrap an owner and return one of the same family (`withTimeout(mutex, ms)`). */
  wrappers: readonly ApiPattern[];
  /** Functions that acquire when called (`open` of `fs/promises`). */
  functions: readonly ApiPattern[];
  acquireMethods: readonly string[];
  /** Methods of the acquired value that release it (`client.release()`). */
  valueRelease: readonly string[];
  /** Methods of the owner that release (`mutex.release()`, `pool.release(conn)`). */
  ownerRelease: readonly string[];
  /** The acquired value is the release function, or (destructured as `[value, release]`) holds it. */
  releaserValue: boolean;
  /** Methods that run a callback while holding the resource and release it afterwards (`runExclusive`). */
  exclusiveMethods: readonly string[];
}

const ASYNC_MUTEX = ["async-mutex"];
const PG_POOL: readonly ApiPattern[] = [
  { modules: ["pg"], path: ["Pool"] },
  { modules: ["pg-pool"], path: ["default"] },
  { modules: ["pg-pool"], path: [] },
];

const BUILTIN_FAMILIES: readonly ResourceFamily[] = [
  {
    kind: "lock",
    noun: "mutex",
    owners: [{ modules: ASYNC_MUTEX, path: ["Mutex"] }],
    ownerTypes: [
      { modules: ASYNC_MUTEX, path: ["Mutex"] },
      { modules: ASYNC_MUTEX, path: ["MutexInterface"] },
    ],
    wrappers: [
      { modules: ASYNC_MUTEX, path: ["withTimeout"] },
      { modules: ASYNC_MUTEX, path: ["tryAcquire"] },
    ],
    functions: [],
    acquireMethods: ["acquire"],
    valueRelease: [],
    ownerRelease: ["release"],
    releaserValue: true,
    exclusiveMethods: ["runExclusive"],
  },
  {
    kind: "semaphore",
    noun: "semaphore permit",
    owners: [{ modules: ASYNC_MUTEX, path: ["Semaphore"] }],
    ownerTypes: [
      { modules: ASYNC_MUTEX, path: ["Semaphore"] },
      { modules: ASYNC_MUTEX, path: ["SemaphoreInterface"] },
    ],
    wrappers: [
      { modules: ASYNC_MUTEX, path: ["withTimeout"] },
      { modules: ASYNC_MUTEX, path: ["tryAcquire"] },
    ],
    functions: [],
    acquireMethods: ["acquire"],
    valueRelease: [],
    ownerRelease: ["release"],
    releaserValue: true,
    exclusiveMethods: ["runExclusive"],
  },
  {
    kind: "connection",
    noun: "pooled client",
    owners: PG_POOL,
    ownerTypes: PG_POOL,
    wrappers: [],
    functions: [],
    acquireMethods: ["connect"],
    valueRelease: ["release"],
    ownerRelease: [],
    releaserValue: false,
    exclusiveMethods: [],
  },
  {
    kind: "file",
    noun: "file handle",
    owners: [],
    ownerTypes: [],
    wrappers: [],
    functions: [
      { modules: ["fs/promises"], path: ["open"] },
      { modules: ["fs"], path: ["promises", "open"] },
    ],
    acquireMethods: [],
    valueRelease: ["close"],
    ownerRelease: [],
    releaserValue: false,
    exclusiveMethods: [],
  },
];

const NOUNS: Record<ResourceKind, string> = {
  lock: "lock",
  semaphore: "semaphore permit",
  connection: "connection",
  file: "file handle",
  resource: "resource",
};

/** The built-in families plus the ones a team registered (`defaultKind` for specs without `kind`). */
export function resourceFamilies(specs: readonly ResourceSpec[] = [], defaultKind: ResourceKind = "resource"): ResourceFamily[] {
  const families = [...BUILTIN_FAMILIES];
  for (const spec of specs) {
    const pattern = { modules: [spec.module.startsWith("node:") ? spec.module.slice(5) : spec.module], path: spec.export.split(".") };
    const kind = spec.kind ?? defaultKind;
    const release = spec.release ? [spec.release] : [];
    families.push({
      kind,
      noun: NOUNS[kind],
      owners: spec.acquire ? [pattern] : [],
      ownerTypes: spec.acquire ? [pattern] : [],
      wrappers: [],
      functions: spec.acquire ? [] : [pattern],
      acquireMethods: spec.acquire ? [spec.acquire] : [],
      valueRelease: release,
      ownerRelease: release,
      releaserValue: !spec.release,
      exclusiveMethods: [],
    });
  }
  return families;
}

function matches(ref: ApiRef | undefined, patterns: readonly ApiPattern[]): boolean {
  return patterns.some((pattern) => isApi(ref, pattern.modules, ...pattern.path));
}

// ---------------------------------------------------------------------------------------------------
// Where a value was created

/** How a value was created: the API of its constructor or factory, then the methods called on the result. */
export interface Creation {
  ref: ApiRef;
  /** Methods called on the created value to get this one: `["connect"]` for `await pool.connect()`. */
  via: string[];
  /** The `new`/call expression, when the value comes from one (not from a type annotation). */
  expression?: ts.CallExpression | ts.NewExpression;
}

function typeRef(type: ts.TypeNode | undefined): ApiRef | undefined {
  if (!type) return undefined;
  if (ts.isUnionTypeNode(type)) {
    for (const member of type.types) {
      const ref = typeRef(member);
      if (ref) return ref;
    }
    return undefined;
  }
  if (!ts.isTypeReferenceNode(type)) return undefined;
  const name = type.typeName;
  if (ts.isIdentifier(name)) return resolveApi(name);
  if (ts.isIdentifier(name.left)) {
    const base = resolveApi(name.left);
    return base ? { module: base.module, path: [...base.path, name.right.text] } : undefined;
  }
  return undefined;
}

/** The type annotation of `this.name`: a field or a constructor parameter property. */
function thisPropertyType(access: ts.PropertyAccessExpression): ts.TypeNode | undefined {
  const klass = ts.findAncestor(access, (node) => ts.isClassDeclaration(node) || ts.isClassExpression(node)) as ts.ClassLikeDeclaration | undefined;
  if (!klass) return undefined;
  const name = access.name.text;
  for (const member of klass.members) {
    if (ts.isPropertyDeclaration(member) && ts.isIdentifier(member.name) && member.name.text === name) return member.type;
    if (ts.isConstructorDeclaration(member)) {
      for (const parameter of member.parameters) {
        if (ts.isIdentifier(parameter.name) && parameter.name.text === name && ts.getModifiers(parameter)?.length) return parameter.type;
      }
    }
  }
  return undefined;
}

/** The initializer of `export const name = …` / `export default …` in another file of the run. */
function exportedInitializer(program: ProgramView | undefined, fromFile: string, ref: ApiRef): ts.Expression | undefined {
  if (!program || !ref.module.startsWith(".") || ref.path.length !== 1) return undefined;
  const file = program.resolveImport(fromFile, ref.module);
  if (!file) return undefined;
  const name = ref.path[0]!;
  for (const statement of file.sourceFile.statements) {
    if (name === "default" && ts.isExportAssignment(statement) && !statement.isExportEquals) return statement.expression;
    if (!ts.isVariableStatement(statement)) continue;
    if (!ts.getModifiers(statement)?.some((modifier) => modifier.kind === ts.SyntaxKind.ExportKeyword)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (ts.isIdentifier(declaration.name) && declaration.name.text === name) return declaration.initializer;
    }
  }
  return undefined;
}

/**
 * How the value of an expression was created: `new Pool()` for `pool` after `const pool = new Pool()`,
 * for `this.pool` (field or constructor assignment), for a parameter or field annotated `Pool`, and
 * for `pool` imported from another file of the run that exports `const pool = new Pool()`.
 */
export function resolveCreation(expression: ts.Expression, program?: ProgramView, depth = 0): Creation | undefined {
  if (depth > 6) return undefined;
  let node = unwrapExpression(expression);
  if (ts.isAwaitExpression(node)) node = unwrapExpression(node.expression);
  if (ts.isNewExpression(node) || ts.isCallExpression(node)) {
    const ref = resolveApi(node.expression);
    if (ref && ref.module !== "<global>") return { ref, via: [], expression: node };
    const callee = unwrapExpression(node.expression);
    const method = memberName(callee);
    if (method && (ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee))) {
      const base = resolveCreation(callee.expression, program, depth + 1);
      if (base) return { ref: base.ref, via: [...base.via, method], expression: base.expression };
    }
    return undefined;
  }
  if (ts.isIdentifier(node) || (ts.isPropertyAccessExpression(node) && node.expression.kind === ts.SyntaxKind.ThisKeyword)) {
    const init = getInitializer(node);
    if (init) {
      const inner = unwrapExpression(init);
      if (inner !== node) {
        const created = resolveCreation(inner, program, depth + 1);
        if (created) return created;
      }
    }
    let type: ts.TypeNode | undefined;
    if (ts.isIdentifier(node)) {
      const declaration = findDeclaration(node);
      if (declaration && (ts.isParameter(declaration) || ts.isVariableDeclaration(declaration))) type = declaration.type;
      if (!declaration || ts.isImportSpecifier(declaration) || ts.isImportClause(declaration)) {
        const ref = resolveApi(node);
        const exported = ref && exportedInitializer(program, node.getSourceFile().fileName, ref);
        if (exported) return resolveCreation(exported, program, depth + 1);
      }
    } else {
      type = thisPropertyType(node);
    }
    const ref = typeRef(type);
    return ref ? { ref, via: [] } : undefined;
  }
  if (ts.isPropertyAccessExpression(node)) {
    const ref = resolveApi(node);
    const exported = ref && exportedInitializer(program, node.getSourceFile().fileName, ref);
    if (exported) return resolveCreation(exported, program, depth + 1);
  }
  return undefined;
}

interface OwnerMatch {
  family: ResourceFamily;
  /** `new Semaphore(n)` with a literal `n`. */
  capacity?: number;
}

/** What the analysis may use besides syntax: other files of the run, and the type checker to confirm. */
export interface ResourceEnv {
  program?: ProgramView;
  getTypeChecker?: () => ts.TypeChecker | undefined;
}

function declaredInPackage(fileName: string, module: string): boolean {
  const normalized = fileName.replace(/\\/g, "/");
  return normalized.includes(`/node_modules/${module}/`) || normalized.includes(`/node_modules/@types/${module}/`);
}

/** With type information: an owner whose type is the library's class (`Mutex` declared in node_modules/async-mutex). */
function ownerFromType(expression: ts.Expression, families: readonly ResourceFamily[], checker: ts.TypeChecker): OwnerMatch | undefined {
  let type: ts.Type;
  try {
    type = checker.getTypeAtLocation(expression);
  } catch {
    return undefined;
  }
  for (const member of type.isUnion() ? type.types : [type]) {
    const symbol = member.getSymbol() ?? member.aliasSymbol;
    const declarations = symbol?.getDeclarations() ?? [];
    if (!symbol || declarations.length === 0) continue;
    for (const family of families) {
      const known = family.ownerTypes.some((pattern) => {
        const name = pattern.path[pattern.path.length - 1];
        if (!name || name === "default" || symbol.name !== name) return false;
        return declarations.some((declaration) => pattern.modules.some((module) => declaredInPackage(declaration.getSourceFile().fileName, module)));
      });
      if (known) return { family };
    }
  }
  return undefined;
}

function ownerOf(expression: ts.Expression, families: readonly ResourceFamily[], program: ProgramView | undefined, depth = 0): OwnerMatch | undefined {
  if (depth > 4) return undefined;
  const created = resolveCreation(expression, program);
  if (!created || created.via.length > 0) return undefined;
  for (const family of families) {
    if (created.expression ? matches(created.ref, family.owners) : matches(created.ref, family.ownerTypes)) {
      const first = created.expression?.arguments?.[0];
      const capacity = first && ts.isNumericLiteral(first) ? Number(first.text) : undefined;
      return { family, capacity };
    }
  }
  const wrapped = created.expression?.arguments?.[0];
  if (wrapped && families.some((family) => matches(created.ref, family.wrappers))) {
    return ownerOf(wrapped, families, program, depth + 1);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Acquisitions

/**
 * - `releaser`: the acquired value is the release function (`const release = await mutex.acquire()`).
 * - `handle`: the acquired value is released through a method (`client.release()`, `fh.close()`).
 * - `owner`: the value is dropped and the owner releases (`await mutex.acquire(); … mutex.release()`).
 * - `scoped`: a callback runs while held and the owner releases after it (`runExclusive`).
 * - `using`: bound with `using`/`await using`, released at the end of the block.
 */
export type AcquisitionStyle = "releaser" | "handle" | "owner" | "scoped" | "using";

export interface Acquisition {
  call: ts.CallExpression;
  family: ResourceFamily;
  kind: ResourceKind;
  style: AcquisitionStyle;
  /** What is held, for messages: the owner (`this.mutex`) for locks, the binding (`client`) for handles. */
  label: string;
  /** The expression whose completion starts the hold (the `await` around the call). */
  acquiredAt: ts.Expression;
  /** The declaration of the release function or handle. */
  binding?: ts.VariableDeclaration | ts.BindingElement;
  /** `this.mutex`: the owner, as text, for `owner.release()`. */
  ownerText?: string;
  /** Literal capacity of a semaphore owner. */
  capacity?: number;
  /** For `scoped`: the callback that runs while held. */
  callback?: ts.FunctionLikeDeclaration;
}

const acquireNameCache = new WeakMap<readonly ResourceFamily[], Set<string>>();

function acquireNames(families: readonly ResourceFamily[]): Set<string> {
  const cached = acquireNameCache.get(families);
  if (cached) return cached;
  const names = new Set<string>();
  acquireNameCache.set(families, names);
  for (const family of families) {
    for (const name of family.acquireMethods) names.add(name);
    for (const name of family.exclusiveMethods) names.add(name);
    for (const fn of family.functions) names.add(fn.path[fn.path.length - 1] ?? "");
  }
  return names;
}

function localFunction(expression: ts.Expression): ts.FunctionLikeDeclaration | undefined {
  const node = unwrapExpression(expression);
  if (isFunctionNode(node)) return node;
  if (!ts.isIdentifier(node)) return undefined;
  const declaration = findDeclaration(node);
  if (declaration && ts.isFunctionDeclaration(declaration)) return declaration;
  if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer) {
    const init = unwrapExpression(declaration.initializer);
    if (isFunctionNode(init)) return init;
  }
  return undefined;
}

function isUsingDeclaration(declaration: ts.VariableDeclaration): boolean {
  const list = declaration.parent;
  return ts.isVariableDeclarationList(list) && (list.flags & ts.NodeFlags.Using) !== 0;
}

/**
 * The acquisition a call makes, when it is one this analysis can follow: an awaited acquire whose
 * result is bound to a name, assigned to a local, or dropped (owner-released locks); or a
 * `runExclusive` callback. Acquisitions handed straight to the caller (`return pool.connect()`) or
 * stored in a field are someone else's to release and give undefined.
 */
export function matchAcquisition(call: ts.CallExpression, families: readonly ResourceFamily[], env: ResourceEnv = {}): Acquisition | undefined {
  const callee = unwrapExpression(call.expression);
  const name = ts.isIdentifier(callee) ? callee.text : memberName(callee);
  if (!name || !acquireNames(families).has(name)) return undefined;
  const { program } = env;

  let family: ResourceFamily | undefined;
  let owner: ts.Expression | undefined;
  let capacity: number | undefined;
  let exclusive = false;
  const functionRef = resolveApi(callee);
  family = families.find((candidate) => matches(functionRef, candidate.functions));
  if (!family && (ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee))) {
    const candidates = families.filter((candidate) => candidate.acquireMethods.includes(name) || candidate.exclusiveMethods.includes(name));
    if (candidates.length > 0) {
      let match = ownerOf(callee.expression, candidates, program);
      if (!match) {
        const checker = env.getTypeChecker?.();
        if (checker) match = ownerFromType(callee.expression, candidates, checker);
      }
      if (match) {
        family = match.family;
        owner = callee.expression;
        capacity = match.capacity;
        exclusive = family.exclusiveMethods.includes(name);
      }
    }
  }
  if (!family) return undefined;
  const kind: ResourceKind = family.kind === "semaphore" && capacity === 1 ? "lock" : family.kind;
  const ownerText = owner ? dottedName(owner) : undefined;

  if (exclusive) {
    const callback = call.arguments[0] && localFunction(call.arguments[0]);
    if (!callback) return undefined;
    return { call, family, kind, style: "scoped", label: ownerText ?? name, acquiredAt: call, ownerText, capacity, callback };
  }

  const awaited = outerExpression(call).parent;
  if (!awaited || !ts.isAwaitExpression(awaited)) return undefined;
  const site = outerExpression(awaited);
  const context = site.parent;
  const base = { call, family, kind, acquiredAt: awaited, ownerText, capacity };
  const ownerLabel = ownerText ?? `${name}()`;
  if (!context) return undefined;
  if (ts.isVariableDeclaration(context) && context.initializer === site) {
    if (ts.isIdentifier(context.name)) {
      const style = isUsingDeclaration(context) ? "using" : family.releaserValue ? "releaser" : "handle";
      const label = family.releaserValue ? ownerLabel : context.name.text;
      return { ...base, style, label, binding: context };
    }
    if (ts.isArrayBindingPattern(context.name) && family.releaserValue) {
      const element = context.name.elements[1];
      if (element && ts.isBindingElement(element) && ts.isIdentifier(element.name)) {
        return { ...base, style: "releaser", label: ownerLabel, binding: element };
      }
      return ownerText ? { ...base, style: "owner", label: ownerLabel } : undefined;
    }
    return undefined;
  }
  if (ts.isBinaryExpression(context) && context.operatorToken.kind === ts.SyntaxKind.EqualsToken && context.right === site) {
    const target = unwrapExpression(context.left);
    if (!ts.isIdentifier(target)) return undefined;
    const declaration = findDeclaration(target);
    if (!declaration || !ts.isVariableDeclaration(declaration) || !ts.isIdentifier(declaration.name)) return undefined;
    // Declared in an outer function and acquired in a callback: the hold outlives this analysis.
    if (enclosingScope(declaration) !== enclosingScope(call)) return undefined;
    const label = family.releaserValue ? ownerLabel : target.text;
    return { ...base, style: family.releaserValue ? "releaser" : "handle", label, binding: declaration };
  }
  if (ts.isExpressionStatement(context)) {
    if (family.releaserValue) return ownerText ? { ...base, style: "owner", label: ownerLabel } : undefined;
    // A checked-out client dropped on the floor: nothing can ever release it.
    return { ...base, style: "handle", label: ownerText ? `${ownerText}.${name}()` : `${name}()` };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Where the resource is held, and where its release can be skipped

/** An await (or `for await`, or a promise a `runExclusive` callback returns) while the resource is held. */
export interface HeldWait {
  /** The node to report: the `await`, the `for await` statement, the returned expression. */
  node: ts.Node;
  /** The awaited expression. */
  operand: ts.Expression;
}

export type LeakReason = "throw" | "exit" | "end" | "never";

export interface Leak {
  reason: LeakReason;
  /** The call that can throw, the `return`/`break`/`continue`/`yield` that leaves, or the block that ends. */
  site: ts.Node;
}

export interface Holding {
  /** Awaits that run while the resource is held on every path to them. */
  waits: HeldWait[];
  /** A path on which the release is skipped; undefined when release is guaranteed or handed off. */
  leak?: Leak;
}

const UNACQUIRED = 1;
const HELD = 2;
const DONE = 4;

interface Exit {
  mask: number;
  /** What made this exit leave with the resource held (first one found). */
  site?: ts.Node;
}

interface Jump {
  kind: "break" | "continue";
  label?: string;
  exit: Exit;
}

interface Flow {
  normal: number;
  thrown: Exit;
  returned: Exit;
  jumps: Jump[];
}

const NONE: Exit = { mask: 0 };

function mergeExit(a: Exit, b: Exit): Exit {
  if (b.mask === 0) return a;
  if (a.mask === 0) return b;
  const site = a.mask & HELD && a.site ? a.site : b.mask & HELD ? b.site : a.site;
  return { mask: a.mask | b.mask, site };
}

function emptyFlow(normal: number): Flow {
  return { normal, thrown: NONE, returned: NONE, jumps: [] };
}

function addAbrupt(target: Flow, source: Flow): void {
  target.thrown = mergeExit(target.thrown, source.thrown);
  target.returned = mergeExit(target.returned, source.returned);
  if (source.jumps.length > 0) target.jumps = [...target.jumps, ...source.jumps];
}

function afterRelease(mask: number, conditional: boolean): number {
  if (!(mask & HELD)) return mask;
  return conditional ? mask | DONE : (mask & ~HELD) | DONE;
}

function afterAcquire(mask: number, conditional: boolean): number {
  if (mask === 0) return 0;
  return conditional ? mask | HELD : HELD;
}

/** Analysis gives up (and reports nothing) beyond this nesting or this much work. */
const MAX_DEPTH = 100;
const MAX_STEPS = 20_000;

class GiveUp extends Error {}

type Reference = "release" | "handoff" | "use";

/** Calls that store their argument in a collection (`active.add(client)`): the collection owns it. */
const STORE_METHODS = new Set(["push", "unshift", "add", "set", "enqueue", "put"]);

/** Listener registration on the resource itself. */
const LISTEN_METHODS = new Set(["on", "once", "addListener", "addEventListener"]);

class HoldingAnalysis {
  private readonly memo = new Map<ts.Node, Map<number, Flow>>();
  private readonly waitMasks = new Map<ts.Node, { wait: HeldWait; mask: number }>();
  private steps = 0;
  /** True when the function releases the resource itself somewhere; passing it to a call is then a use, not a handoff. */
  readonly releasesLocally: boolean;
  /** True when the resource is released or escapes anywhere in the function. */
  readonly releasedOrEscapes: boolean;
  /** True when listeners are attached to the resource (`client.on("notification", …)`). */
  readonly listens: boolean;

  constructor(
    private readonly acquisition: Acquisition,
    scope: ts.Node,
  ) {
    let releases = false;
    walk(scope, (node) => {
      if (!releases && ts.isCallExpression(node) && this.isRelease(node)) releases = true;
      return !releases;
    });
    this.releasesLocally = releases;
    let escapes = false;
    walk(scope, (node) => {
      if (!escapes && ts.isIdentifier(node) && this.refersToBinding(node) && this.classifyReference(node, false) === "handoff") escapes = true;
      return !escapes;
    });
    this.releasedOrEscapes = releases || escapes;
    let listens = false;
    walk(scope, (node) => {
      if (!listens && ts.isCallExpression(node)) {
        const callee = unwrapExpression(node.expression);
        const receiver = ts.isPropertyAccessExpression(callee) ? unwrapExpression(callee.expression) : undefined;
        listens = !!receiver && ts.isIdentifier(receiver) && LISTEN_METHODS.has(memberName(callee) ?? "") && this.refersToBinding(receiver);
      }
      return !listens;
    });
    this.listens = listens;
  }

  private refersToBinding(identifier: ts.Identifier): boolean {
    const binding = this.acquisition.binding;
    if (!binding || !ts.isIdentifier(binding.name) || identifier.text !== binding.name.text || identifier === binding.name) return false;
    return findDeclaration(identifier) === binding;
  }

  isRelease(call: ts.CallExpression): boolean {
    const { acquisition } = this;
    const callee = unwrapExpression(call.expression);
    if (ts.isIdentifier(callee)) return acquisition.style === "releaser" && this.refersToBinding(callee);
    const method = memberName(callee);
    if (!method || !(ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee))) return false;
    const receiver = unwrapExpression(callee.expression);
    if (acquisition.family.valueRelease.includes(method) && ts.isIdentifier(receiver) && this.refersToBinding(receiver)) return true;
    if (acquisition.family.ownerRelease.includes(method) && acquisition.ownerText !== undefined) {
      return hasDottedName(receiver, acquisition.ownerText);
    }
    return false;
  }

  /** Whether an expression tests the binding for truthiness (`client`, `client != null`); `negated` for `!client`. */
  private testsBinding(expression: ts.Expression): "truthy" | "falsy" | undefined {
    let node = unwrapExpression(expression);
    let negated = false;
    while (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.ExclamationToken) {
      negated = !negated;
      node = unwrapExpression(node.operand);
    }
    if (negated) {
      const inner = this.testsBinding(node);
      return inner === "truthy" ? "falsy" : inner === "falsy" ? "truthy" : undefined;
    }
    if (ts.isIdentifier(node) && this.refersToBinding(node)) return "truthy";
    if (ts.isBinaryExpression(node)) {
      const operator = node.operatorToken.kind;
      const left = unwrapExpression(node.left);
      const right = unwrapExpression(node.right);
      const isNullish = (side: ts.Expression) =>
        side.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(side) && side.text === "undefined");
      const bindingSide = (ts.isIdentifier(left) && this.refersToBinding(left) && isNullish(right)) || (ts.isIdentifier(right) && this.refersToBinding(right) && isNullish(left));
      if (!bindingSide) return undefined;
      if (operator === ts.SyntaxKind.ExclamationEqualsToken || operator === ts.SyntaxKind.ExclamationEqualsEqualsToken) return "truthy";
      if (operator === ts.SyntaxKind.EqualsEqualsToken || operator === ts.SyntaxKind.EqualsEqualsEqualsToken) return "falsy";
    }
    return undefined;
  }

  /** How a reference to the binding affects the hold. `inNestedFunction` references run later. */
  private classifyReference(identifier: ts.Identifier, inNestedFunction: boolean): Reference | undefined {
    const site = outerExpression(identifier);
    const parent = site.parent;
    if (!parent) return undefined;
    const releaser = this.acquisition.style === "releaser";
    if (ts.isCallExpression(parent) && parent.expression === site) {
      return releaser ? "release" : "use";
    }
    if ((ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) && parent.expression === site) {
      if (releaser) return "handoff";
      const method = memberName(parent);
      const access = outerExpression(parent);
      const called = !!access.parent && ts.isCallExpression(access.parent) && access.parent.expression === access;
      // `client.release()` releases; `client.release` passed on (`.bind(client)`) hands the release off.
      if (method && this.acquisition.family.valueRelease.includes(method)) return called ? "release" : "handoff";
      return "use";
    }
    if (ts.isBinaryExpression(parent) && parent.left === site && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) return undefined;
    if (ts.isIfStatement(parent) || (ts.isConditionalExpression(parent) && parent.condition === site)) return undefined;
    if (ts.isPrefixUnaryExpression(parent) || ts.isTypeOfExpression(parent) || ts.isAwaitExpression(parent)) return undefined;
    if (ts.isBinaryExpression(parent)) {
      const operator = parent.operatorToken.kind;
      if (
        operator === ts.SyntaxKind.EqualsEqualsToken ||
        operator === ts.SyntaxKind.EqualsEqualsEqualsToken ||
        operator === ts.SyntaxKind.ExclamationEqualsToken ||
        operator === ts.SyntaxKind.ExclamationEqualsEqualsToken ||
        ((operator === ts.SyntaxKind.AmpersandAmpersandToken || operator === ts.SyntaxKind.BarBarToken) && parent.left === site)
      ) {
        return undefined;
      }
    }
    if (ts.isCallExpression(parent) || ts.isNewExpression(parent)) {
      // Passed to a function: it owns the resource only if this function never releases it itself.
      const stored = ts.isCallExpression(parent) && STORE_METHODS.has(memberName(unwrapExpression(parent.expression)) ?? "");
      if (releaser || inNestedFunction || stored || !this.releasesLocally) return "handoff";
      return "use";
    }
    return "handoff";
  }

  private isConditional(node: ts.Node, root: ts.Node): boolean {
    for (let child = node, parent = node.parent; parent && child !== root; child = parent, parent = parent.parent) {
      if (ts.isBinaryExpression(parent) && parent.right === child) {
        const operator = parent.operatorToken.kind;
        if (operator === ts.SyntaxKind.AmpersandAmpersandToken) {
          if (this.testsBinding(parent.left) !== "truthy") return true;
        } else if (operator === ts.SyntaxKind.BarBarToken || operator === ts.SyntaxKind.QuestionQuestionToken) {
          return true;
        }
      }
      if (ts.isConditionalExpression(parent) && parent.condition !== child) {
        const test = this.testsBinding(parent.condition);
        if (!(test === "truthy" && parent.whenTrue === child) && !(test === "falsy" && parent.whenFalse === child)) return true;
      }
    }
    return false;
  }

  private recordWait(wait: HeldWait, mask: number): void {
    const previous = this.waitMasks.get(wait.node);
    this.waitMasks.set(wait.node, { wait, mask: (previous?.mask ?? 0) | mask });
  }

  /** The effect of evaluating an expression (or a statement's expressions), in evaluation order. */
  private expression(root: ts.Node, entry: number): Flow {
    const flow = emptyFlow(entry);
    let mask = entry;
    const throwFrom = (node: ts.Node) => {
      flow.thrown = mergeExit(flow.thrown, { mask, site: node });
    };
    // Post-order (children before parents, left to right) approximates evaluation order.
    const stack: { node: ts.Node; expanded: boolean }[] = [{ node: root, expanded: false }];
    while (stack.length > 0) {
      const top = stack.pop()!;
      const node = top.node;
      if (node !== root && (isFunctionNode(node) || ts.isClassLike(node))) {
        mask = this.closure(node, mask);
        continue;
      }
      if (!top.expanded) {
        stack.push({ node, expanded: true });
        const children: ts.Node[] = [];
        ts.forEachChild(node, (child) => {
          children.push(child);
        });
        for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i]!, expanded: false });
        continue;
      }
      this.step();
      if (ts.isAwaitExpression(node)) {
        this.recordWait({ node, operand: node.expression }, mask);
        throwFrom(node);
        if (node === this.acquisition.acquiredAt) mask = afterAcquire(mask, this.isConditional(node, root));
      } else if (ts.isCallExpression(node)) {
        if (this.isRelease(node)) mask = afterRelease(mask, this.isConditional(node, root));
        else if (!cannotThrow(node) && !this.releasedByChain(node)) throwFrom(node);
      } else if (ts.isNewExpression(node) ? !constructsError(node) : ts.isTaggedTemplateExpression(node)) {
        throwFrom(node);
      } else if (ts.isYieldExpression(node)) {
        // The consumer may stop iterating here (`break` in its loop), which returns from the generator.
        flow.returned = mergeExit(flow.returned, { mask, site: node });
      } else if (ts.isIdentifier(node) && this.refersToBinding(node)) {
        const reference = this.classifyReference(node, false);
        if (reference === "handoff") mask = afterRelease(mask, this.isConditional(node, root));
      }
    }
    flow.normal = mask;
    return flow;
  }

  /**
   * `fh.stat().finally(() => fh.close())`: a failure of the call becomes a rejection that the chained
   * handler sees, so the release is not skipped (a synchronous throw from a promise API is not a real path).
   */
  private releasedByChain(call: ts.CallExpression): boolean {
    for (let current: ts.Node = call; ; ) {
      const access = outerExpression(current).parent;
      if (!access || !ts.isPropertyAccessExpression(access) || !["then", "catch", "finally"].includes(access.name.text)) return false;
      const chained = access.parent;
      if (!chained || !ts.isCallExpression(chained) || chained.expression !== access) return false;
      const releases = (argument: ts.Expression) => {
        const handler = unwrapExpression(argument);
        if (ts.isIdentifier(handler)) return this.acquisition.style === "releaser" && this.refersToBinding(handler);
        return isFunctionNode(handler) && this.closure(handler, HELD) !== HELD;
      };
      // `.finally(release)` runs on both outcomes; `.then(ok, failed)` only when both handlers release.
      const method = access.name.text;
      if (method === "finally" && chained.arguments.some(releases)) return true;
      if (method === "then" && chained.arguments.length >= 2 && chained.arguments.slice(0, 2).every(releases)) return true;
      current = chained;
    }
  }

  /** A function or class created here: a release inside it (or the resource escaping into it) hands the release off. */
  private closure(node: ts.Node, mask: number): number {
    let handsOff = false;
    walk(node, (inner) => {
      if (handsOff) return false;
      if (ts.isCallExpression(inner) && this.isRelease(inner)) handsOff = true;
      else if (ts.isIdentifier(inner) && this.refersToBinding(inner) && this.classifyReference(inner, true) === "handoff") handsOff = true;
      return !handsOff;
    });
    return handsOff ? afterRelease(mask, false) : mask;
  }

  private step(): void {
    if (++this.steps > MAX_STEPS) throw new GiveUp();
  }

  statements(statements: readonly ts.Statement[], from: number, entry: number, depth: number): Flow {
    const flow = emptyFlow(entry);
    let mask = entry;
    for (let i = from; i < statements.length && mask !== 0; i++) {
      const result = this.statement(statements[i]!, mask, depth);
      addAbrupt(flow, result);
      mask = result.normal;
    }
    flow.normal = mask;
    return flow;
  }

  private statement(node: ts.Statement, entry: number, depth: number, label?: string): Flow {
    if (depth > MAX_DEPTH) throw new GiveUp();
    let byMask = this.memo.get(node);
    const cached = label === undefined ? byMask?.get(entry) : undefined;
    if (cached) return cached;
    this.step();
    const result = this.compute(node, entry, depth, label);
    if (label === undefined) {
      if (!byMask) this.memo.set(node, (byMask = new Map()));
      byMask.set(entry, result);
    }
    return result;
  }

  private compute(node: ts.Statement, entry: number, depth: number, label: string | undefined): Flow {
    if (ts.isBlock(node)) return this.statements(node.statements, 0, entry, depth + 1);
    if (ts.isExpressionStatement(node) || ts.isVariableStatement(node)) return this.expression(node, entry);
    if (ts.isReturnStatement(node)) {
      const flow = node.expression ? this.expression(node.expression, entry) : emptyFlow(entry);
      flow.returned = mergeExit(flow.returned, { mask: flow.normal, site: node });
      flow.normal = 0;
      return flow;
    }
    if (ts.isThrowStatement(node)) {
      const flow = this.expression(node.expression, entry);
      flow.thrown = mergeExit(flow.thrown, { mask: flow.normal, site: node });
      flow.normal = 0;
      return flow;
    }
    if (ts.isBreakStatement(node) || ts.isContinueStatement(node)) {
      const flow = emptyFlow(0);
      flow.jumps = [{ kind: ts.isBreakStatement(node) ? "break" : "continue", label: node.label?.text, exit: { mask: entry, site: node } }];
      return flow;
    }
    if (ts.isIfStatement(node)) return this.ifStatement(node, entry, depth);
    if (ts.isTryStatement(node)) return this.tryStatement(node, entry, depth);
    if (ts.isLabeledStatement(node)) {
      return this.resolveLabel(this.statement(node.statement, entry, depth + 1, node.label.text), node.label.text);
    }
    if (ts.isIterationStatement(node, false)) return this.loop(node, entry, depth, label);
    if (ts.isSwitchStatement(node)) return this.switchStatement(node, entry, depth);
    if (ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node)) return emptyFlow(this.closure(node, entry));
    return emptyFlow(entry);
  }

  /** `break label` out of a labeled block completes the labeled statement normally. */
  private resolveLabel(flow: Flow, label: string): Flow {
    let normal = flow.normal;
    const remaining: Jump[] = [];
    for (const jump of flow.jumps) {
      if (jump.kind === "break" && jump.label === label) normal |= jump.exit.mask;
      else remaining.push(jump);
    }
    return { ...flow, normal, jumps: remaining };
  }

  private inFinally(node: ts.Node): boolean {
    for (let child = node, parent = node.parent; parent && !isFunctionNode(parent); child = parent, parent = parent.parent) {
      if (ts.isTryStatement(parent) && parent.finallyBlock === child) return true;
    }
    return false;
  }

  private containsRelease(statement: ts.Statement): boolean {
    return !!findDescendant(statement, (node): node is ts.CallExpression => ts.isCallExpression(node) && this.isRelease(node));
  }

  private ifStatement(node: ts.IfStatement, entry: number, depth: number): Flow {
    const condition = this.expression(node.expression, entry);
    const test = this.acquisition.binding ? this.testsBinding(node.expression) : undefined;
    const unacquiredOnly = condition.normal & UNACQUIRED;
    const acquiredOnly = condition.normal & ~UNACQUIRED;
    let thenEntry = test === "truthy" ? acquiredOnly : test === "falsy" ? unacquiredOnly : condition.normal;
    let elseEntry = test === "truthy" ? unacquiredOnly : test === "falsy" ? acquiredOnly : condition.normal;
    if (!test && this.inFinally(node)) {
      // `finally { if (!released) client.release(); }`: a flag that guards against a double release.
      // The branch without the release runs only once it is released, so it is not a leak.
      const thenReleases = this.containsRelease(node.thenStatement);
      const elseReleases = !!node.elseStatement && this.containsRelease(node.elseStatement);
      if (thenReleases && !elseReleases) elseEntry = afterRelease(elseEntry, false);
      if (elseReleases && !thenReleases) thenEntry = afterRelease(thenEntry, false);
    }
    const flow = emptyFlow(0);
    addAbrupt(flow, condition);
    if (thenEntry) {
      const then = this.statement(node.thenStatement, thenEntry, depth + 1);
      addAbrupt(flow, then);
      flow.normal |= then.normal;
    }
    if (node.elseStatement) {
      if (elseEntry) {
        const otherwise = this.statement(node.elseStatement, elseEntry, depth + 1);
        addAbrupt(flow, otherwise);
        flow.normal |= otherwise.normal;
      }
    } else {
      flow.normal |= elseEntry;
    }
    return flow;
  }

  private tryStatement(node: ts.TryStatement, entry: number, depth: number): Flow {
    const body = this.statement(node.tryBlock, entry, depth + 1);
    let flow: Flow = body;
    if (node.catchClause) {
      flow = { normal: body.normal, thrown: NONE, returned: body.returned, jumps: body.jumps };
      if (body.thrown.mask) {
        const handler = this.statement(node.catchClause.block, body.thrown.mask, depth + 1);
        addAbrupt(flow, handler);
        flow.normal |= handler.normal;
      }
    }
    if (!node.finallyBlock) return flow;
    const finallyBlock = node.finallyBlock;
    const result = emptyFlow(0);
    const through = (exit: Exit): Exit => {
      if (exit.mask === 0) return NONE;
      const after = this.statement(finallyBlock, exit.mask, depth + 1);
      addAbrupt(result, after);
      return { mask: after.normal, site: after.normal & HELD ? exit.site : undefined };
    };
    if (flow.normal) {
      const after = this.statement(finallyBlock, flow.normal, depth + 1);
      addAbrupt(result, after);
      result.normal = after.normal;
    }
    result.thrown = mergeExit(result.thrown, through(flow.thrown));
    result.returned = mergeExit(result.returned, through(flow.returned));
    for (const jump of flow.jumps) {
      const exit = through(jump.exit);
      if (exit.mask) result.jumps = [...result.jumps, { ...jump, exit }];
    }
    return result;
  }

  private loop(node: ts.IterationStatement, entry: number, depth: number, label: string | undefined): Flow {
    const flow = emptyFlow(0);
    let head = entry;
    if (ts.isForStatement(node) && node.initializer) {
      const init = this.expression(node.initializer, head);
      addAbrupt(flow, init);
      head = init.normal;
    }
    if (ts.isForOfStatement(node) || ts.isForInStatement(node)) {
      const iterated = this.expression(node.expression, head);
      addAbrupt(flow, iterated);
      head = iterated.normal;
    }
    const condition = ts.isWhileStatement(node) ? node.expression : ts.isForStatement(node) ? node.condition : undefined;
    // Masks only grow, so a few rounds reach the fixed point; the last round covers every path.
    let last = emptyFlow(0);
    for (let round = 0; round < 4 && head !== 0; round++) {
      const parts: Flow[] = [];
      let bodyEntry = head;
      let leaves = 0;
      if (ts.isForOfStatement(node) || ts.isForInStatement(node)) {
        // Each step of the iterator may throw and, for `for await`, waits.
        if (ts.isForOfStatement(node) && node.awaitModifier) this.recordWait({ node, operand: node.expression }, head);
        parts.push({ ...emptyFlow(head), thrown: { mask: head, site: node } });
        leaves = head;
      } else if (condition) {
        const tested = this.expression(condition, head);
        parts.push(tested);
        bodyEntry = tested.normal;
        leaves = isAlwaysTrue(condition) ? 0 : tested.normal;
      }
      const body = this.statement(node.statement, bodyEntry, depth + 1);
      let backEdge = body.normal;
      const others: Jump[] = [];
      for (const jump of body.jumps) {
        const ours = jump.label === undefined || jump.label === label;
        if (ours && jump.kind === "break") leaves |= jump.exit.mask;
        else if (ours && jump.kind === "continue") backEdge |= jump.exit.mask;
        else others.push(jump);
      }
      parts.push({ ...body, jumps: others });
      if (ts.isForStatement(node) && node.incrementor && backEdge) {
        const increment = this.expression(node.incrementor, backEdge);
        parts.push(increment);
        backEdge = increment.normal;
      }
      if (ts.isDoStatement(node) && backEdge) {
        const tested = this.expression(node.expression, backEdge);
        parts.push(tested);
        if (!isAlwaysTrue(node.expression)) leaves |= tested.normal;
        backEdge = tested.normal;
      }
      last = emptyFlow(leaves);
      for (const part of parts) addAbrupt(last, part);
      const next = head | backEdge;
      if (next === head) break;
      head = next;
    }
    addAbrupt(flow, last);
    flow.normal = last.normal;
    return flow;
  }

  private switchStatement(node: ts.SwitchStatement, entry: number, depth: number): Flow {
    const discriminant = this.expression(node.expression, entry);
    const flow = emptyFlow(0);
    addAbrupt(flow, discriminant);
    const start = discriminant.normal;
    let fallthrough = 0;
    let hasDefault = false;
    for (const clause of node.caseBlock.clauses) {
      if (ts.isDefaultClause(clause)) hasDefault = true;
      let clauseEntry = start | fallthrough;
      if (ts.isCaseClause(clause)) {
        const test = this.expression(clause.expression, clauseEntry);
        addAbrupt(flow, test);
        clauseEntry = test.normal;
      }
      const body = this.statements(clause.statements, 0, clauseEntry, depth + 1);
      for (const jump of body.jumps) {
        if (jump.kind === "break" && jump.label === undefined) flow.normal |= jump.exit.mask;
        else flow.jumps = [...flow.jumps, jump];
      }
      flow.thrown = mergeExit(flow.thrown, body.thrown);
      flow.returned = mergeExit(flow.returned, body.returned);
      fallthrough = body.normal;
    }
    flow.normal |= fallthrough | (hasDefault ? 0 : start);
    return flow;
  }

  waits(): HeldWait[] {
    return [...this.waitMasks.values()].filter((entry) => entry.mask === HELD).map((entry) => entry.wait);
  }
}

/** Built-ins that do not throw on any argument: logging to the console, `Math.*`, `Date.now()`, `Array.isArray`, `Number.isX`. */
function cannotThrow(call: ts.CallExpression): boolean {
  const ref = resolveApi(call.expression);
  if (!ref || ref.module !== "<global>") return false;
  const [owner, member] = ref.path;
  if (ref.path.length !== 2 || !owner || !member) return false;
  if (owner === "console" || owner === "Math") return true;
  return (owner === "Date" && member === "now") || (owner === "Array" && member === "isArray") || (owner === "Number" && member.startsWith("is"));
}

/** `new Error(…)`, `new HttpError(…)`: building the exception to throw is not where it throws. */
function constructsError(node: ts.NewExpression): boolean {
  const callee = unwrapExpression(node.expression);
  const name = ts.isIdentifier(callee) ? callee.text : memberName(callee);
  return !!name && /Error$/.test(name);
}

/** `dottedName(expression) === text`, without recursion (property chains can be arbitrarily long). */
export function hasDottedName(expression: ts.Expression, text: string): boolean {
  const parts = text.split(".");
  let node = unwrapExpression(expression);
  for (let i = parts.length - 1; i > 0; i--) {
    if (!ts.isPropertyAccessExpression(node) || node.name.text !== parts[i]) return false;
    node = unwrapExpression(node.expression);
  }
  if (parts[0] === "this") return node.kind === ts.SyntaxKind.ThisKeyword;
  return ts.isIdentifier(node) && node.text === parts[0];
}

function isAlwaysTrue(expression: ts.Expression): boolean {
  const node = unwrapExpression(expression);
  return node.kind === ts.SyntaxKind.TrueKeyword || (ts.isNumericLiteral(node) && node.text !== "0");
}

/** The statement list and index where the hold begins: the binding's declaration, or the acquire's statement. */
function region(acquisition: Acquisition): { statements: readonly ts.Statement[]; from: number; container: ts.Node } | undefined {
  let anchor: ts.Node | undefined;
  if (acquisition.binding) {
    anchor = acquisition.binding;
    while (anchor && !ts.isVariableStatement(anchor)) anchor = anchor.parent;
  } else {
    const fn = enclosingScope(acquisition.call);
    for (let current: ts.Node = acquisition.call; current.parent; current = current.parent) {
      if (current.parent === fn || (ts.isBlock(current.parent) && current.parent.parent === fn)) {
        anchor = current;
        break;
      }
    }
  }
  const container = anchor?.parent;
  if (!anchor || !container) return undefined;
  const statements = ts.isBlock(container) || ts.isSourceFile(container) || ts.isModuleBlock(container) || ts.isCaseClause(container) || ts.isDefaultClause(container)
    ? container.statements
    : undefined;
  if (!statements) return undefined;
  const from = statements.indexOf(anchor as ts.Statement);
  return from < 0 ? undefined : { statements, from, container };
}

function enclosingScope(node: ts.Node): ts.Node {
  for (let current = node.parent; current; current = current.parent) {
    if (isFunctionNode(current) || ts.isSourceFile(current)) return current;
  }
  return node.getSourceFile();
}

function blockAwaits(nodes: readonly ts.Node[]): HeldWait[] {
  const waits: HeldWait[] = [];
  for (const root of nodes) {
    walk(root, (node) => {
      if (node !== root && isFunctionNode(node)) return false;
      if (ts.isAwaitExpression(node)) waits.push({ node, operand: node.expression });
      if (ts.isForOfStatement(node) && node.awaitModifier) waits.push({ node, operand: node.expression });
      return true;
    });
  }
  return waits;
}

/** What a `runExclusive` callback waits for while it holds the lock, including the promise it returns. */
function callbackWaits(callback: ts.FunctionLikeDeclaration): HeldWait[] {
  const body = callback.body;
  if (!body) return [];
  if (!ts.isBlock(body)) {
    const expression = unwrapExpression(body as ts.Expression);
    return ts.isAwaitExpression(expression) ? blockAwaits([expression]) : [{ node: expression, operand: expression }, ...blockAwaits([expression])];
  }
  const waits = blockAwaits([body]);
  walk(body, (node) => {
    if (node !== body && isFunctionNode(node)) return false;
    if (ts.isReturnStatement(node) && node.expression && !ts.isAwaitExpression(unwrapExpression(node.expression))) {
      waits.push({ node: node.expression, operand: node.expression });
    }
    return true;
  });
  return waits;
}

/**
 * Where an acquisition holds its resource and whether its release can be skipped. Undefined when the
 * code is beyond this analysis (it then reports nothing rather than guess).
 */
export function analyseHolding(acquisition: Acquisition): Holding | undefined {
  if (acquisition.style === "scoped") return acquisition.callback ? { waits: callbackWaits(acquisition.callback) } : undefined;
  const span = region(acquisition);
  if (!span) return undefined;
  if (acquisition.style === "using") return { waits: blockAwaits(span.statements.slice(span.from + 1)) };
  const analysis = new HoldingAnalysis(acquisition, enclosingScope(acquisition.call));
  // A lock taken here and released nowhere in this function is a lock() helper; its caller releases.
  if (acquisition.style === "owner" && !analysis.releasesLocally) return undefined;
  // A client that gets listeners and no release here is kept on purpose (a LISTEN/NOTIFY connection).
  const keptOnPurpose = analysis.listens && !analysis.releasesLocally;
  let flow: Flow;
  try {
    flow = analysis.statements(span.statements, span.from, UNACQUIRED, 0);
  } catch (error) {
    if (error instanceof GiveUp) return undefined;
    throw error;
  }
  const waits = analysis.waits();
  if (keptOnPurpose) return { waits };
  if (!analysis.releasedOrEscapes) return { waits, leak: { reason: "never", site: acquisition.call } };
  const exit = [flow.returned, ...flow.jumps.map((jump) => jump.exit)].find((candidate) => candidate.mask & HELD && candidate.site);
  if (exit) return { waits, leak: { reason: "exit", site: exit.site! } };
  if (flow.thrown.mask & HELD && flow.thrown.site) return { waits, leak: { reason: "throw", site: flow.thrown.site } };
  if (flow.normal & HELD) return { waits, leak: { reason: "end", site: span.container } };
  return { waits };
}
