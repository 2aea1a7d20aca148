import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { allRules } from "../../rules/index.js";

const root = path.resolve(import.meta.dirname, "../..");
const ruleFiles = readdirSync(path.join(root, "rules"))
  .filter((file) => file.endsWith(".ts") && file !== "index.ts")
  .map((file) => file.replace(/\.ts$/, ""));

describe("rule anatomy", () => {
  it("every rule file is registered, once, in rules/index.ts", () => {
    expect([...allRules.map((rule) => rule.id)].sort()).toEqual([...ruleFiles].sort());
  });

  it("rules are listed in id order", () => {
    const ids = allRules.map((rule) => rule.id);
    expect(ids).toEqual([...ids].sort());
  });

  for (const rule of allRules) {
    describe(rule.id, () => {
      it("has a kebab-case id equal to its file name, a test file and a doc page", () => {
        expect(rule.id).toMatch(/^[a-z]+(-[a-z]+)*$/);
        expect(ruleFiles).toContain(rule.id);
        expect(existsSync(path.join(root, "test", "rules", `${rule.id}.test.ts`))).toBe(true);
        expect(existsSync(path.join(root, "docs", "rules", `${rule.id}.md`))).toBe(true);
      });

      it("declares why, what instead, messages and examples", () => {
        const meta = rule.meta;
        expect(meta.description.length).toBeGreaterThan(10);
        expect(meta.description).not.toMatch(/\.$/);
        expect(meta.why.length).toBeGreaterThan(40);
        expect(meta.instead.length).toBeGreaterThan(20);
        expect(Object.keys(meta.messages).length).toBeGreaterThan(0);
        expect(meta.examples.incorrect.length).toBeGreaterThan(0);
        expect(meta.examples.correct.length).toBeGreaterThan(0);
        if (rule.rust) {
          expect(rule.rust.examples.incorrect.length).toBeGreaterThan(0);
          expect(rule.rust.examples.correct.length).toBeGreaterThan(0);
        }
      });

      it("has option defaults that satisfy its own option schema", () => {
        const options = rule.meta.options;
        if (!options) return;
        for (const schema of Object.values(options.properties)) expect(schema.description.length).toBeGreaterThan(5);
        const validate = new Ajv({ strict: false }).compile({ type: "object", properties: options.properties, additionalProperties: false });
        expect(validate(options.defaults), JSON.stringify(validate.errors)).toBe(true);
      });
    });
  }
});
