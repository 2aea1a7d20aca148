// The types of `#compiler` (package.json "imports"): its `ts` is ts-morph's, loaded without ts-morph (see compiler.ts).
export { ts } from "ts-morph";
export { loadTsMorph } from "./compiler.js";
