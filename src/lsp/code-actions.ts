/**
 * Quick fixes for the diagnostics under the cursor: each finding's fix and suggestions, and
 * "suppress with a reason", which writes the suppression comment the engine reads
 * (`src/lint/suppressions.ts`; `//` comments in TypeScript, JavaScript and Rust alike).
 */
import { CodeActionKind, type CodeAction, type Diagnostic, type Range, type TextEdit } from "vscode-languageserver/node.js";
import type { TextDocument } from "vscode-languageserver-textdocument";
import type { DiagnosticData } from "./lint-document.js";

/** What the inserted suppression says until the user writes why the finding is safe to ignore. */
export const REASON_PLACEHOLDER = "TODO: say why this is safe";

const NEXT_LINE_DIRECTIVE = /^(\s*\/\/\s*asyncpat-ignore-next-line\s+)([^\n]*?)(\s*--[^\n]*)?$/;

function overlaps(a: Range, b: Range): boolean {
  const before = (x: Range["start"], y: Range["start"]) => x.line < y.line || (x.line === y.line && x.character < y.character);
  return !before(a.end, b.start) && !before(b.end, a.start);
}

function lineText(document: TextDocument, line: number): string {
  return document.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } }).replace(/\r?\n$/, "");
}

/**
 * The edit that suppresses `ruleId` on `line`: a new `// asyncpat-ignore-next-line` comment above it
 * with the line's indentation, or the id added to the one already there.
 */
export function suppressionEdit(document: TextDocument, line: number, ruleId: string): TextEdit {
  if (line > 0) {
    const previous = lineText(document, line - 1);
    const match = NEXT_LINE_DIRECTIVE.exec(previous);
    if (match) {
      const ids = match[2]!.trim();
      const start = match[1]!.length + ids.length;
      return { range: { start: { line: line - 1, character: start }, end: { line: line - 1, character: start } }, newText: `, ${ruleId}` };
    }
  }
  const indentation = /^[ \t]*/.exec(lineText(document, line))![0];
  const eol = document.getText().includes("\r\n") ? "\r\n" : "\n";
  return {
    range: { start: { line, character: 0 }, end: { line, character: 0 } },
    newText: `${indentation}// asyncpat-ignore-next-line ${ruleId} -- ${REASON_PLACEHOLDER}${eol}`,
  };
}

/**
 * The code actions for `range` of `document`. `diagnostics` are the server's own for this version
 * of the document (their `data` holds the edits, in this version's coordinates).
 */
export function codeActionsFor(
  document: TextDocument,
  diagnostics: readonly Diagnostic[],
  range: Range,
  only?: readonly string[],
): CodeAction[] {
  if (only && !only.includes(CodeActionKind.QuickFix) && !only.includes(CodeActionKind.Empty)) return [];
  const actions: CodeAction[] = [];
  const suppressions: CodeAction[] = [];
  const suppressed = new Set<string>();
  for (const diagnostic of diagnostics) {
    if (!overlaps(diagnostic.range, range)) continue;
    const data = diagnostic.data as DiagnosticData | undefined;
    for (const offered of data?.edits ?? []) {
      actions.push({
        title: offered.title,
        kind: CodeActionKind.QuickFix,
        diagnostics: [diagnostic],
        isPreferred: offered.preferred,
        edit: { changes: { [document.uri]: offered.edits } },
      });
    }
    const ruleId = data?.ruleId;
    const key = `${diagnostic.range.start.line}:${ruleId}`;
    if (!ruleId || suppressed.has(key)) continue;
    suppressed.add(key);
    suppressions.push({
      title: `Suppress ${ruleId} on this line (with a reason)`,
      kind: CodeActionKind.QuickFix,
      diagnostics: [diagnostic],
      edit: { changes: { [document.uri]: [suppressionEdit(document, diagnostic.range.start.line, ruleId)] } },
    });
  }
  return [...actions, ...suppressions];
}
