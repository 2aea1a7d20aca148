/**
 * A rule: its language-neutral meta and one implementation per language it supports. The engine
 * hands each backend the implementation for its language; a rule may exist for one language only.
 */
import type { ImplementationMeta, Language, OptionSchema, RuleMeta } from "./rule-meta.js";
import type { RustRule } from "./rust/rule.js";
import type { TypeScriptRule } from "./typescript/rule.js";

// Rules are stored in heterogeneous lists; their options type is erased there.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Erased = any;

export interface Implementations {
  typescript?: TypeScriptRule<Erased>;
  rust?: RustRule<Erased>;
}

export interface Rule {
  /** kebab-case; equal to the rule's folder in `rules/`, its test folder and its doc page. */
  id: string;
  meta: RuleMeta;
  implementations: Implementations;
  /**
   * Set on a rule read from the generated manifest (rule-manifest.ts): its `implementations` then
   * carry their meta only (options, advice, fixable), and the engine calls this for the languages a
   * run has files in before it lints them, so a run loads only its languages' implementations.
   */
  loadImplementation?: <L extends Language>(language: L) => Promise<Implementations[L]>;
}

export type AnyRule = Rule;

export const LANGUAGES: readonly Language[] = ["typescript", "rust"];

export function defineRule(rule: Rule): Rule {
  if (!rule.implementations.typescript && !rule.implementations.rust) throw new Error(`rule ${rule.id} has no implementation`);
  return rule;
}

export function languagesOf(rule: Rule): Language[] {
  return LANGUAGES.filter((language) => rule.implementations[language] !== undefined);
}

export function implementationOf(rule: Rule, language: Language): ImplementationMeta<unknown> | undefined {
  return rule.implementations[language];
}

/** One option of a rule's config, with the languages whose implementation reads it. */
export interface MergedOption {
  schema: OptionSchema;
  languages: Language[];
}

/**
 * The options a rule takes in the config: the union over its implementations. An option both
 * languages read appears once (their schemas must agree, which test/rules/meta.test.ts checks).
 */
export function mergedOptions(rule: Rule): Map<string, MergedOption> {
  const merged = new Map<string, MergedOption>();
  for (const language of languagesOf(rule)) {
    const properties = rule.implementations[language]!.options?.properties ?? {};
    for (const [key, schema] of Object.entries(properties) as [string, OptionSchema][]) {
      const existing = merged.get(key);
      if (existing) existing.languages.push(language);
      else merged.set(key, { schema, languages: [language] });
    }
  }
  return merged;
}

/** An implementation's options for a run: its defaults, then the config's values for the keys it reads. */
export function implementationOptions(implementation: ImplementationMeta<unknown>, configured: Record<string, unknown>): unknown {
  const meta = implementation.options as { properties: Record<string, unknown>; defaults: Record<string, unknown> } | undefined;
  if (!meta) return {};
  const options: Record<string, unknown> = { ...meta.defaults };
  for (const key of Object.keys(meta.properties)) if (configured[key] !== undefined) options[key] = configured[key];
  return options;
}
