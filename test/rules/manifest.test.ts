import path from "node:path";
import { describe, expect, it } from "vitest";
import { allRules } from "../../rules/index.js";
import { implementations as rustImplementations } from "../../rules/rust.js";
import { implementations as typescriptImplementations } from "../../rules/typescript.js";
import { languagesOf, LANGUAGES } from "../../src/lint/api.js";
import { manifestRules, RULE_MANIFEST, withImplementations } from "../../src/lint/rule-manifest.js";
import { ruleListEntries } from "../../src/lint/rule-list.js";
import { ruleOptionsSchema } from "../../src/lint/config.js";
import type { Language } from "../../src/lint/rule-meta.js";

const root = path.resolve(import.meta.dirname, "../..");
const indexes = { typescript: typescriptImplementations, rust: rustImplementations } as const;

describe("rules by language and the rule manifest", () => {
  it("each language's index holds exactly the implementations of that language that rules/index.ts registers", () => {
    for (const language of LANGUAGES) {
      const expected = allRules.filter((rule) => rule.implementations[language]).map((rule) => [rule.id, rule.implementations[language]]);
      expect(Object.entries(indexes[language]).sort(), `rules/${language}.ts`).toEqual(expected.sort());
      for (const [id, implementation] of expected) expect(indexes[language][id as string], id as string).toBe(implementation);
    }
  });

  const loads: Language[] = [];
  const fromManifest = manifestRules(
    async (language) => {
      loads.push(language);
      return indexes[language];
    },
    path.join(root, RULE_MANIFEST),
  );

  it("a manifest rule carries the meta, languages, option schemas and rule-list facts of the loaded rule, and loads nothing", () => {
    expect(fromManifest.map((rule) => rule.id)).toEqual(allRules.map((rule) => rule.id));
    for (const [index, rule] of allRules.entries()) {
      const stub = fromManifest[index]!;
      expect(stub.meta).toEqual(rule.meta);
      expect(languagesOf(stub)).toEqual(languagesOf(rule));
      expect(ruleOptionsSchema(stub)).toEqual(ruleOptionsSchema(rule));
      for (const language of languagesOf(rule)) {
        expect(stub.implementations[language]!.options, `${rule.id} ${language}`).toEqual(rule.implementations[language]!.options);
        expect(stub.implementations[language]!.instead).toBe(rule.implementations[language]!.instead);
        expect("create" in stub.implementations[language]!).toBe(false);
      }
    }
    expect(ruleListEntries(fromManifest)).toEqual(ruleListEntries(allRules));
    expect(loads).toEqual([]);
  });

  it("withImplementations loads one language's implementations, for the rules that have one, and the same rule object every time", async () => {
    const configured = fromManifest.map((rule) => ({ rule, severity: "warn" as const, options: {} }));
    const forRust = await withImplementations(configured, "rust");
    expect(loads).toEqual(allRules.filter((rule) => rule.implementations.rust).map(() => "rust"));
    for (const [index, entry] of configured.entries()) {
      const loaded = forRust(entry).rule;
      const real = allRules[index]!;
      if (real.implementations.rust) expect(loaded.implementations.rust).toBe(real.implementations.rust);
      else expect(loaded).toBe(entry.rule);
    }
    const again = await withImplementations(configured, "rust");
    expect(again(configured[1]!).rule).toBe(forRust(configured[1]!).rule);
    expect(loads.filter((language) => language === "typescript")).toEqual([]);
  });
});
