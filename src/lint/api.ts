/**
 * The rule API: everything a rule in `rules/` may import, and the only engine module it may import.
 * Rules never reach into the engine's internals; shared analysis (import recognition, scopes,
 * function kinds, acquire/release spans, Rust paths) is exported from here so that no two rules
 * carry their own copy of it. Nothing inside the engine imports this barrel.
 */
export * from "./rule-meta.js";
export * from "./rule.js";
export { snippet } from "./messages.js";
export type { Fix, Suggestion } from "./types.js";
export { isTestFile, isToolConfigFile } from "./file-roles.js";
export * from "./typescript/api.js";
export * from "./rust/api.js";
