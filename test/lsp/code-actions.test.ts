import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { CodeActionKind, DiagnosticSeverity, type CodeAction, type TextEdit } from "vscode-languageserver/node.js";
import { TextDocument } from "vscode-languageserver-textdocument";
import { describe, expect, it } from "vitest";
import { allRules } from "../../rules/index.js";
import { codeActionsFor, REASON_PLACEHOLDER, suppressionEdit } from "../../src/lsp/code-actions.js";
import { lintDocument, toDiagnostic, type LintDocumentSettings } from "../../src/lsp/lint-document.js";
import { createLintSession, type LintMessage } from "../../src/lint/types.js";
import { makeTree } from "../helpers/cli.js";

const at = { line: 2, column: 7, endLine: 2, endColumn: 12 };

function document(text: string): TextDocument {
  return TextDocument.create("file:///project/src/a.ts", "typescript", 1, text);
}

function apply(doc: TextDocument, edits: TextEdit[]): string {
  return TextDocument.applyEdits(doc, edits);
}

describe("diagnostics from lint messages", () => {
  // "🚀" is two UTF-16 code units: fix ranges are UTF-16 offsets, and so are LSP characters.
  const text = `const 🚀 = 1;\nawait fetch(url);\n`;
  const start = text.indexOf("fetch(url)") + "fetch(".length;
  const message: LintMessage = {
    ruleId: "missing-timeout",
    severity: 1,
    message: "no deadline",
    help: "pass a signal",
    ...at,
    fix: { range: [start + 3, start + 3], text: ", { signal: AbortSignal.timeout(5000) }" },
    suggestions: [
      { desc: "Wrap it in a race with a timer", fix: { range: [text.indexOf("await"), text.indexOf("await") + 5], text: "await race(" } },
    ],
  };

  it("carries the rule id, its docs, the severity and the help", () => {
    const diagnostic = toDiagnostic(document(text), message);
    expect(diagnostic.code).toBe("missing-timeout");
    expect(diagnostic.codeDescription?.href).toMatch(/\/docs\/rules\/missing-timeout\.md$/);
    expect(diagnostic.severity).toBe(DiagnosticSeverity.Warning);
    expect(diagnostic.source).toBe("asyncpat");
    expect(diagnostic.range).toEqual({ start: { line: 1, character: 6 }, end: { line: 1, character: 11 } });
    expect(diagnostic.message).toBe("no deadline\nhelp: pass a signal");
  });

  it("names problems that are not a rule's with the formats' pseudo ids, without a docs link", () => {
    const parse = toDiagnostic(document(text), { ruleId: null, fatal: true, severity: 2, message: "Parsing error", ...at });
    expect(parse.code).toBe("parse-error");
    expect(parse.codeDescription).toBeUndefined();
    expect(toDiagnostic(document(text), { ruleId: null, severity: 1, message: "Unused suppression", ...at }).code).toBe(
      "suppression-comment",
    );
  });

  it("offers the fix (preferred) and each suggestion as quick fixes, at the right UTF-16 positions", () => {
    const doc = document(text);
    const diagnostic = toDiagnostic(doc, message);
    const actions = codeActionsFor(doc, [diagnostic], diagnostic.range);
    expect(actions.map((action) => [action.title, action.kind, action.isPreferred ?? false])).toEqual([
      ["Fix this missing-timeout problem", CodeActionKind.QuickFix, true],
      ["Wrap it in a race with a timer", CodeActionKind.QuickFix, false],
      ["Suppress missing-timeout on this line (with a reason)", CodeActionKind.QuickFix, false],
    ]);
    expect(apply(doc, actions[0]!.edit!.changes![doc.uri]!)).toBe(
      `const 🚀 = 1;\nawait fetch(url, { signal: AbortSignal.timeout(5000) });\n`,
    );
    expect(apply(doc, actions[1]!.edit!.changes![doc.uri]!)).toBe(`const 🚀 = 1;\nawait race( fetch(url);\n`);
  });

  it("offers nothing outside the diagnostic's range, or when only other kinds are asked for", () => {
    const doc = document(text);
    const diagnostic = toDiagnostic(doc, message);
    expect(codeActionsFor(doc, [diagnostic], { start: { line: 0, character: 0 }, end: { line: 0, character: 3 } })).toEqual([]);
    expect(codeActionsFor(doc, [diagnostic], diagnostic.range, [CodeActionKind.Source])).toEqual([]);
    expect(codeActionsFor(doc, [diagnostic], diagnostic.range, [CodeActionKind.QuickFix])).toHaveLength(3);
  });
});

describe("suppress with a reason", () => {
  it("inserts the directive above the line with its indentation", () => {
    const doc = document(`function f() {\n\t  fetch(url);\n}\n`);
    expect(apply(doc, [suppressionEdit(doc, 1, "missing-timeout")])).toBe(
      `function f() {\n\t  // asyncpat-ignore-next-line missing-timeout -- ${REASON_PLACEHOLDER}\n\t  fetch(url);\n}\n`,
    );
  });

  it("keeps CRLF line endings", () => {
    const doc = document(`a();\r\n  fetch(url);\r\n`);
    expect(apply(doc, [suppressionEdit(doc, 1, "missing-timeout")])).toBe(
      `a();\r\n  // asyncpat-ignore-next-line missing-timeout -- ${REASON_PLACEHOLDER}\r\n  fetch(url);\r\n`,
    );
  });

  it("adds the rule to a next-line directive already above, keeping its reason", () => {
    const doc = document(`  // asyncpat-ignore-next-line floating-task -- fire and forget on purpose\n  fetch(url);\n`);
    expect(apply(doc, [suppressionEdit(doc, 1, "missing-timeout")])).toBe(
      `  // asyncpat-ignore-next-line floating-task, missing-timeout -- fire and forget on purpose\n  fetch(url);\n`,
    );
  });

  it("is offered once per rule and line, and not for problems that are not a rule's", () => {
    const doc = document(`x;\nawait fetch(url);\n`);
    const twice = [
      toDiagnostic(doc, { ruleId: "missing-timeout", severity: 2, message: "a", ...at }),
      toDiagnostic(doc, { ruleId: "missing-timeout", severity: 2, message: "b", ...at, column: 1 }),
    ];
    expect(codeActionsFor(doc, twice, twice[0]!.range).map((action: CodeAction) => action.title)).toEqual([
      "Suppress missing-timeout on this line (with a reason)",
    ]);
    const parse = toDiagnostic(doc, { ruleId: null, fatal: true, severity: 2, message: "Parsing error", ...at });
    expect(codeActionsFor(doc, [parse], parse.range)).toEqual([]);
  });
});

describe("lintDocument(uri, text, settings)", () => {
  const bareFetch = `export async function load(url: string) {\n  return fetch(url);\n}\n`;
  const settings = (): LintDocumentSettings => ({
    rules: allRules,
    session: createLintSession(),
    configs: new Map(),
    workspaceFolders: [],
  });

  it("lints the text handed in with the project's config, and nothing for files asyncpat does not lint", async () => {
    const dir = makeTree({ "package.json": "{}", "asyncpat.config.json": JSON.stringify({ rules: { "missing-timeout": "warn" } }) });
    const uri = pathToFileURL(path.join(dir, "src/load.ts")).href;
    const shared = settings();
    const diagnostics = await lintDocument(uri, bareFetch, shared);
    expect(diagnostics.map((diagnostic) => [diagnostic.code, diagnostic.severity])).toEqual([
      ["missing-timeout", DiagnosticSeverity.Warning],
    ]);
    expect(await lintDocument(pathToFileURL(path.join(dir, "README.md")).href, bareFetch, shared)).toEqual([]);
    expect(await lintDocument(pathToFileURL(path.join(dir, "node_modules/x/index.js")).href, bareFetch, shared)).toEqual([]);
    expect(await lintDocument("untitled:Untitled-1", bareFetch, shared)).toEqual([]);
  });

  it("keeps the config until it is dropped from settings.configs", async () => {
    const dir = makeTree({ "package.json": "{}", "asyncpat.config.json": "{}" });
    const uri = pathToFileURL(path.join(dir, "src/load.ts")).href;
    const shared = settings();
    expect(await lintDocument(uri, bareFetch, shared)).toHaveLength(1);
    writeFileSync(path.join(dir, "asyncpat.config.json"), JSON.stringify({ rules: { "missing-timeout": "off" } }));
    expect(await lintDocument(uri, bareFetch, shared)).toHaveLength(1);
    shared.configs.clear();
    expect(await lintDocument(uri, bareFetch, shared)).toEqual([]);
  });

  it("shows a tsconfig it cannot read as one diagnostic naming the file", async () => {
    const dir = makeTree({ "package.json": "{}" });
    mkdirSync(path.join(dir, "src"));
    writeFileSync(path.join(dir, "tsconfig.json"), `{ "compilerOptions": { "target": 5 `);
    const diagnostics = await lintDocument(pathToFileURL(path.join(dir, "src/load.ts")).href, bareFetch, settings());
    expect(diagnostics.map((diagnostic) => diagnostic.code)).toEqual(["config-error"]);
    expect(diagnostics[0]!.message).toContain(path.join(dir, "tsconfig.json"));
  });
});
