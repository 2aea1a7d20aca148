/** What a Rust rule implementation may use: its types and the shared Rust analysis. */
export * from "./rule.js";
export * from "./analysis.js";
export * from "./macros.js";
