/**
 * `--cache`: a file's result is reused only when nothing it depends on changed: its own text (or
 * size and time, per `--cache-strategy`); the settings (asyncpat's version, the rules and their
 * options, the config file, the tsconfig, the type-checker switch); every file it imports or a rule
 * read while linting it, transitively (with types: what TypeScript resolved, path aliases too);
 * the folders those imports were resolved in (a file added there can change where they go); the
 * package's global declarations when it used the type checker; and the package facts it used
 * (`program.facts`: a SIGTERM handler in another file, `axios.defaults.timeout` anywhere), compared
 * through per-file summaries kept by content, so an unrelated edit elsewhere keeps it. A change
 * that only touches comments or whitespace re-lints the file but not its dependants. Only the
 * invalidated files are linted; the others are parsed only when a rule reads them, and with types
 * the program is built from the re-linted files and what they import. (ESLint's cache keys a file
 * on its own content only, which is wrong for typed and cross-file rules: typescript-eslint#6373.)
 */
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "../errors.js";
import { factDigest, type DependencyTracker, type FactSummary, type FileReads } from "./dependencies.js";
import { addStats, emptyStats, lintFiles, type EngineOptions } from "./engine.js";
import { packageKeyOf } from "./file-roles.js";
import { createLintSession, type ConfiguredRule, type FileResult, type LintReport, type LintStats } from "./types.js";

export type CacheStrategy = "metadata" | "content";

export interface CacheOptions {
  /** The cache file, or a folder to hold `.asyncpatcache`. */
  location: string;
  strategy: CacheStrategy;
  /** Everything besides the files that results depend on (version, rules, config, tsconfig), as text. */
  settings: string;
  /** asyncpat's version, written into the file so a cache of another version is named when it is dropped. */
  version: string;
}

export const DEFAULT_CACHE_FILE = ".asyncpatcache";
const FORMAT = 2;

/** What is known of a file of the run: its fingerprint, the digest its dependants are keyed on, and what it is. */
interface FileRecord {
  fp: string;
  /** Its tokens without comments and whitespace (the full text for JS, JSX and declarations). */
  sig: string;
  /** A global declaration (a `.d.ts`, a script without imports or exports, `declare global`): a root of every type program. */
  global?: true;
  /** Handed to the TypeScript backend (not skipped by role): it takes part in package facts. */
  ts?: true;
  /** The run's files it imports, as TypeScript resolved them. */
  imports?: string[];
}

type StoredResult = Omit<FileResult, "source">;

interface ResultRecord {
  /** null: nothing to report (a fixture, say). */
  result: StoredResult | null;
  /** Files whose change can change the result (each one's own dependencies count too). */
  edges: string[];
  /** Folders an import was resolved in, with the digest of their listing then. */
  dirs: Record<string, string>;
  /** It read every file of its package: the digest of the package then. */
  all?: string;
  /** Package facts it used, by id, with their digest then. */
  facts?: Record<string, string>;
  /** It used the type checker. */
  types?: true;
}

interface StoredSummary {
  fp: string;
  value?: unknown;
  dirs: Record<string, string>;
}

interface CacheFile {
  format: number;
  version: string;
  settings: string;
  files: Record<string, FileRecord>;
  results: Record<string, ResultRecord>;
  /** By fact id, then by file. */
  summaries: Record<string, Record<string, StoredSummary>>;
}

export async function cacheFilePath(location: string, cwd: string): Promise<string> {
  const resolved = path.resolve(cwd, location);
  const isFolder = /[\\/]$/.test(location) || (await stat(resolved).catch(() => undefined))?.isDirectory() === true;
  return isFolder ? path.join(resolved, DEFAULT_CACHE_FILE) : resolved;
}

function hash(text: string | Buffer): string {
  return createHash("sha1").update(text).digest("hex");
}

/** Reads the cache file; a missing one is empty, a damaged or foreign one is empty with a notice. */
async function readCache(filePath: string, options: CacheOptions, notices: string[]): Promise<CacheFile> {
  const empty: CacheFile = { format: FORMAT, version: options.version, settings: options.settings, files: {}, results: {}, summaries: {} };
  let parsed: Partial<CacheFile>;
  try {
    parsed = JSON.parse(await readFile(filePath, "utf8")) as Partial<CacheFile>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return empty;
    const reason = error instanceof Error ? error.message : String(error);
    notices.push(`asyncpat: the cache ${filePath} cannot be read (${reason}); linting every file and writing a new one.\n`);
    return empty;
  }
  const shaped =
    parsed !== null &&
    typeof parsed === "object" &&
    typeof parsed.files === "object" &&
    typeof parsed.results === "object" &&
    typeof parsed.summaries === "object";
  if (parsed?.format !== FORMAT || parsed.version !== options.version || !shaped) {
    const writer = typeof parsed?.version === "string" ? `asyncpat ${parsed.version}` : "another version of asyncpat";
    notices.push(`asyncpat: the cache ${filePath} was written by ${writer}; linting every file and writing a new one.\n`);
    return empty;
  }
  // other settings (a rule's options, the config, the tsconfig): every result is stale, silently
  if (parsed.settings !== options.settings) return empty;
  return parsed as CacheFile;
}

const RELATIVE_SPECIFIER = /(?:from|import|require)\s*\(?\s*["'](\.{1,2}\/[^"'\n]+)["']/g;
const EXTENSIONS = [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"];

/** Relative imports in the text (a match in a comment only adds an edge, which is safe), resolved to the run's files. */
function scanImports(filePath: string, text: string, known: ReadonlySet<string>): { files: string[]; dirs: string[] } {
  const files: string[] = [];
  const dirs: string[] = [];
  for (const match of text.matchAll(RELATIVE_SPECIFIER)) {
    const base = path.resolve(path.dirname(filePath), match[1]!);
    dirs.push(path.dirname(base), base);
    const extension = path.extname(base);
    const stem = base.slice(0, base.length - extension.length);
    const candidates = [base, `${stem}.ts`, `${stem}.tsx`, `${stem}.mts`, `${stem}.cts`];
    for (const ext of EXTENSIONS) candidates.push(`${base}${ext}`, path.join(base, `index${ext}`));
    for (const candidate of candidates) if (known.has(candidate)) files.push(candidate);
  }
  return { files, dirs };
}

type TypeScript = typeof import("ts-morph").ts;

/** Whether a token after `previous` starts an expression (so `/` opens a regular expression). */
function startsOperand(ts: TypeScript, previous: number): boolean {
  const { SyntaxKind } = ts;
  switch (previous) {
    case SyntaxKind.Identifier:
    case SyntaxKind.PrivateIdentifier:
    case SyntaxKind.ThisKeyword:
    case SyntaxKind.SuperKeyword:
    case SyntaxKind.TrueKeyword:
    case SyntaxKind.FalseKeyword:
    case SyntaxKind.NullKeyword:
    case SyntaxKind.NumericLiteral:
    case SyntaxKind.BigIntLiteral:
    case SyntaxKind.StringLiteral:
    case SyntaxKind.NoSubstitutionTemplateLiteral:
    case SyntaxKind.TemplateTail:
    case SyntaxKind.RegularExpressionLiteral:
    case SyntaxKind.CloseParenToken:
    case SyntaxKind.CloseBracketToken:
    case SyntaxKind.PlusPlusToken:
    case SyntaxKind.MinusMinusToken:
      return false;
    default:
      return true;
  }
}

/**
 * The digest a file's dependants are keyed on: its tokens, without comments and whitespace, so an
 * edit to those re-lints the file itself only. JS and JSX (JSDoc types, JSX text) and declaration
 * files are taken whole. Where the scanner could misread (a `/` after `)`), it reads a regular
 * expression, which keeps more text, never less.
 */
function signature(ts: TypeScript | undefined, filePath: string, text: string): string {
  if (!ts || !/\.[mc]?ts$/.test(filePath) || /\.d\.[mc]?ts$/.test(filePath) || text.includes("/// <")) return hash(text);
  const { SyntaxKind } = ts;
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, true, ts.LanguageVariant.Standard, text);
  const digest = createHash("sha1");
  const braces: boolean[] = [];
  let previous: number = SyntaxKind.Unknown;
  for (let kind = scanner.scan(); kind !== SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if ((kind === SyntaxKind.SlashToken || kind === SyntaxKind.SlashEqualsToken) && startsOperand(ts, previous)) {
      kind = scanner.reScanSlashToken();
    } else if (kind === SyntaxKind.TemplateHead || kind === SyntaxKind.OpenBraceToken) {
      braces.push(kind === SyntaxKind.TemplateHead);
    } else if (kind === SyntaxKind.CloseBraceToken && braces.pop()) {
      kind = scanner.reScanTemplateToken(false);
      if (kind === SyntaxKind.TemplateMiddle) braces.push(true);
    }
    digest.update(scanner.getTokenText()).update("\u0000");
    previous = kind;
  }
  return digest.digest("hex");
}

/** A declaration TypeScript applies to every file of the program, imported or not. */
function isGlobalDeclaration(filePath: string, text: string): boolean {
  if (!/\.[mc]?[jt]sx?$/.test(filePath)) return false;
  return (
    /\.d\.[mc]?ts$/.test(filePath) ||
    /\bdeclare\s+global\b/.test(text) ||
    /^\s*declare\s+module\s+["']/m.test(text) ||
    // a script: no import or export, and not CommonJS (which TypeScript takes as a module)
    !/^\s*(import|export)\b|\brequire\s*\(|\bmodule\.exports\b|\bexports\.\w/m.test(text)
  );
}

/** The run's files as they are now: fingerprints, texts read on demand, folder listings, packages. */
class Snapshot {
  private readonly fingerprints = new Map<string, string>();
  private readonly texts = new Map<string, string>();
  readonly known: ReadonlySet<string>;
  private readonly listings = new Map<string, string>();
  readonly packages = new Map<string, string[]>();

  constructor(
    readonly files: readonly string[],
    private readonly strategy: CacheStrategy,
    private readonly contents?: ReadonlyMap<string, string>,
  ) {
    this.known = new Set(files);
    const byFolder = new Map<string, string[]>();
    for (const file of files) {
      const folder = path.dirname(file);
      const names = byFolder.get(folder);
      if (names) names.push(path.basename(file));
      else byFolder.set(folder, [path.basename(file)]);
      const key = packageKeyOf(file);
      const members = this.packages.get(key);
      if (members) members.push(file);
      else this.packages.set(key, [file]);
    }
    for (const [folder, names] of byFolder) this.listings.set(folder, hash(names.sort().join("\n")));
  }

  text(file: string): string {
    let text = this.texts.get(file);
    if (text === undefined) {
      try {
        text = this.contents?.get(file) ?? readFileSync(file, "utf8");
      } catch {
        text = "";
      }
      this.texts.set(file, text);
    }
    return text;
  }

  fingerprint(file: string): string {
    let fingerprint = this.fingerprints.get(file);
    if (fingerprint === undefined) {
      try {
        if (this.strategy === "content") {
          fingerprint = hash(this.text(file));
        } else {
          const stat = statSync(file);
          fingerprint = `${stat.size}:${stat.mtimeMs}`;
        }
      } catch {
        fingerprint = "missing";
      }
      this.fingerprints.set(file, fingerprint);
    }
    return fingerprint;
  }

  listing(folder: string): string {
    return this.listings.get(folder) ?? "";
  }

  listingsOf(folders: Iterable<string>): Record<string, string> {
    const digests: Record<string, string> = {};
    for (const folder of folders) digests[folder] = this.listing(folder);
    return digests;
  }

  listingsMatch(digests: Record<string, string>): boolean {
    return Object.entries(digests).every(([folder, digest]) => this.listing(folder) === digest);
  }
}

/** The snapshot's texts as the engine's `contents`: one synchronous read per file, shared with the cache's own reads. */
class SnapshotTexts extends Map<string, string> {
  constructor(private readonly snapshot: Snapshot) {
    super();
  }

  override get(file: string): string | undefined {
    return this.snapshot.known.has(file) ? this.snapshot.text(file) : undefined;
  }
}

export interface CachedReport extends LintReport {
  split: string;
  notices: string[];
}

/**
 * Lints what changed among `scope.lint` (reading `scope.context`) and reuses the rest from the
 * cache. Runs in this thread: the dependency tracker is handed to the backend.
 */
export async function lintCached(
  engine: EngineOptions,
  scope: { lint: readonly string[]; context: readonly string[] },
  options: CacheOptions,
  note: string,
): Promise<CachedReport> {
  const notices: string[] = [];
  const cachePath = await cacheFilePath(options.location, engine.cwd);
  const cache = await readCache(cachePath, options, notices);
  const snapshot = new Snapshot(engine.files, options.strategy, engine.contents);
  const inScope = new Set(scope.lint);

  // 1. the files whose fingerprint changed, and among them those whose dependants must follow
  const changed = new Set<string>();
  const propagating = new Set<string>();
  let ts: TypeScript | undefined;
  for (const file of engine.files) {
    const record = cache.files[file];
    const fp = snapshot.fingerprint(file);
    if (record?.fp === fp) continue;
    changed.add(file);
    if (/\.[mc]?ts$/.test(file)) ts ??= (await import("#compiler")).ts;
    const text = snapshot.text(file);
    const next: FileRecord = { fp, sig: signature(ts, file, text) };
    if (isGlobalDeclaration(file, text)) next.global = true;
    if (record?.ts) next.ts = true;
    // kept until TypeScript resolves the new text: a stale edge only re-lints more
    if (record?.imports) next.imports = record.imports;
    if (record?.sig !== next.sig || record.global !== next.global) propagating.add(file);
    cache.files[file] = next;
  }
  for (const file of Object.keys(cache.files)) {
    if (snapshot.known.has(file)) continue;
    propagating.add(file);
    delete cache.files[file];
    delete cache.results[file];
  }
  const globalsChanged = new Set([...propagating].filter((file) => cache.files[file]?.global).map((file) => packageKeyOf(file)));
  for (const file of propagating) if (!cache.files[file]) globalsChanged.add(packageKeyOf(file));

  const packageDigest = (key: string) =>
    hash((snapshot.packages.get(key) ?? []).map((file) => `${file}\u0000${cache.files[file]?.sig ?? ""}`).join("\n"));
  const factDigestNow = (factId: string, key: string): string | undefined => {
    const summaries: [string, unknown][] = [];
    for (const file of snapshot.packages.get(key) ?? []) {
      if (!cache.files[file]?.ts) continue;
      const stored = cache.summaries[factId]?.[file];
      if (!stored || stored.fp !== snapshot.fingerprint(file) || !snapshot.listingsMatch(stored.dirs)) return undefined;
      summaries.push([file, stored.value]);
    }
    return factDigest(summaries);
  };

  // 2. results invalidated by what changed: through imports and reads (transitively), folders, packages, globals
  const importers = new Map<string, string[]>();
  const addEdge = (from: string, to: string) => {
    const list = importers.get(to);
    if (list) list.push(from);
    else importers.set(to, [from]);
  };
  for (const [file, record] of Object.entries(cache.results)) for (const edge of record.edges) addEdge(file, edge);
  for (const [file, record] of Object.entries(cache.files)) for (const edge of record.imports ?? []) addEdge(file, edge);
  const invalid = new Set<string>(changed);
  const reached = new Set(propagating);
  const queue = [...propagating];
  while (queue.length > 0) {
    for (const importer of importers.get(queue.pop()!) ?? []) {
      if (reached.has(importer)) continue;
      reached.add(importer);
      invalid.add(importer);
      queue.push(importer);
    }
  }
  const pending = new Map<string, Set<string>>();
  for (const file of engine.files) {
    const record = cache.results[file];
    if (!record) {
      invalid.add(file);
      continue;
    }
    if (invalid.has(file)) continue;
    const key = packageKeyOf(file);
    if (
      !snapshot.listingsMatch(record.dirs) ||
      (record.all !== undefined && record.all !== packageDigest(key)) ||
      (record.types && globalsChanged.has(key))
    ) {
      invalid.add(file);
      continue;
    }
    for (const [factId, digest] of Object.entries(record.facts ?? {})) {
      const now = factDigestNow(factId, key);
      if (now === undefined) {
        const waiting = `${factId}\u0001${key}`;
        const files = pending.get(waiting);
        if (files) files.add(file);
        else pending.set(waiting, new Set([file]));
      } else if (now !== digest) {
        invalid.add(file);
        break;
      }
    }
  }

  // 3. lint the invalidated files; then decide the results that wait on a package fact whose summaries were missing
  const session = createLintSession();
  const linted = new Map<string, FileResult | null>();
  const reports: LintReport[] = [];
  const lint = async (files: readonly string[]) => {
    const todo = files.filter((file) => inScope.has(file) && !linted.has(file));
    if (todo.length === 0) return;
    const recorded = new Map<string, FileReads>();
    const packagesLinted = new Set(todo.map((file) => packageKeyOf(file)));
    const roots = new Set(
      engine.types ? engine.files.filter((file) => cache.files[file]?.global && packagesLinted.has(packageKeyOf(file))) : [],
    );
    const tracker: DependencyTracker = {
      roots,
      summary(factId, file) {
        const stored = cache.summaries[factId]?.[file];
        if (!stored || stored.fp !== snapshot.fingerprint(file) || !snapshot.listingsMatch(stored.dirs)) return undefined;
        return { value: stored.value, dirs: Object.keys(stored.dirs) };
      },
      storeSummary(factId, file, summary: FactSummary) {
        (cache.summaries[factId] ??= {})[file] = {
          fp: snapshot.fingerprint(file),
          value: summary.value,
          dirs: snapshot.listingsOf(summary.dirs),
        };
      },
      participants(files) {
        const taking = new Set(files);
        for (const file of scope.context) {
          const record = cache.files[file];
          if (!record || !/\.[mc]?[jt]sx?$/.test(file)) continue;
          if (taking.has(file)) record.ts = true;
          else delete record.ts;
        }
      },
      record(file, reads) {
        recorded.set(file, reads);
      },
      edges(file, imports) {
        const record = cache.files[file];
        if (record) record.imports = [...imports];
      },
    };
    const report = await lintFiles({
      ...engine,
      files: scope.context,
      contents: new SnapshotTexts(snapshot),
      lintOnly: new Set(todo),
      dependencies: tracker,
      session,
    });
    reports.push(report);
    const byPath = new Map(report.results.map((result) => [result.filePath, result]));
    const crashed = new Set(report.internalErrors.map((error) => error.filePath));
    for (const file of todo) {
      const result = byPath.get(file) ?? null;
      linted.set(file, result);
      if (crashed.has(file)) {
        delete cache.results[file];
        continue;
      }
      const reads = recorded.get(file);
      const scanned = scanImports(file, snapshot.text(file), snapshot.known);
      const edges = new Set([...scanned.files, ...(reads?.files ?? [])]);
      edges.delete(file);
      const entry: ResultRecord = {
        result: result && stripSource(result),
        edges: [...edges],
        dirs: snapshot.listingsOf(new Set([...scanned.dirs, ...(reads?.dirs ?? [])])),
      };
      // the Rust backend does not record its reads: its files depend on their whole package
      if (reads?.all || (result !== null && !reads && file.endsWith(".rs"))) entry.all = packageDigest(packageKeyOf(file));
      if (reads && reads.facts.size > 0) entry.facts = Object.fromEntries(reads.facts);
      if (reads?.types) entry.types = true;
      cache.results[file] = entry;
    }
  };
  await lint([...invalid].sort());
  const probes: string[] = [];
  for (const [waiting, files] of pending) {
    const [factId, key] = waiting.split("\u0001") as [string, string];
    if (factDigestNow(factId, key) === undefined) {
      const probe = [...files].find((file) => inScope.has(file) && !invalid.has(file));
      if (probe) probes.push(probe);
    }
  }
  await lint(probes);
  for (const [waiting, files] of pending) {
    const [factId, key] = waiting.split("\u0001") as [string, string];
    const now = factDigestNow(factId, key);
    for (const file of files) if (now === undefined || cache.results[file]?.facts?.[factId] !== now) invalid.add(file);
  }
  await lint([...invalid].sort());
  // an invalidated result this run did not redo (another shard's file) must not outlive it
  for (const file of invalid) if (!linted.has(file)) delete cache.results[file];

  await saveCache(cachePath, cache, snapshot.known);

  const results: FileResult[] = [];
  let reused = 0;
  for (const file of scope.lint) {
    if (linted.has(file)) {
      const result = linted.get(file);
      if (result) results.push(result);
      continue;
    }
    reused++;
    const stored = cache.results[file]?.result;
    if (stored) results.push({ ...stored, source: snapshot.text(file) });
  }
  results.sort((a, b) => a.filePath.localeCompare(b.filePath));
  const stats = sumStats(reports.map((report) => report.stats));
  return {
    results,
    internalErrors: reports.flatMap((report) => report.internalErrors),
    stats,
    split: `${note}cache: reused ${reused} of ${scope.lint.length} files, linted ${linted.size}${
      probes.length > 0 ? ` (${probes.length} of them to recompute package facts a changed file takes part in)` : ""
    }`,
    notices,
  };
}

function stripSource(result: FileResult): StoredResult {
  const { source: _source, ...kept } = result;
  return kept;
}

function sumStats(all: readonly LintStats[]): LintStats {
  const stats = emptyStats();
  for (const from of all) addStats(stats, from, "sum");
  return stats;
}

async function saveCache(filePath: string, cache: CacheFile, keep: ReadonlySet<string>): Promise<void> {
  const kept = <T>(records: Record<string, T>) => Object.fromEntries(Object.entries(records).filter(([file]) => keep.has(file)));
  const summaries: CacheFile["summaries"] = {};
  for (const [factId, byFile] of Object.entries(cache.summaries)) summaries[factId] = kept(byFile);
  const data: CacheFile = { ...cache, files: kept(cache.files), results: kept(cache.results), summaries };
  const temporary = `${filePath}.${process.pid}.tmp`;
  try {
    await mkdir(path.dirname(filePath), { recursive: true });
    await writeFile(temporary, JSON.stringify(data));
    await rename(temporary, filePath);
  } catch (error) {
    throw new UsageError(
      `--cache-location ${filePath}: cannot write the cache (${error instanceof Error ? error.message : String(error)}). Pass a writable path.`,
    );
  }
}

/** The settings part of the cache key: anything besides the files that can change a result. */
export function cacheSettings(parts: {
  version: string;
  ruleIds: readonly string[];
  rules: unknown;
  files: readonly (string | undefined)[];
  extra: unknown;
}): string {
  const fileTexts = parts.files.map((file) => {
    if (!file) return "";
    try {
      return `${file}\u0000${hash(readFileSync(file))}`;
    } catch {
      return `${file}\u0000missing`;
    }
  });
  return hash(JSON.stringify([parts.version, parts.ruleIds, parts.rules, fileTexts, parts.extra]));
}

export function parseCacheStrategy(value: string): CacheStrategy {
  if (value === "metadata" || value === "content") return value;
  throw new UsageError(`--cache-strategy takes metadata or content, not "${value}".`);
}

/** The cache options of a run, from its flags (undefined without `--cache`). */
export function cacheOptionsFor(
  flags: { cache?: boolean; cacheLocation?: string; cacheStrategy?: CacheStrategy; rule: readonly string[] },
  run: {
    version: string;
    ruleIds: readonly string[];
    config: { filePath?: string; rules: readonly ConfiguredRule[]; roles: unknown; ignore: readonly string[] };
    tsconfigPath?: string;
    types: boolean;
  },
): CacheOptions | undefined {
  if (!flags.cache) return undefined;
  return {
    location: flags.cacheLocation ?? DEFAULT_CACHE_FILE,
    strategy: flags.cacheStrategy ?? "metadata",
    version: run.version,
    settings: cacheSettings({
      version: run.version,
      ruleIds: run.ruleIds,
      rules: run.config.rules.map((configured) => [configured.rule.id, configured.severity, configured.options]),
      files: [run.config.filePath, run.tsconfigPath],
      extra: { overrides: flags.rule, roles: run.config.roles, ignore: run.config.ignore, types: run.types },
    }),
  };
}
