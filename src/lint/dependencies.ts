/**
 * What a linted file's result depends on besides its own text, as a backend records it for
 * `--cache` (cache.ts decides from it which cached results stay valid).
 */
import { createHash } from "node:crypto";

export interface FileReads {
  /** Files whose content it read: import targets, files a rule looked into, what the type checker loaded. */
  files: Set<string>;
  /** Folders a module resolution looked in: a file added or removed there can change the result. */
  dirs: Set<string>;
  /** Read every file of its package (`program.files`). */
  all: boolean;
  /** Package facts used (`program.facts`), by id, with the digest of the summaries they were built from. */
  facts: Map<string, string>;
  /** Asked for the type checker. */
  types: boolean;
}

export function emptyReads(): FileReads {
  return { files: new Set(), dirs: new Set(), all: false, facts: new Map(), types: false };
}

/** Adds what `from` read to `into` (a memo's reads to the file that used the memo). */
export function mergeReads(into: FileReads, from: FileReads): void {
  for (const file of from.files) into.files.add(file);
  for (const dir of from.dirs) into.dirs.add(dir);
  into.all ||= from.all;
  into.types ||= from.types;
  for (const [id, digest] of from.facts) into.facts.set(id, digest);
}

/** One file's summary for a package fact: a JSON value (undefined: the file did not parse), and the folders it resolved imports in. */
export interface FactSummary {
  value: unknown;
  dirs: string[];
}

/**
 * Handed to a backend by `--cache` (BackendRunOptions.dependencies): it parses only the files to
 * lint and `roots` up front and the rest on demand, and reports what each linted file read.
 */
export interface DependencyTracker {
  /** Files to parse up front besides the files to lint: global declarations, roots of the type program. */
  readonly roots: ReadonlySet<string>;
  /** A summary kept from an earlier run, when the file and the folders it resolved in are unchanged. */
  summary(factId: string, filePath: string): FactSummary | undefined;
  storeSummary(factId: string, filePath: string, summary: FactSummary): void;
  /** The files a backend took as part of its program (they parsed or may parse; not skipped by role). */
  participants(files: readonly string[]): void;
  record(filePath: string, reads: FileReads): void;
  /** The run's files a file of the type program imports, as TypeScript resolved them (path aliases too). */
  edges(filePath: string, imports: readonly string[]): void;
}

/** The digest of a package fact: its files' summaries, in path order. The backend and the cache compute it the same way. */
export function factDigest(summaries: Iterable<readonly [string, unknown]>): string {
  const hash = createHash("sha1");
  for (const [file, value] of [...summaries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    if (value === undefined) continue;
    hash.update(file).update("\u0000").update(JSON.stringify(value)).update("\n");
  }
  return hash.digest("hex");
}
