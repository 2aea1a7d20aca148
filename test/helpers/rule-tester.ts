/**
 * The RuleTester, in the manner of ESLint's: each case names the bug shape it models and asserts
 * message ids and lines, never message text. It is strict about the cases themselves: an invalid
 * case must expect at least one error, a case's options must satisfy the implementation's option
 * schema, every expected message id must be declared, and no reported message may keep an
 * unreplaced `{{placeholder}}`.
 */
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import type { ImplementationMeta, Language, Rule } from "../../src/lint/api.js";
import { ROLE_DEFAULTS } from "../../src/lint/config.js";
import { fileRole } from "../../src/lint/file-roles.js";
import { typescriptBackend } from "../../src/lint/typescript/backend.js";
import type { ConfiguredRule, LanguageBackend, LintMessage } from "../../src/lint/types.js";

/** Extra files of the in-memory program, by path relative to the test's root (for cross-file rules). */
type ExtraFiles = Record<string, string>;

export interface CaseBase {
  /** The bug shape or near-miss this case models; becomes the test name. */
  name?: string;
  code: string;
  options?: Record<string, unknown>;
  /** File name of `code`, default `case.ts` / `case.rs` (use `.js`, `.tsx`, … to change the script kind). */
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
const DEFAULT_FILE: Record<Language, string> = { typescript: "case.ts", rust: "case.rs" };
const ajv = new Ajv({ strict: false, allErrors: true });

/** Checks a case's options against one implementation's schema; throws naming the problem. */
export function validateCaseOptions(rule: Rule, language: Language, options: Record<string, unknown> | undefined): void {
  if (options === undefined) return;
  const implementation = rule.implementations[language];
  const properties = implementation?.options?.properties;
  if (!properties) throw new Error(`${rule.id} (${language}) takes no options, but the case passes ${JSON.stringify(options)}`);
  const validate = ajv.compile({ type: "object", properties, additionalProperties: false });
  if (!validate(options))
    throw new Error(`${rule.id} (${language}): the case's options do not match the schema: ${ajv.errorsText(validate.errors)}`);
}

function configured(rules: readonly Rule[], testCase: CaseBase): ConfiguredRule[] {
  return rules.map((rule) => ({ rule, severity: "error" as const, options: testCase.options ?? {} }));
}

async function backendFor(language: Language): Promise<LanguageBackend> {
  if (language === "typescript") return typescriptBackend;
  return (await import("../../src/lint/rust/backend.js")).rustBackend;
}

/** Lints a case with several rules at once (the documented examples run with every rule). */
export async function lintCase(language: Language, rules: readonly Rule[], testCase: CaseBase): Promise<LintMessage[]> {
  const main = `${ROOT}/src/${testCase.filename ?? DEFAULT_FILE[language]}`;
  const files = [{ path: main, text: testCase.code }];
  for (const [relative, text] of Object.entries(testCase.files ?? {})) files.push({ path: `${ROOT}/${relative}`, text });
  const backend = await backendFor(language);
  const run = configured(rules, testCase);
  // as the engine does: a file's role (test, example, …) turns off the rules its preset defaults say
  const rulesFor = (filePath: string) => {
    const defaults = ROLE_DEFAULTS[fileRole({ filePath, text: "", fallbackRoot: ROOT })];
    return run.map((entry) => (defaults?.get(entry.rule.id)?.severity === "off" ? undefined : entry));
  };
  const outcome = await backend.lint(files, run, { cwd: ROOT, types: testCase.types ?? false, rulesFor });
  if (outcome.internalErrors.length > 0) throw new Error(outcome.internalErrors.map((error) => error.message).join("\n"));
  const result = outcome.files.find((file) => file.filePath === main)!;
  const fatal = result.messages.find((message) => message.fatal);
  if (fatal) throw new Error(`test case does not parse: ${fatal.message} (line ${fatal.line})`);
  return result.messages;
}

export const lintSnippet = (rule: Rule, testCase: CaseBase) => lintCase("typescript", [rule], testCase);
export const lintSnippetWith = (rules: readonly Rule[], testCase: CaseBase) => lintCase("typescript", rules, testCase);
export const lintRustSnippet = (rule: Rule, testCase: CaseBase) => lintCase("rust", [rule], testCase);
export const lintRustSnippetWith = (rules: readonly Rule[], testCase: CaseBase) => lintCase("rust", rules, testCase);

function caseName(testCase: ValidCase, index: number): string {
  if (typeof testCase === "string")
    return `#${index}: ${testCase
      .split("\n")
      .find((line) => line.trim())
      ?.trim()
      .slice(0, 60)}`;
  return (
    testCase.name ??
    `#${index}: ${testCase.code
      .split("\n")
      .find((line) => line.trim())
      ?.trim()
      .slice(0, 60)}`
  );
}

/** Every reported message of this rule must be fully formatted: a `{{name}}` left over is a missing `data` key. */
export function expectNoPlaceholders(messages: readonly LintMessage[]): void {
  for (const message of messages) {
    expect(message.message, `message "${message.messageId}" keeps a placeholder`).not.toMatch(/\{\{\s*\w+\s*\}\}/);
    if (message.help) expect(message.help, `help of "${message.messageId}" keeps a placeholder`).not.toMatch(/\{\{\s*\w+\s*\}\}/);
  }
}

function describeCases(rule: Rule, language: Language, cases: { valid: ValidCase[]; invalid: InvalidCase[] }): void {
  const implementation: ImplementationMeta<unknown> | undefined = rule.implementations[language];
  const title = language === "typescript" ? rule.id : `${rule.id} (${language})`;
  const sort = (list: { messageId?: string; line: number }[]) =>
    [...list].sort((a, b) => a.line - b.line || String(a.messageId).localeCompare(String(b.messageId)));
  describe(title, () => {
    it(`has a ${language} implementation`, () => {
      expect(implementation, `${rule.id} has no ${language} implementation`).toBeDefined();
    });
    if (!implementation) return;
    describe("valid", () => {
      cases.valid.forEach((testCase, index) => {
        it(caseName(testCase, index), async () => {
          const normalized = typeof testCase === "string" ? { code: testCase } : testCase;
          validateCaseOptions(rule, language, normalized.options);
          const reported = await lintCase(language, [rule], normalized);
          expect(reported.map((m) => ({ messageId: m.messageId, line: m.line }))).toEqual([]);
        });
      });
    });
    describe("invalid", () => {
      cases.invalid.forEach((testCase, index) => {
        it(caseName(testCase, index), async () => {
          expect(testCase.errors.length, "an invalid case must expect at least one error").toBeGreaterThan(0);
          validateCaseOptions(rule, language, testCase.options);
          for (const error of testCase.errors) {
            expect(
              implementation.messages,
              `messageId "${error.messageId}" is not declared by the ${language} implementation`,
            ).toHaveProperty(error.messageId);
          }
          const reported = await lintCase(language, [rule], testCase);
          expectNoPlaceholders(reported);
          expect(sort(reported.map((m) => ({ messageId: m.messageId, line: m.line })))).toEqual(sort(testCase.errors));
        });
      });
    });
  });
}

/** The RuleTester for a rule's TypeScript/JavaScript implementation. */
export function ruleTester(rule: Rule, cases: { valid: ValidCase[]; invalid: InvalidCase[] }): void {
  describeCases(rule, "typescript", cases);
}

/** The same RuleTester for a rule's Rust implementation. */
export function rustRuleTester(rule: Rule, cases: { valid: ValidCase[]; invalid: InvalidCase[] }): void {
  describeCases(rule, "rust", cases);
}
