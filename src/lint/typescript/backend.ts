import path from "node:path";
import type { Project } from "ts-morph";
import { loadTsMorph, ts } from "#compiler";
import type { ListenerKey, ProgramFile, ProgramView, ReportDescriptor, RuleContext, TypeScriptRule } from "./rule.js";
import { emptyReads, factDigest, mergeReads, type FileReads } from "../dependencies.js";
import { implementationOptions } from "../rule.js";
import { byPackage } from "../file-roles.js";
import { TYPESCRIPT_EXTENSIONS } from "./files.js";
import { parseDirective } from "../suppressions.js";
import { createReporter } from "../messages.js";
import { ListenerTable } from "../listeners.js";
import { timingByRule } from "../timing.js";
import { UsageError } from "../../errors.js";
import type {
  BackendContext,
  BackendFileResult,
  BackendRunOptions,
  ConfiguredRule,
  Directive,
  InternalError,
  LanguageBackend,
  LintMessage,
  LintSession,
} from "../types.js";

const EXTENSIONS = TYPESCRIPT_EXTENSIONS;

function scriptKindOf(filePath: string): ts.ScriptKind {
  switch (path.extname(filePath)) {
    case ".tsx":
      return ts.ScriptKind.TSX;
    case ".jsx":
      return ts.ScriptKind.JSX;
    case ".js":
    case ".mjs":
    case ".cjs":
      return ts.ScriptKind.JS;
    default:
      return ts.ScriptKind.TS;
  }
}

function createProject(options: BackendRunOptions): Project {
  // loaded only here: a lint without the type checker never needs ts-morph
  const { Project } = loadTsMorph();
  const compilerOptions = { allowJs: true, noEmit: true, skipLibCheck: true };
  if (options.tsconfigPath) {
    try {
      return new Project({
        tsConfigFilePath: options.tsconfigPath,
        skipAddingFilesFromTsConfig: true,
        skipFileDependencyResolution: true,
        compilerOptions,
      });
    } catch (error) {
      throw new UsageError(
        `Cannot read the TypeScript config ${options.tsconfigPath}: ${error instanceof Error ? error.message : String(error)}. Fix it or pass another one with --tsconfig.`,
      );
    }
  }
  return new Project({
    skipFileDependencyResolution: true,
    compilerOptions: {
      ...compilerOptions,
      target: ts.ScriptTarget.ES2022,
      // No DOM: parsing lib.dom.d.ts costs a second, and service code runs on Node.
      lib: ["lib.es2023.d.ts"],
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      jsx: ts.JsxEmit.Preserve,
    },
  });
}

/**
 * The language version a file is parsed for when no project is built (`--no-types`): the tsconfig's
 * `target` with its `extends`, read without listing the files it includes (ts-morph's project lists
 * them, a walk of the whole tree that each worker thread would repeat for nothing).
 */
function parseTarget(options: BackendRunOptions): ts.ScriptTarget {
  if (!options.tsconfigPath) return ts.ScriptTarget.ES2022;
  const tsconfigPath = options.tsconfigPath;
  const read = ts.readConfigFile(tsconfigPath, ts.sys.readFile);
  if (read.error) {
    const reason = ts.flattenDiagnosticMessageText(read.error.messageText, " ");
    throw new UsageError(`Cannot read the TypeScript config ${tsconfigPath}: ${reason}. Fix it or pass another one with --tsconfig.`);
  }
  const host: ts.ParseConfigHost = {
    useCaseSensitiveFileNames: ts.sys.useCaseSensitiveFileNames,
    readDirectory: () => [],
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
  };
  const parsed = ts.parseJsonConfigFileContent(read.config, host, path.dirname(tsconfigPath), undefined, tsconfigPath);
  return parsed.options.target ?? ts.ScriptTarget.Latest;
}

/**
 * The project for this run: a new one, or with a session the one kept there for this tsconfig (its
 * files stay parsed, and `createSourceFile(..., { overwrite: true })` replaces only what changed).
 */
function projectFor(options: BackendRunOptions): Project {
  if (!options.session) return createProject(options);
  const key = `typescript\u0000${options.tsconfigPath ?? ""}`;
  let project = options.session.entries.get(key) as Project | undefined;
  if (!project) {
    project = createProject(options);
    options.session.entries.set(key, project);
  }
  return project;
}

/**
 * A file's source file in `project`, parsed from `text`. ts-morph's `overwrite` first adds a file it
 * does not hold yet from the disk (reading and parsing it, and wrapping its children to forget them)
 * and then parses `text` again: every file parsed twice. A file seen for the first time is added from
 * the disk instead, and kept when the disk holds the very text handed in (and the same script kind);
 * otherwise (an edited buffer, a byte-order mark, which ts-morph strips) `overwrite` parses `text`.
 */
function parseIntoProject(project: Project, filePath: string, text: string): ts.SourceFile {
  const scriptKind = scriptKindOf(filePath);
  if (!project.getSourceFile(filePath)) {
    const added = project.addSourceFileAtPathIfExists(filePath)?.compilerNode;
    // `scriptKind` is a compiler internal; the parser sets it on every source file
    if (added && added.text === text && (added as unknown as { scriptKind?: ts.ScriptKind }).scriptKind === scriptKind) return added;
  }
  return project.createSourceFile(filePath, text, { overwrite: true, scriptKind }).compilerNode;
}

/** Drops the session's kept programs (after a tsconfig changed, say). */
export function resetTypeScriptSession(session: LintSession): void {
  for (const key of [...session.entries.keys()]) if (key.startsWith("typescript\u0000")) session.entries.delete(key);
}

function position(sourceFile: ts.SourceFile, start: number, end: number) {
  const from = sourceFile.getLineAndCharacterOfPosition(start);
  const to = sourceFile.getLineAndCharacterOfPosition(Math.max(start, end));
  return { line: from.line + 1, column: from.character + 1, endLine: to.line + 1, endColumn: to.character + 1 };
}

function fatal(message: string, line = 1, column = 1): LintMessage {
  return { ruleId: null, severity: 2, fatal: true, message, line, column, endLine: line, endColumn: column };
}

/**
 * The comment range holding `position`, or undefined when the position is code or inside a string
 * or template (text that only looks like a comment). Descends by full ranges: a position before a
 * child's first token is in that child's leading trivia, where the comments are.
 */
function commentAt(sourceFile: ts.SourceFile, position: number): ts.CommentRange | undefined {
  let node: ts.Node = sourceFile;
  for (;;) {
    let next: ts.Node | undefined;
    ts.forEachChild(node, (child) => {
      if (!next && child.pos <= position && position < Math.max(child.end, child.pos + 1)) next = child;
    });
    if (!next) return undefined;
    if (position < next.getStart(sourceFile)) {
      const ranges = ts.getLeadingCommentRanges(sourceFile.text, next.pos) ?? [];
      return ranges.find((range) => range.pos <= position && position < range.end);
    }
    node = next;
  }
}

/** Suppression comments; text inside strings and templates never counts. */
function collectDirectives(sourceFile: ts.SourceFile): Directive[] {
  const text = sourceFile.text;
  const directives: Directive[] = [];
  let lastEnd = -1;
  for (let index = text.indexOf("asyncpat-ignore-"); index !== -1; index = text.indexOf("asyncpat-ignore-", index + 1)) {
    if (index < lastEnd) continue;
    const range = commentAt(sourceFile, index);
    if (!range) continue;
    lastEnd = range.end;
    const directive = parseDirective(text.slice(range.pos, range.end), position(sourceFile, range.pos, range.end));
    if (directive) directives.push(directive);
  }
  return directives;
}

/** The folders a relative specifier's resolution looks in (a file added there can change where it goes). */
function resolutionDirs(fromFile: string, specifier: string): string[] {
  const base = path.resolve(path.dirname(fromFile), specifier);
  return [path.dirname(base), base];
}

function resolveRelative<T>(fromFile: string, specifier: string, lookUp: (candidate: string) => T | undefined): T | undefined {
  if (!specifier.startsWith(".")) return undefined;
  const base = path.resolve(path.dirname(fromFile), specifier);
  const candidates = [base];
  const ext = path.extname(base);
  const stem = base.slice(0, base.length - ext.length);
  if (ext === ".js" || ext === ".jsx") candidates.push(`${stem}.ts`, `${stem}.tsx`);
  if (ext === ".mjs") candidates.push(`${stem}.mts`);
  if (ext === ".cjs") candidates.push(`${stem}.cts`);
  for (const extension of EXTENSIONS) candidates.push(`${base}${extension}`, path.join(base, `index${extension}`));
  for (const candidate of candidates) {
    const file = lookUp(candidate);
    if (file) return file;
  }
  return undefined;
}

/** Parses a file into `project`: its source file, or the fatal message that says why it cannot be linted. */
function parseFile(
  parse: (filePath: string, text: string) => ts.SourceFile,
  filePath: string,
  text: string,
): { sourceFile: ts.SourceFile } | { fatal: LintMessage } {
  let sourceFile: ts.SourceFile;
  try {
    sourceFile = parse(filePath, text);
  } catch (error) {
    const reason =
      error instanceof RangeError
        ? "the code is nested too deeply for the parser (its call stack ran out); the file was not linted"
        : `the parser failed: ${error instanceof Error ? error.message : String(error)}`;
    return { fatal: fatal(`Parsing error: ${reason}.`) };
  }
  const diagnostics = (sourceFile as unknown as { parseDiagnostics?: ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  if (diagnostics.length > 0) {
    const first = diagnostics[0]!;
    const where = sourceFile.getLineAndCharacterOfPosition(first.start);
    return {
      fatal: fatal(`Parsing error: ${ts.flattenDiagnosticMessageText(first.messageText, " ")}`, where.line + 1, where.character + 1),
    };
  }
  return { sourceFile };
}

/** The run's files outside node_modules that a file of the type program imports, as TypeScript resolved them. */
function typedImports(program: ts.Program, sourceFile: ts.SourceFile, known: { has(filePath: string): boolean }): string[] {
  const found = new Set<string>();
  // both are TypeScript internals (stable since 5.3); without them the edges come from the text scan alone
  const specifiers = (sourceFile as unknown as { imports?: readonly ts.StringLiteralLike[] }).imports ?? [];
  const resolver = program as unknown as {
    getResolvedModuleFromModuleSpecifier?(
      specifier: ts.StringLiteralLike,
      sourceFile: ts.SourceFile,
    ): ts.ResolvedModuleWithFailedLookupLocations | undefined;
  };
  if (!resolver.getResolvedModuleFromModuleSpecifier) return [];
  for (const specifier of specifiers) {
    const resolved = resolver.getResolvedModuleFromModuleSpecifier(specifier, sourceFile)?.resolvedModule?.resolvedFileName;
    if (resolved && !resolved.includes("/node_modules/")) {
      const absolute = path.resolve(resolved);
      if (known.has(absolute)) found.add(absolute);
    }
  }
  return [...found];
}

/** The texts of the run's files: those handed in, and the context files read on first use. */
interface RunTexts {
  /** Every file of the run, in its order (a deferred file that turns out left out included). */
  readonly paths: readonly string[];
  get(filePath: string): string | undefined;
  has(filePath: string): boolean;
}

function runTexts(inputFiles: readonly { path: string; text: string }[], context: BackendContext | undefined): RunTexts {
  const handedIn = new Map(inputFiles.map((file) => [file.path, file.text]));
  const get = (filePath: string) => handedIn.get(filePath) ?? context?.text(filePath);
  return { paths: context?.paths ?? [...handedIn.keys()], get, has: (filePath) => get(filePath) !== undefined };
}

export const typescriptBackend: LanguageBackend = {
  language: "typescript",
  extensions: EXTENSIONS,
  // without the checker, the cache or a session, a file that is not linted is parsed only when a rule reads it
  defersContext: (options) => !options.types && !options.session && !options.dependencies,
  async lint(inputFiles, rules, options) {
    // Without the checker (and no session to keep warm), files are parsed by the compiler alone: the
    // program is never built, so ts-morph's project (and wrapping each file in it) would be work for nothing.
    const bare = !options.types && !options.session;
    const project = bare ? undefined : projectFor(options);
    const target = project ? undefined : parseTarget(options);
    const parse = (filePath: string, text: string): ts.SourceFile =>
      project ? parseIntoProject(project, filePath, text) : ts.createSourceFile(filePath, text, target!, true, scriptKindOf(filePath));
    const results: BackendFileResult[] = [];
    const internalErrors: InternalError[] = [];
    const tracker = options.dependencies;
    const texts = runTexts(inputFiles, options.context);
    tracker?.participants(texts.paths);
    // null: the file did not parse. With a dependency tracker (`--cache`) only the files to lint and
    // the tracker's roots are parsed up front; the rest when a rule reads them.
    const parsed = new Map<string, ProgramFile | null>();
    const resultByPath = new Map<string, BackendFileResult>();
    let reads: FileReads | undefined;

    for (const { path: filePath, text } of inputFiles) {
      const linted = options.lintOnly?.has(filePath) ?? true;
      // A file that is only context (another thread's share, or unchanged under the cache) is parsed
      // when a rule reads it; with the checker and no cache every file joins the program up front.
      if (!linted && !tracker?.roots.has(filePath) && (bare || tracker)) continue;
      const outcome = parseFile(parse, filePath, text);
      parsed.set(filePath, "sourceFile" in outcome ? { path: filePath, text, sourceFile: outcome.sourceFile } : null);
      if (!linted) continue;
      const result: BackendFileResult = { filePath, source: text, lines: countLines(text), messages: [], directives: [] };
      results.push(result);
      resultByPath.set(filePath, result);
      if ("fatal" in outcome) result.messages.push(outcome.fatal);
      else result.directives = collectDirectives(outcome.sourceFile);
    }

    /** A file of the run, parsed on first use; undefined when it is not one or did not parse. */
    const load = (filePath: string): ProgramFile | undefined => {
      let file = parsed.get(filePath);
      if (file === undefined) {
        const text = texts.get(filePath);
        if (text === undefined) return undefined;
        const outcome = parseFile(parse, filePath, text);
        file = "sourceFile" in outcome ? { path: filePath, text, sourceFile: outcome.sourceFile } : null;
        parsed.set(filePath, file);
      }
      return file ?? undefined;
    };
    const read = (filePath: string): ProgramFile | undefined => {
      if (texts.has(filePath)) reads?.files.add(filePath);
      return load(filePath);
    };

    let checker: ts.TypeChecker | undefined;
    let checkerFailed = false;
    let typeCheckerMs = 0;
    const getTypeChecker = (): ts.TypeChecker | undefined => {
      if (!options.types || checkerFailed || !project) return undefined;
      if (reads) reads.types = true;
      if (!checker) {
        const started = performance.now();
        try {
          checker = project.getProgram().compilerObject.getTypeChecker();
        } catch {
          checkerFailed = true;
        }
        typeCheckerMs += performance.now() - started;
      }
      return checker;
    };

    // Cross-file facts are per package: a rule sees the files of the linted file's own package
    // (imports still resolve across packages), and its memos are kept per package.
    const memos = new Map<string, { value: unknown; reads: FileReads }>();
    const memo = <T>(fullKey: string, compute: () => T): T => {
      let entry = memos.get(fullKey);
      if (!entry) {
        const outer = reads;
        const own = emptyReads();
        reads = own;
        try {
          entry = { value: compute(), reads: own };
        } finally {
          reads = outer;
        }
        memos.set(fullKey, entry);
      }
      if (reads) mergeReads(reads, entry.reads);
      return entry.value as T;
    };
    const programFor = (ruleId: string, packageKey: string, packagePaths: readonly string[]): ProgramView => {
      let files: ProgramFile[] | undefined;
      return {
        get files() {
          if (reads) reads.all = true;
          files ??= packagePaths.map(load).filter((file): file is ProgramFile => file !== undefined);
          return files;
        },
        filesContaining(pattern) {
          // which files hold the word depends on every file's text
          if (reads) reads.all = true;
          const test = typeof pattern === "string" ? (text: string) => text.includes(pattern) : (text: string) => pattern.test(text);
          return packagePaths
            .filter((filePath) => test(texts.get(filePath) ?? ""))
            .map(load)
            .filter((file): file is ProgramFile => file !== undefined);
        },
        getFile: (absolutePath) => read(absolutePath),
        resolveImport: (fromFile, specifier) => {
          if (reads && specifier.startsWith(".")) for (const dir of resolutionDirs(fromFile, specifier)) reads.dirs.add(dir);
          return resolveRelative(fromFile, specifier, (candidate) => (texts.has(candidate) ? read(candidate) : undefined));
        },
        memo<T>(key: string, compute: () => T): T {
          return memo(`${ruleId}\u0000${packageKey}\u0000${key}`, compute);
        },
        facts<T>(key: string, summarise: (file: ProgramFile) => T, containing?: string | RegExp): ReadonlyMap<string, T> {
          const factId = `${ruleId}\u0000${key}`;
          const { summaries, digest } = memo(`${ruleId}\u0000${packageKey}\u0000facts\u0000${key}`, () => {
            const byFile = new Map<string, T>();
            const mentions = (filePath: string): boolean => {
              if (containing === undefined) return true;
              const text = texts.get(filePath) ?? "";
              return typeof containing === "string" ? text.includes(containing) : containing.test(text);
            };
            for (const filePath of packagePaths) {
              // a file without the word has nothing to summarise and is not parsed for it
              if (!mentions(filePath)) {
                if (tracker && !tracker.summary(factId, filePath)) tracker.storeSummary(factId, filePath, { value: undefined, dirs: [] });
                continue;
              }
              let summary = tracker?.summary(factId, filePath);
              if (!summary) {
                const outer = reads;
                const own = emptyReads();
                reads = own;
                try {
                  const file = load(filePath);
                  summary = { value: file ? summarise(file) : undefined, dirs: [...own.dirs] };
                } finally {
                  reads = outer;
                }
                tracker?.storeSummary(factId, filePath, summary);
              }
              if (summary.value !== undefined) byFile.set(filePath, summary.value as T);
            }
            return { summaries: byFile, digest: tracker ? factDigest(byFile) : "" };
          });
          if (reads && tracker) reads.facts.set(factId, digest);
          return summaries;
        },
      };
    };

    const timing = options.timing ? rules.map(() => 0) : undefined;
    const packages = byPackage(texts.paths, (filePath) => filePath);
    for (const [packageKey, packagePaths] of packages) {
      const programs = new Map(rules.map((configured) => [configured.rule.id, programFor(configured.rule.id, packageKey, packagePaths)]));
      for (const filePath of packagePaths) {
        const result = resultByPath.get(filePath);
        const file = parsed.get(filePath);
        if (!result || !file) continue;
        reads = tracker ? emptyReads() : undefined;
        lintSourceFile(file, rules, options.rulesFor?.(file.path) ?? rules, programs, getTypeChecker, result, internalErrors, timing);
        if (tracker && reads) {
          tracker.record(filePath, reads);
        }
        reads = undefined;
      }
    }
    if (tracker && checker && project) {
      const program = project.getProgram().compilerObject;
      for (const sourceFile of program.getSourceFiles()) {
        const filePath = path.resolve(sourceFile.fileName);
        if (texts.has(filePath)) tracker.edges(filePath, typedImports(program, sourceFile, texts));
      }
    }
    return { files: results, internalErrors, typeCheckerMs, ruleMs: timingByRule(rules, timing) };
  },
};

function countLines(text: string): number {
  let lines = 1;
  for (let index = text.indexOf("\n"); index !== -1; index = text.indexOf("\n", index + 1)) lines++;
  return lines;
}

function lintSourceFile(
  file: ProgramFile,
  rules: readonly ConfiguredRule[],
  fileRules: readonly (ConfiguredRule | undefined)[],
  programs: Map<string, ProgramView>,
  getTypeChecker: () => ts.TypeChecker | undefined,
  result: BackendFileResult,
  internalErrors: InternalError[],
  timing: number[] | undefined,
): void {
  const { sourceFile } = file;
  const listeners = new ListenerTable<ts.SyntaxKind, ts.Node>(rules, file.path, internalErrors, timing);

  rules.forEach((runRule, ruleIndex) => {
    const configured = fileRules[ruleIndex];
    if (!configured) return;
    const rule = runRule.rule;
    const implementation: TypeScriptRule<unknown> | undefined = rule.implementations.typescript;
    if (!implementation) return;
    const reporter = createReporter(configured, implementation, result.messages);
    const context: RuleContext<unknown> = {
      ruleId: rule.id,
      options: implementationOptions(implementation, configured.options),
      filePath: file.path,
      sourceFile,
      program: programs.get(rule.id)!,
      getTypeChecker,
      report(descriptor: ReportDescriptor) {
        reporter(descriptor, position(sourceFile, descriptor.node.getStart(sourceFile), descriptor.node.getEnd()));
      },
    };
    const ruleListeners = listeners.create(
      ruleIndex,
      () => implementation.create(context) as Record<string, ((node: never) => void) | undefined>,
    );
    if (!ruleListeners) return;
    for (const [key, fn] of Object.entries(ruleListeners)) {
      if (!fn) continue;
      const isExit = key.endsWith(":exit");
      const kindName = (isExit ? key.slice(0, -5) : key) as ListenerKey;
      const kind = (ts.SyntaxKind as unknown as Record<string, ts.SyntaxKind>)[kindName];
      if (kind === undefined) {
        listeners.fail(ruleIndex, new Error(`rule ${rule.id} listens to "${key}", which is not a TypeScript SyntaxKind`));
        continue;
      }
      listeners.add(ruleIndex, kind, isExit, fn as (node: ts.Node) => void);
    }
  });
  if (listeners.isEmpty) return;

  // One iterative walk for all rules: a frame is visited on entry, and again on exit when a rule listens for it.
  const stack: { node: ts.Node; exiting: boolean }[] = [{ node: sourceFile, exiting: false }];
  const children: ts.Node[] = [];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame.exiting) {
      listeners.onExit(frame.node.kind, frame.node);
      continue;
    }
    listeners.onEnter(frame.node.kind, frame.node);
    if (listeners.hasExit(frame.node.kind)) stack.push({ node: frame.node, exiting: true });
    children.length = 0;
    ts.forEachChild(frame.node, (child) => {
      children.push(child);
    });
    for (let index = children.length - 1; index >= 0; index--) stack.push({ node: children[index]!, exiting: false });
  }
}

export { findNearestTsconfig } from "./files.js";
