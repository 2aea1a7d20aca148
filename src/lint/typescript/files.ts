/**
 * What the engine needs to know about TypeScript files before any is linted: which extensions are
 * TypeScript/JavaScript and where a folder's tsconfig is. A leaf module: importing it does not load
 * the compiler, so a Rust-only run never loads TypeScript.
 */
import { existsSync } from "node:fs";
import path from "node:path";

export const TYPESCRIPT_EXTENSIONS = [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"] as const;

export function findNearestTsconfig(startDirectory: string): string | undefined {
  for (let dir = startDirectory; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "tsconfig.json");
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}
