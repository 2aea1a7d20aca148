/**
 * The rule API without TypeScript: everything a Rust rule implementation (and a rule's
 * language-neutral parts) may import. Importing it loads no ts-morph, so a Rust-only run never
 * loads the compiler. `api.ts` re-exports all of it beside the TypeScript analysis.
 */
export * from "./rule-meta.js";
export * from "./rule.js";
export { snippet } from "./messages.js";
export type { Fix, Suggestion } from "./types.js";
export { isTestFile, isToolConfigFile, rolePath } from "./file-roles.js";
export * from "./rust/api.js";
