/**
 * One editor buffer linted the way `asyncpat lint` would lint that file: the config found walking up
 * from it, its role, the nearest tsconfig.json, and the buffer's unsaved text instead of the disk.
 * Findings come back as LSP diagnostics; their `data` carries the fix and suggestions as LSP edits,
 * so code actions need no second lint.
 */
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { DiagnosticSeverity, type Diagnostic, type TextEdit } from "vscode-languageserver/node.js";
import { TextDocument } from "vscode-languageserver-textdocument";
import { UsageError } from "../errors.js";
import { packageRoot } from "../version.js";
import { findConfigFile, loadConfig, type ResolvedConfig } from "../lint/config.js";
import { lintableExtensions, lintFiles } from "../lint/engine.js";
import { FILE_ROLES } from "../lint/file-roles.js";
import { makeIgnoreMatcher, SKIPPED_DIRECTORIES } from "../lint/files.js";
import { pseudoRuleId } from "../lint/formatters/types.js";
import type { Rule } from "../lint/rule.js";
import { findNearestTsconfig } from "../lint/typescript/backend.js";
import type { Fix, LintMessage, LintSession } from "../lint/types.js";

export const DIAGNOSTIC_SOURCE = "asyncpat";

/** An edit offered as a quick fix: a title and the LSP edits of one message's fix or suggestion. */
export interface OfferedEdit {
  title: string;
  edits: TextEdit[];
  preferred: boolean;
}

/** What a diagnostic carries in `data`, for code actions. */
export interface DiagnosticData {
  /** null for problems that are not a rule's (a parse error, a suppression comment, a config error). */
  ruleId: string | null;
  edits: OfferedEdit[];
}

export interface LintDocumentSettings {
  /** Every rule the tool knows; the config picks which run. */
  rules: readonly Rule[];
  /** The warm TypeScript programs, one per tsconfig, kept between edits. */
  session: LintSession;
  /** Resolved configs by config file ("" for none), kept until a config file changes. */
  configs: Map<string, ResolvedConfig>;
  /** The editor's workspace folders (absolute paths): roles are judged from there when a file has no package.json above it. */
  workspaceFolders: readonly string[];
  /** undefined: use the type checker when a tsconfig.json is found, as the CLI does. */
  types?: boolean;
  /** Where a rule that crashed is reported (the client's log). */
  log?: (message: string) => void;
}

const LINTABLE_EXTENSIONS = new Set(lintableExtensions());

/** The rule's documentation page in the installed package. */
export function ruleDocsUrl(ruleId: string): string {
  return pathToFileURL(path.join(packageRoot, "docs", "rules", `${ruleId}.md`)).href;
}

function configFor(filePath: string, settings: LintDocumentSettings): ResolvedConfig {
  const found = findConfigFile(path.dirname(filePath));
  const key = found?.filePath ?? "";
  let config = settings.configs.get(key);
  if (!config) {
    config = loadConfig({ cwd: path.dirname(filePath), configPath: found?.filePath, rules: settings.rules });
    settings.configs.set(key, config);
  }
  return config;
}

function isUnder(folder: string, filePath: string): boolean {
  const relative = path.relative(folder, filePath);
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative);
}

/** The workspace folder holding the file (the innermost), else the config's folder. */
function rootFor(filePath: string, config: ResolvedConfig, workspaceFolders: readonly string[]): string {
  const holding = workspaceFolders.filter((folder) => isUnder(folder, filePath)).sort((a, b) => b.length - a.length);
  return holding[0] ?? config.baseDir;
}

function toEdit(document: TextDocument, fix: Fix): TextEdit {
  return { range: { start: document.positionAt(fix.range[0]), end: document.positionAt(fix.range[1]) }, newText: fix.text };
}

/** One finding as an LSP diagnostic; `document` holds the linted text, to turn fix offsets (UTF-16) into positions. */
export function toDiagnostic(document: TextDocument, message: LintMessage): Diagnostic {
  const code = pseudoRuleId(message);
  const edits: OfferedEdit[] = [];
  if (message.fix) edits.push({ title: `Fix this ${code} problem`, edits: [toEdit(document, message.fix)], preferred: true });
  for (const suggestion of message.suggestions ?? []) {
    edits.push({ title: suggestion.desc, edits: [toEdit(document, suggestion.fix)], preferred: false });
  }
  const data: DiagnosticData = { ruleId: message.ruleId, edits };
  return {
    range: {
      start: { line: message.line - 1, character: message.column - 1 },
      end: { line: message.endLine - 1, character: message.endColumn - 1 },
    },
    severity: message.severity === 2 ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    code,
    ...(message.ruleId ? { codeDescription: { href: ruleDocsUrl(message.ruleId) } } : {}),
    source: DIAGNOSTIC_SOURCE,
    message: message.help ? `${message.message}\nhelp: ${message.help}` : message.message,
    data,
  };
}

/** A config or tsconfig the user must fix, shown on the first line of the buffer. */
function setupDiagnostic(message: string): Diagnostic {
  const data: DiagnosticData = { ruleId: null, edits: [] };
  return {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: DiagnosticSeverity.Error,
    code: "config-error",
    source: DIAGNOSTIC_SOURCE,
    message,
    data,
  };
}

/** Whether the editor should lint this buffer at all: a file on disk with an extension asyncpat lints. */
export function lintablePath(uri: string): string | undefined {
  if (!uri.startsWith("file:")) return undefined;
  const filePath = fileURLToPath(uri);
  if (!LINTABLE_EXTENSIONS.has(path.extname(filePath)) || filePath.endsWith(".d.ts")) return undefined;
  return filePath;
}

/** Under a folder the CLI never walks (node_modules, dist, target, …): not linted, and not the project's own code. */
export function inSkippedFolder(filePath: string): boolean {
  return filePath.split(path.sep).some((segment) => SKIPPED_DIRECTORIES.has(segment));
}

/**
 * Lints one buffer and returns its diagnostics (empty when the file is not linted: an extension
 * asyncpat does not know, a folder the CLI never walks such as node_modules, the config's `ignore`,
 * a role that is skipped). A config or tsconfig that cannot be read comes back as one diagnostic
 * naming the file, since an editor has no other place to show it.
 */
export async function lintDocument(uri: string, text: string, settings: LintDocumentSettings): Promise<Diagnostic[]> {
  const filePath = lintablePath(uri);
  if (!filePath) return [];
  if (inSkippedFolder(filePath)) return [];
  try {
    const config = configFor(filePath, settings);
    if (makeIgnoreMatcher(config.ignore, config.baseDir)(filePath)) return [];
    const tsconfigPath = findNearestTsconfig(path.dirname(filePath));
    const report = await lintFiles({
      files: [filePath],
      contents: new Map([[filePath, text]]),
      rules: config.rules,
      knownRuleIds: new Set(settings.rules.map((rule) => rule.id)),
      rulesForRole: (file, role) => config.rulesFor(file, role),
      skipRoles: new Set(FILE_ROLES.filter((role) => config.roles[role] === "skip")),
      cwd: rootFor(filePath, config, settings.workspaceFolders),
      tsconfigPath,
      types: settings.types ?? tsconfigPath !== undefined,
      session: settings.session,
    });
    for (const error of report.internalErrors) {
      settings.log?.(
        `asyncpat: internal error: rule "${error.ruleId}" crashed on ${error.filePath}; its findings are missing. Please report this.\n${error.message}`,
      );
    }
    const document = TextDocument.create(uri, "plaintext", 0, text);
    return (report.results[0]?.messages ?? []).map((message) => toDiagnostic(document, message));
  } catch (error) {
    if (error instanceof UsageError) return [setupDiagnostic(error.message)];
    throw error;
  }
}
