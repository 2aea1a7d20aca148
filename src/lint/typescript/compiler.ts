/**
 * The TypeScript compiler, loaded on its own: ts-morph bundles it (`@ts-morph/common/dist/typescript.js`,
 * the very object ts-morph's `ts` re-exports), and a lint without the type checker needs nothing else.
 * Importing `ts` from "ts-morph" would also load ts-morph and its helpers (4 MB more to compile) and
 * have Node's ESM loader scan ts-morph's 1 MB bundle for export names, in every lint thread.
 * Everything imports `ts` through `#compiler` (package.json "imports"), whose types are ts-morph's.
 */
import { createRequire } from "node:module";
import type * as TsMorph from "ts-morph";

const fromTsMorph = createRequire(createRequire(import.meta.url).resolve("ts-morph"));

export const ts = fromTsMorph("@ts-morph/common/dist/typescript.js") as typeof TsMorph.ts;

/** ts-morph itself, for the runs that build a program (the type checker, a warm session). */
export function loadTsMorph(): typeof TsMorph {
  return fromTsMorph("ts-morph") as typeof TsMorph;
}
