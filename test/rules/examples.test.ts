import { describe, expect, it } from "vitest";
import { allRules } from "../../rules/index.js";
import { lintRustSnippet, lintSnippet } from "../lint/rule-tester.js";

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
        it(`correct example ${index + 1} is not reported`, async () => {
          const messages = await lintSnippet(rule, { code });
          expect(messages.map((message) => `${message.line}: ${message.message}`)).toEqual([]);
        });
      });
      rule.rust?.examples.incorrect.forEach((code, index) => {
        it(`incorrect Rust example ${index + 1} is reported`, async () => {
          const messages = await lintRustSnippet(rule, { code });
          expect(messages.filter((message) => message.ruleId === rule.id).length).toBeGreaterThan(0);
        });
      });
      rule.rust?.examples.correct.forEach((code, index) => {
        it(`correct Rust example ${index + 1} is not reported`, async () => {
          const messages = await lintRustSnippet(rule, { code });
          expect(messages.map((message) => `${message.line}: ${message.message}`)).toEqual([]);
        });
      });
    });
  }
});
