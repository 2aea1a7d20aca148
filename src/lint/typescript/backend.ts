import path from "node:path";
import { Project, ts } from "ts-morph";
import type { ListenerKey, ProgramFile, ProgramView, ReportDescriptor, RuleContext, TypeScriptRule } from "./rule.js";
import { implementationOptions } from "../rule.js";
import { TYPESCRIPT_EXTENSIONS } from "./files.js";
import { FileTable, type PackageFiles } from "./program-files.js";
import { parseDirective } from "../suppressions.js";
import { createReporter } from "../messages.js";
import { ListenerTable } from "../listeners.js";
import { timingByRule } from "../timing.js";
import { UsageError } from "../../errors.js";
import type {
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

function parseDiagnosticsOf(sourceFile: ts.SourceFile): readonly ts.DiagnosticWithLocation[] {
  return (sourceFile as unknown as { parseDiagnostics?: ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
}

/** A context file's tree, or undefined when it does not parse (its own thread reports why). */
function parseQuietly(parse: () => ts.SourceFile): ts.SourceFile | undefined {
  try {
    const sourceFile = parse();
    return parseDiagnosticsOf(sourceFile).length > 0 ? undefined : sourceFile;
  } catch {
    return undefined;
  }
}

function resolveRelative(fromFile: string, specifier: string, files: FileTable): ProgramFile | undefined {
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
    const file = files.get(candidate);
    if (file) return file;
  }
  return undefined;
}

export const typescriptBackend: LanguageBackend = {
  language: "typescript",
  extensions: EXTENSIONS,
  async lint(inputFiles, rules, options) {
    const project = projectFor(options);
    // Without the checker (and no session to keep warm), files are parsed by the compiler alone: the
    // program is never built, so wrapping each file in ts-morph's project would be work for nothing.
    const bare = !options.types && !options.session;
    const target = project.getCompilerOptions().target ?? ts.ScriptTarget.Latest;
    const parse = (filePath: string, text: string): ts.SourceFile =>
      bare
        ? ts.createSourceFile(filePath, text, target, true, scriptKindOf(filePath))
        : project.createSourceFile(filePath, text, { overwrite: true, scriptKind: scriptKindOf(filePath) }).compilerNode;
    const results: BackendFileResult[] = [];
    const internalErrors: InternalError[] = [];
    const table = new FileTable();
    const resultByPath = new Map<string, BackendFileResult>();

    for (const { path: filePath, text } of inputFiles) {
      if (bare && options.lintOnly && !options.lintOnly.has(filePath)) {
        table.addLazy(filePath, text, () => parseQuietly(() => parse(filePath, text)));
        continue;
      }
      const result: BackendFileResult = { filePath, source: text, lines: countLines(text), messages: [], directives: [] };
      results.push(result);
      resultByPath.set(filePath, result);
      let sourceFile: ts.SourceFile;
      try {
        sourceFile = parse(filePath, text);
      } catch (error) {
        const reason =
          error instanceof RangeError
            ? "the code is nested too deeply for the parser (its call stack ran out); the file was not linted"
            : `the parser failed: ${error instanceof Error ? error.message : String(error)}`;
        result.messages.push(fatal(`Parsing error: ${reason}.`));
        continue;
      }
      const diagnostics = parseDiagnosticsOf(sourceFile);
      if (diagnostics.length > 0) {
        const first = diagnostics[0]!;
        const where = sourceFile.getLineAndCharacterOfPosition(first.start);
        result.messages.push(
          fatal(`Parsing error: ${ts.flattenDiagnosticMessageText(first.messageText, " ")}`, where.line + 1, where.character + 1),
        );
        continue;
      }
      result.directives = collectDirectives(sourceFile);
      table.add(filePath, text, sourceFile);
    }

    let checker: ts.TypeChecker | undefined;
    let checkerFailed = false;
    let typeCheckerMs = 0;
    const getTypeChecker = (): ts.TypeChecker | undefined => {
      if (!options.types || checkerFailed) return undefined;
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
    const memos = new Map<string, unknown>();
    const programFor = (ruleId: string, packageKey: string, files: PackageFiles): ProgramView => ({
      get files() {
        return files.files;
      },
      filesContaining: (pattern) => files.containing(pattern),
      getFile: (absolutePath) => table.get(absolutePath),
      resolveImport: (fromFile, specifier) => resolveRelative(fromFile, specifier, table),
      memo<T>(key: string, compute: () => T): T {
        const fullKey = `${ruleId}\u0000${packageKey}\u0000${key}`;
        if (!memos.has(fullKey)) memos.set(fullKey, compute());
        return memos.get(fullKey) as T;
      },
    });

    const timing = options.timing ? rules.map(() => 0) : undefined;
    for (const [packageKey, packageFiles] of table.packages()) {
      const programs = new Map(rules.map((configured) => [configured.rule.id, programFor(configured.rule.id, packageKey, packageFiles)]));
      for (const filePath of packageFiles.paths) {
        if (options.lintOnly && !options.lintOnly.has(filePath)) continue;
        const file = table.get(filePath);
        if (!file) continue;
        const result = resultByPath.get(filePath)!;
        lintSourceFile(file, rules, options.rulesFor?.(filePath) ?? rules, programs, getTypeChecker, result, internalErrors, timing);
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
