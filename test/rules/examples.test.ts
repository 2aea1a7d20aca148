import { describe, expect, it } from "vitest";
import { allRules } from "../../rules/index.js";
import { lintRustSnippet, lintRustSnippetWith, lintSnippet, lintSnippetWith } from "../lint/rule-tester.js";

// users copy correct examples, so they must pass every rule, not only the one they illustrate
const rustRules = allRules.filter((rule) => rule.rust);
const describeReports = (messages: { line: number; ruleId?: string | null; message: string }[]) => messages.map((message) => `${message.line} ${message.ruleId}: ${message.message}`);

describe("documented examples", () => {
  for (const rule of allRules) {
    describe(rule.id, () => {
      rule.meta.examples.incorrect.forEach((code, index) => {
        it(`incorrect example ${index + 1} is reported`, async () => {
          const messages = await lintSnippet(rule, { code });
          expect(messages.filter((message) => message.ruleId === rule.id).length).toBeGreaterThan(0);
        });
      });
      rule.meta.examples.correct.forEach((code, index) => {
        it(`correct example ${index + 1} is not reported by any rule`, async () => {
          const messages = await lintSnippetWith(allRules, { code });
          expect(describeReports(messages)).toEqual([]);
        });
      });
      rule.rust?.examples.incorrect.forEach((code, index) => {
        it(`incorrect Rust example ${index + 1} is reported`, async () => {
          const messages = await lintRustSnippet(rule, { code });
          expect(messages.filter((message) => message.ruleId === rule.id).length).toBeGreaterThan(0);
        });
      });
      rule.rust?.examples.correct.forEach((code, index) => {
        it(`correct Rust example ${index + 1} is not reported by any rule`, async () => {
          const messages = await lintRustSnippetWith(rustRules, { code });
          expect(describeReports(messages)).toEqual([]);
        });
      });
    });
  }
});
