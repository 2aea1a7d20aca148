import { GLOBAL_MODULE, isApi, type ApiRef } from "../imports.js";

/**
 * Resource families: which APIs take a lock, a semaphore permit, a pooled client or a file handle, and how each is released (built in, or from a rule's `resources` option).
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
      description:
        "Export that creates the owner (class or factory, dotted when nested), or the acquiring function itself when `acquire` is omitted.",
    },
    acquire: { type: "string", description: "Method of the owner that acquires (`getConnection`); omit when calling the export acquires." },
    release: {
      type: "string",
      description:
        "Method that releases, called on the acquired value or on the owner; omit when the acquired value is the release function.",
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
  /** The acquire method's name is enough: whatever its receiver, the call acquires (`createQueryRunner`). */
  anyOwner?: boolean;
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

/**
 * Locks and semaphores of other packages, recognised by the class name (`Mutex` of await-semaphore,
 * `Semaphore` of semaphore-async-await, also through `require()`): an awaited `acquire()` gives the
 * release function, or a permit released with `.release()`, or nothing and the owner releases.
 */
const ANY_PACKAGE = ["*"];
const named = (...names: string[]): ApiPattern[] => names.map((name) => ({ modules: ANY_PACKAGE, path: [name] }));
const LIBRARY_LOCK_NAMES = named("Mutex", "Lock", "AsyncMutex", "RWLock", "ReadWriteLock");
const LIBRARY_SEMAPHORE_NAMES = named("Semaphore", "AsyncSemaphore", "Sema");

const LIBRARY_FAMILIES: readonly ResourceFamily[] = [
  {
    kind: "lock",
    noun: "mutex",
    owners: LIBRARY_LOCK_NAMES,
    ownerTypes: LIBRARY_LOCK_NAMES,
    wrappers: [],
    functions: [],
    acquireMethods: ["acquire"],
    valueRelease: ["release"],
    ownerRelease: ["release"],
    releaserValue: true,
    exclusiveMethods: [],
  },
  {
    kind: "semaphore",
    noun: "semaphore permit",
    owners: LIBRARY_SEMAPHORE_NAMES,
    ownerTypes: LIBRARY_SEMAPHORE_NAMES,
    wrappers: [],
    functions: [],
    acquireMethods: ["acquire"],
    valueRelease: ["release"],
    ownerRelease: ["release"],
    releaserValue: true,
    exclusiveMethods: [],
  },
  {
    // ORM query runners (TypeORM's `await connection.createQueryRunner()`) hold a pooled connection until `release()`.
    kind: "connection",
    noun: "query runner",
    owners: [],
    ownerTypes: [],
    wrappers: [],
    functions: [],
    acquireMethods: ["createQueryRunner"],
    valueRelease: ["release"],
    ownerRelease: [],
    releaserValue: false,
    exclusiveMethods: [],
    anyOwner: true,
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
  const families = [...BUILTIN_FAMILIES, ...LIBRARY_FAMILIES];
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

/** A package's export (not a global, not a file of the project), for the `*` module of the library families. */
function isPackageExport(ref: ApiRef | undefined, path: readonly string[]): boolean {
  if (!ref || ref.module === GLOBAL_MODULE || ref.module.startsWith(".") || ref.module.startsWith("/")) return false;
  return ref.path.length === path.length && ref.path.every((segment, index) => segment === path[index]);
}

export function matches(ref: ApiRef | undefined, patterns: readonly ApiPattern[]): boolean {
  return patterns.some((pattern) =>
    pattern.modules === ANY_PACKAGE ? isPackageExport(ref, pattern.path) : isApi(ref, pattern.modules, ...pattern.path),
  );
}
