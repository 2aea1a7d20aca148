/** What a TypeScript rule implementation may use: its types and the shared TypeScript analysis. */
export { ts } from "#compiler";
export * from "./rule.js";
export * from "./analysis/imports.js";
export * from "./analysis/nodes.js";
export * from "./analysis/scope.js";
export * from "./analysis/functions.js";
export * from "./analysis/resources/index.js";
export * from "./analysis/promises.js";
export * from "./analysis/callbacks.js";
export * from "./analysis/options.js";
export * from "./analysis/fixes.js";
export * from "./analysis/rejections.js";
export * from "./analysis/collections.js";
export * from "./analysis/in-memory.js";
export * from "./analysis/input-size.js";
export * from "./analysis/events.js";
export * from "./analysis/identifiers.js";
export * from "./analysis/coroutines.js";
