/**
 * `--cache`: a file's result is reused only when nothing it can depend on changed. Facts that
 * span files are decided per package (a SIGTERM handler in one file covers a server in another
 * that never imports it; an `axios.defaults.timeout` anywhere covers every instance), so a file's
 * result depends on every file of its package and on every file those import (relative imports,
 * found in the text, across packages too), as well as on the settings: asyncpat's version, the
 * rules and their options, the config file, the tsconfig and the type-checker switch. Any change
 * there re-lints the package; other packages' results are reused. (ESLint's cache keys a file on
 * its own content only, which is wrong for typed and cross-file rules: typescript-eslint#6373.)
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "../errors.js";
import { packageKeyOf } from "./file-roles.js";
import { withImports } from "./shard.js";
import type { ConfiguredRule, FileResult } from "./types.js";

export type CacheStrategy = "metadata" | "content";

export interface CacheOptions {
  /** The cache file, or a folder to hold `.asyncpatcache`. */
  location: string;
  strategy: CacheStrategy;
  /** Everything besides the files that results depend on (version, rules, config, tsconfig), as text. */
  settings: string;
}

export const DEFAULT_CACHE_FILE = ".asyncpatcache";
const FORMAT = 1;

interface CacheFile {
  format: number;
  settings: string;
  /** By absolute path: the package digest the result was computed under, and the result (null: nothing to report, e.g. a fixture). */
  entries: Record<string, { digest: string; result: Omit<FileResult, "source"> | null }>;
}

export function cacheFilePath(location: string, cwd: string): string {
  const resolved = path.resolve(cwd, location);
  const isFolder = /[\\/]$/.test(location) || (existsSync(resolved) && statSync(resolved).isDirectory());
  return isFolder ? path.join(resolved, DEFAULT_CACHE_FILE) : resolved;
}

function hash(text: string | Buffer): string {
  return createHash("sha1").update(text).digest("hex");
}

/** What the run's files look like now: a fingerprint per file and a digest per package. */
export class Snapshot {
  private readonly fingerprints = new Map<string, string>();
  private readonly texts = new Map<string, string>();
  private readonly digests = new Map<string, string>();

  constructor(
    private readonly files: readonly string[],
    private readonly strategy: CacheStrategy,
  ) {}

  private members?: Map<string, string[]>;

  private packageMembers(): Map<string, string[]> {
    if (!this.members) {
      this.members = new Map();
      for (const member of this.files) {
        const key = packageKeyOf(member);
        const list = this.members.get(key);
        if (list) list.push(member);
        else this.members.set(key, [member]);
      }
    }
    return this.members;
  }

  text(file: string): string {
    let text = this.texts.get(file);
    if (text === undefined) {
      text = readFileSync(file, "utf8");
      this.texts.set(file, text);
    }
    return text;
  }

  fingerprint(file: string): string {
    let fingerprint = this.fingerprints.get(file);
    if (fingerprint === undefined) {
      if (this.strategy === "content") {
        fingerprint = hash(this.text(file));
      } else {
        const stat = statSync(file);
        fingerprint = `${stat.size}:${stat.mtimeMs}`;
      }
      this.fingerprints.set(file, fingerprint);
    }
    return fingerprint;
  }

  /** Digest of the package of `file`: its files and, transitively, every file they import. */
  digest(file: string): string {
    const key = packageKeyOf(file);
    let digest = this.digests.get(key);
    if (digest !== undefined) return digest;
    const members = this.packageMembers().get(key) ?? [file];
    const included = withImports(members, this.files, (member) => this.text(member));
    digest = hash(
      [...included]
        .sort()
        .map((member) => `${member}\u0000${this.fingerprint(member)}`)
        .join("\n"),
    );
    this.digests.set(key, digest);
    return digest;
  }
}

export interface CacheLookup {
  /** Results reused, by path (null: the file had nothing to report). */
  hits: Map<string, FileResult | null>;
  /** Files to lint. */
  stale: string[];
}

export class LintCache {
  private entries: CacheFile["entries"] = {};

  constructor(
    readonly filePath: string,
    private readonly settings: string,
  ) {
    if (!existsSync(filePath)) return;
    try {
      const parsed = JSON.parse(readFileSync(filePath, "utf8")) as CacheFile;
      if (parsed.format === FORMAT && parsed.settings === settings && parsed.entries) this.entries = parsed.entries;
    } catch {
      // A damaged cache is a cold cache.
    }
  }

  lookUp(files: readonly string[], snapshot: Snapshot): CacheLookup {
    const hits = new Map<string, FileResult | null>();
    const stale: string[] = [];
    for (const file of files) {
      const entry = this.entries[file];
      let fresh = false;
      try {
        fresh = entry !== undefined && entry.digest === snapshot.digest(file);
      } catch {
        fresh = false;
      }
      if (fresh) hits.set(file, entry!.result && { ...entry!.result, source: snapshot.text(file) });
      else stale.push(file);
    }
    return { hits, stale };
  }

  store(file: string, digest: string, result: FileResult | null): void {
    if (result) {
      const { source: _source, ...kept } = result;
      this.entries[file] = { digest, result: kept };
    } else {
      this.entries[file] = { digest, result: null };
    }
  }

  forget(file: string): void {
    delete this.entries[file];
  }

  async save(keep: ReadonlySet<string>): Promise<void> {
    const entries: CacheFile["entries"] = {};
    for (const [file, entry] of Object.entries(this.entries)) if (keep.has(file)) entries[file] = entry;
    const data: CacheFile = { format: FORMAT, settings: this.settings, entries };
    const temporary = `${this.filePath}.${process.pid}.tmp`;
    try {
      await mkdir(path.dirname(this.filePath), { recursive: true });
      await writeFile(temporary, JSON.stringify(data));
      await rename(temporary, this.filePath);
    } catch (error) {
      throw new UsageError(
        `--cache-location ${this.filePath}: cannot write the cache (${error instanceof Error ? error.message : String(error)}). Pass a writable path.`,
      );
    }
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
    settings: cacheSettings({
      version: run.version,
      ruleIds: run.ruleIds,
      rules: run.config.rules.map((configured) => [configured.rule.id, configured.severity, configured.options]),
      files: [run.config.filePath, run.tsconfigPath],
      extra: { overrides: flags.rule, roles: run.config.roles, ignore: run.config.ignore, types: run.types },
    }),
  };
}
