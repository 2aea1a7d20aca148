/**
 * The rule API: everything a rule in `rules/` may import, and the only engine module it may import
 * (Rust implementations import its TypeScript-free part, `rust-api.ts`, so that they load no
 * ts-morph). Rules never reach into the engine's internals; shared analysis (import recognition,
 * scopes, function kinds, acquire/release spans, Rust paths) is exported from here so that no two
 * rules carry their own copy of it. Nothing inside the engine imports this barrel.
 */
export * from "./rust-api.js";
export * from "./typescript/api.js";
