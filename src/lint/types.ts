import type { Rule } from "./rule.js";
import type { RuleSeverity } from "./rule-meta.js";
import type { Fix, Suggestion } from "./edits.js";
import type { DependencyTracker } from "./dependencies.js";

export type { Fix, Suggestion };

/** One problem in a file; the shape of ESLint's `LintMessage` plus our `help`. */
export interface LintMessage {
  /** null for problems that are not a rule's: a parse error, an unused suppression. */
  ruleId: string | null;
  messageId?: string;
  /** 1 warning, 2 error (ESLint's numbers). */
  severity: 1 | 2;
  message: string;
  /** What to do instead. */
  help?: string;
  /** 1-based line and column of the start; end is exclusive. */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  fatal?: boolean;
  /** An edit `--fix` applies: it keeps behaviour apart from the anti-pattern and keeps the file compiling. */
  fix?: Fix;
  /** Edits offered, not applied. */
  suggestions?: Suggestion[];
}

/** A message a suppression hid, ESLint's shape: bulk suppressions are `{ kind: "file", justification: "" }`. */
export interface SuppressedLintMessage extends LintMessage {
  suppressions: { kind: "directive" | "file"; justification: string }[];
}

export interface FileResult {
  filePath: string;
  messages: LintMessage[];
  /** What a suppressions file hid (`asyncpat-suppressions.json`); kept for json and sarif output. */
  suppressedMessages?: SuppressedLintMessage[];
  errorCount: number;
  warningCount: number;
  /** The file's text, kept for code frames; not part of the JSON output. */
  source?: string;
  /** With `--fix`/`--fix-dry-run`: the fixed text, when fixes changed it (ESLint's `output`). */
  output?: string;
}

/** A rule that threw on a file: the run goes on and exits 2. */
export interface InternalError {
  ruleId: string;
  filePath: string;
  message: string;
}

export interface LintStats {
  files: number;
  lines: number;
  /** Milliseconds. */
  parseMs: number;
  rulesMs: number;
  typeCheckerMs: number;
  /** Milliseconds spent in each rule (its listeners and create()), when timing was asked for. */
  ruleMs: Record<string, number>;
  byLanguage: Record<string, { files: number; lines: number; ms: number }>;
  /** Files linted per role. */
  linted: Partial<Record<string, number>>;
  /** Files not linted per role (fixtures and generated files by default). */
  skipped: Partial<Record<string, number>>;
}

export interface LintReport {
  results: FileResult[];
  internalErrors: InternalError[];
  stats: LintStats;
}

/** A rule as configured for this run. */
export interface ConfiguredRule {
  rule: Rule;
  severity: RuleSeverity;
  /** The options the config gives (validated against the rule's schema), before each implementation's defaults. */
  options: Record<string, unknown>;
}

/** A suppression comment found in a file. */
export interface Directive {
  kind: "next-line" | "file";
  ruleIds: string[];
  reason: string | undefined;
  /** 1-based line and column of the comment. */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** What a language backend hands back for one file, before suppressions are applied. */
export interface BackendFileResult {
  filePath: string;
  source: string;
  lines: number;
  messages: LintMessage[];
  directives: Directive[];
}

export interface BackendRunOptions {
  /**
   * The rules of one file, aligned with the run's rule list (undefined: off in this file), after
   * its role's defaults and the config's overrides. Without it every file gets the run's rules.
   */
  rulesFor?: (filePath: string) => readonly (ConfiguredRule | undefined)[];
  cwd: string;
  tsconfigPath?: string;
  /** Use the type checker where rules ask for it. */
  types: boolean;
  /** Measure the time spent in each rule (`--stats`); off by default, it costs a clock read per listener call. */
  timing?: boolean;
  /**
   * State kept between runs by a long-lived caller (the language server, the ESLint plugin): a backend
   * keeps its warm program here, one per tsconfig, so a second run re-parses only the files handed in.
   */
  session?: LintSession;
  /**
   * The files to report on, when the others handed in are context only (a worker or CI shard that
   * lints part of a package reads the whole package, for cross-file facts and the type program).
   */
  lintOnly?: ReadonlySet<string>;
  /** `--cache`: parse lazily and report what each linted file read (see dependencies.ts). */
  dependencies?: DependencyTracker;
  /** Context files not handed in with their text (see `LanguageBackend.defersContext`). */
  context?: BackendContext;
}

/** Files of the run that are not linted here, read when a rule asks for them. */
export interface BackendContext {
  /** Every file of the run for this backend, in the run's order: the ones handed in and the deferred ones. */
  readonly paths: readonly string[];
  /** A deferred file's text; undefined for any other path and for a file left out (binary, too large, a role not linted). */
  text(filePath: string): string | undefined;
}

/** Opaque state a backend keeps between runs; create one with `createLintSession()`. */
export interface LintSession {
  readonly entries: Map<string, unknown>;
}

export function createLintSession(): LintSession {
  return { entries: new Map() };
}

export interface LanguageBackend {
  language: string;
  extensions: readonly string[];
  /**
   * True when, with these options, the backend reads context files (not in `lintOnly`) only when a
   * rule asks for them: the engine then hands them over as `options.context` instead of reading
   * every one up front (a `--concurrency` thread would otherwise read all the other threads' files).
   */
  defersContext?(options: BackendRunOptions): boolean;
  lint(
    files: readonly { path: string; text: string }[],
    rules: readonly ConfiguredRule[],
    options: BackendRunOptions,
  ): Promise<{
    files: BackendFileResult[];
    internalErrors: InternalError[];
    typeCheckerMs: number;
    ruleMs: Record<string, number>;
  }>;
}
