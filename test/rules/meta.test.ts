import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { allRules } from "../../rules/index.js";
import { languagesOf, LANGUAGES, mergedOptions } from "../../src/lint/api.js";

const root = path.resolve(import.meta.dirname, "../..");
const ruleFolders = readdirSync(path.join(root, "rules")).filter((entry) => statSync(path.join(root, "rules", entry)).isDirectory());
/** The meta, one implementation per language (split into `<language>-<part>.ts` when large), shared options. */
const RULE_PART = /^(index|options|typescript|rust|(typescript|rust)-[a-z]+(-[a-z]+)*)\.ts$/;

describe("rule anatomy", () => {
  it("every rule folder is registered, once, in rules/index.ts", () => {
    expect([...allRules.map((rule) => rule.id)].sort()).toEqual([...ruleFolders].sort());
  });

  it("rules are listed in id order", () => {
    const ids = allRules.map((rule) => rule.id);
    expect(ids).toEqual([...ids].sort());
  });

  for (const rule of allRules) {
    describe(rule.id, () => {
      const folder = path.join(root, "rules", rule.id);

      it("has a kebab-case id equal to its folder, one implementation file and one test file per language, and a doc page", () => {
        expect(rule.id).toMatch(/^[a-z]+(-[a-z]+)*$/);
        expect(ruleFolders).toContain(rule.id);
        for (const file of readdirSync(folder)) expect(file, `rules/${rule.id}/${file} is not a rule part`).toMatch(RULE_PART);
        for (const language of LANGUAGES) {
          const implemented = rule.implementations[language] !== undefined;
          expect(existsSync(path.join(folder, `${language}.ts`)), `rules/${rule.id}/${language}.ts`).toBe(implemented);
          expect(
            existsSync(path.join(root, "test", "rules", rule.id, `${language}.test.ts`)),
            `test/rules/${rule.id}/${language}.test.ts`,
          ).toBe(implemented);
        }
        expect(existsSync(path.join(root, "docs", "rules", `${rule.id}.md`))).toBe(true);
      });

      it("declares a description and why; each implementation its advice, messages and examples", () => {
        const meta = rule.meta;
        expect(meta.description.length).toBeGreaterThan(10);
        expect(meta.description).not.toMatch(/\.$/);
        expect(meta.why.length).toBeGreaterThan(40);
        for (const language of languagesOf(rule)) {
          const implementation = rule.implementations[language]!;
          expect(implementation.instead.length, `${language} instead`).toBeGreaterThan(20);
          expect(Object.keys(implementation.messages).length).toBeGreaterThan(0);
          expect(implementation.examples.incorrect.length).toBeGreaterThan(0);
          expect(implementation.examples.correct.length).toBeGreaterThan(0);
        }
      });

      // TypeScript advice names the Tokio pattern it carries over on purpose; Rust advice must not send users to Node APIs
      it("gives Rust advice for Rust findings", () => {
        const rust = rule.implementations.rust;
        if (rust) {
          const text = [rust.instead, ...Object.values(rust.messages)].join("\n");
          expect(text).not.toMatch(/\.catch\b|\bPromise\b|AbortSignal|setTimeout|\bawait\s+once\b|npm\b/);
        }
      });

      it("has option defaults that satisfy each implementation's option schema, and shared options agree", () => {
        for (const language of languagesOf(rule)) {
          const options = rule.implementations[language]!.options;
          if (!options) continue;
          for (const schema of Object.values(options.properties) as { description: string }[])
            expect(schema.description.length).toBeGreaterThan(5);
          const validate = new Ajv({ strict: false }).compile({
            type: "object",
            properties: options.properties,
            additionalProperties: false,
          });
          expect(validate(options.defaults), JSON.stringify(validate.errors)).toBe(true);
        }
        for (const [key, option] of mergedOptions(rule)) {
          for (const language of option.languages) {
            expect(rule.implementations[language]!.options!.properties[key as never], `${key} in ${language}`).toEqual(option.schema);
          }
        }
      });
    });
  }
});
