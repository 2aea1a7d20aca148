/**
 * The rules a lint run is handed: read from the generated manifest, each language's implementations
 * imported from rules/ the first time the engine lints a file of that language. Loading every rule
 * (`rules/index.ts`) would load TypeScript for a Rust-only run and for a config error.
 */
import type { Rule } from "../lint/rule.js";
import type { Language } from "../lint/rule-meta.js";
import { manifestRules } from "../lint/rule-manifest.js";

async function loadImplementations(language: Language): Promise<Readonly<Record<string, unknown>>> {
  if (language === "typescript") return (await import("../../rules/typescript.js")).implementations;
  return (await import("../../rules/rust.js")).implementations;
}

let rules: Rule[] | undefined;

/** The rule list of this process, read once. */
export function lintRules(): readonly Rule[] {
  return (rules ??= manifestRules(loadImplementations));
}
