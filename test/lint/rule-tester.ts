import { describe, expect, it } from "vitest";
import type { AnyRule } from "../../src/lint/api.js";
import { typescriptBackend } from "../../src/lint/typescript/backend.js";
import type { LintMessage } from "../../src/lint/types.js";

/** Extra files of the in-memory program, by path relative to the test's root (for cross-file rules). */
type ExtraFiles = Record<string, string>;

export interface CaseBase {
  /** The bug shape or near-miss this case models; becomes the test name. */
  name?: string;
  code: string;
  options?: Record<string, unknown>;
  /** File name of `code`, default `case.ts` (use `.js`, `.tsx`, … to change the script kind). */
  filename?: string;
  files?: ExtraFiles;
  /** Run with the type checker (default: syntax only, as on a project without node_modules). */
  types?: boolean;
}

export type ValidCase = string | CaseBase;

export interface InvalidCase extends CaseBase {
  errors: { messageId: string; line: number }[];
}

const ROOT = "/virtual/project";

/** Each rule at its default options, with the case's options on top. */
function configured(rules: readonly AnyRule[], testCase: CaseBase) {
  return rules.map((rule) => ({ rule, severity: "error" as const, options: { ...(rule.meta.options?.defaults ?? {}), ...(testCase.options ?? {}) } }));
}

export async function lintSnippet(rule: AnyRule, testCase: CaseBase): Promise<LintMessage[]> {
  return lintSnippetWith([rule], testCase);
}

/** Lint a case with several rules at once (the documented examples run with every rule). */
export async function lintSnippetWith(rules: readonly AnyRule[], testCase: CaseBase): Promise<LintMessage[]> {
  const main = `${ROOT}/src/${testCase.filename ?? "case.ts"}`;
  const files = [{ path: main, text: testCase.code }];
  for (const [relative, text] of Object.entries(testCase.files ?? {})) files.push({ path: `${ROOT}/${relative}`, text });
  const outcome = await typescriptBackend.lint(files, configured(rules, testCase), {
    cwd: ROOT,
    types: testCase.types ?? false,
  });
  if (outcome.internalErrors.length > 0) throw new Error(outcome.internalErrors.map((error) => error.message).join("\n"));
  const result = outcome.files.find((file) => file.filePath === main)!;
  const fatal = result.messages.find((message) => message.fatal);
  if (fatal) throw new Error(`test case does not parse: ${fatal.message} (line ${fatal.line})`);
  return result.messages;
}

function caseName(testCase: ValidCase, index: number): string {
  if (typeof testCase === "string") return `#${index}: ${testCase.split("\n").find((line) => line.trim())?.trim().slice(0, 60)}`;
  return testCase.name ?? `#${index}: ${testCase.code.split("\n").find((line) => line.trim())?.trim().slice(0, 60)}`;
}

type Lint = (rule: AnyRule, testCase: CaseBase) => Promise<LintMessage[]>;

function describeCases(title: string, rule: AnyRule, messages: Record<string, string>, lint: Lint, cases: { valid: ValidCase[]; invalid: InvalidCase[] }): void {
  const sort = (list: { messageId?: string; line: number }[]) =>
    [...list].sort((a, b) => a.line - b.line || String(a.messageId).localeCompare(String(b.messageId)));
  describe(title, () => {
    describe("valid", () => {
      cases.valid.forEach((testCase, index) => {
        it(caseName(testCase, index), async () => {
          const normalized = typeof testCase === "string" ? { code: testCase } : testCase;
          const reported = await lint(rule, normalized);
          expect(reported.map((m) => ({ messageId: m.messageId, line: m.line }))).toEqual([]);
        });
      });
    });
    describe("invalid", () => {
      cases.invalid.forEach((testCase, index) => {
        it(caseName(testCase, index), async () => {
          for (const error of testCase.errors) {
            expect(messages, `messageId "${error.messageId}" is not declared`).toHaveProperty(error.messageId);
          }
          const reported = await lint(rule, testCase);
          expect(sort(reported.map((m) => ({ messageId: m.messageId, line: m.line })))).toEqual(sort(testCase.errors));
        });
      });
    });
  });
}

/** RuleTester in the manner of ESLint's: asserts message ids and lines, never message text. */
export function ruleTester(rule: AnyRule, cases: { valid: ValidCase[]; invalid: InvalidCase[] }): void {
  describeCases(rule.id, rule, rule.meta.messages, lintSnippet, cases);
}

export async function lintRustSnippet(rule: AnyRule, testCase: CaseBase): Promise<LintMessage[]> {
  return lintRustSnippetWith([rule], testCase);
}

/** The Rust backend with several rules at once (those that have a Rust implementation). */
export async function lintRustSnippetWith(rules: readonly AnyRule[], testCase: CaseBase): Promise<LintMessage[]> {
  const { rustBackend } = await import("../../src/lint/rust/backend.js");
  const main = `${ROOT}/src/${testCase.filename ?? "case.rs"}`;
  const files = [{ path: main, text: testCase.code }];
  for (const [relative, text] of Object.entries(testCase.files ?? {})) files.push({ path: `${ROOT}/${relative}`, text });
  const outcome = await rustBackend.lint(files, configured(rules, testCase), { cwd: ROOT, types: false });
  if (outcome.internalErrors.length > 0) throw new Error(outcome.internalErrors.map((error) => error.message).join("\n"));
  const result = outcome.files[0]!;
  const fatal = result.messages.find((message) => message.fatal);
  if (fatal) throw new Error(`test case does not parse: ${fatal.message} (line ${fatal.line})`);
  return result.messages;
}

/** The same RuleTester for a rule's Rust backend. */
export function rustRuleTester(rule: AnyRule, cases: { valid: ValidCase[]; invalid: InvalidCase[] }): void {
  describeCases(`${rule.id} (rust)`, rule, { ...rule.meta.messages, ...rule.rust?.messages }, lintRustSnippet, cases);
}
