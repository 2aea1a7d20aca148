import { describe, expect, it } from "vitest";
import { allRules } from "../../rules/index.js";
import { languagesOf, type Language } from "../../src/lint/api.js";
import { expectNoPlaceholders, lintCase } from "../helpers/rule-tester.js";

// users copy correct examples, so they must pass every rule of their language, not only the one they illustrate
const describeReports = (messages: { line: number; ruleId?: string | null; message: string }[]) =>
  messages.map((message) => `${message.line} ${message.ruleId}: ${message.message}`);
const rulesOf = (language: Language) => allRules.filter((rule) => rule.implementations[language]);

describe("documented examples", () => {
  for (const rule of allRules) {
    describe(rule.id, () => {
      for (const language of languagesOf(rule)) {
        const { examples } = rule.implementations[language]!;
        examples.incorrect.forEach((code, index) => {
          it(`incorrect ${language} example ${index + 1} is reported`, async () => {
            const messages = (await lintCase(language, [rule], { code })).filter((message) => message.ruleId === rule.id);
            expect(messages.length).toBeGreaterThan(0);
            expectNoPlaceholders(messages);
          });
        });
        examples.correct.forEach((code, index) => {
          it(`correct ${language} example ${index + 1} is not reported by any rule`, async () => {
            const messages = await lintCase(language, rulesOf(language), { code });
            expect(describeReports(messages)).toEqual([]);
          });
        });
      }
    });
  }
});
