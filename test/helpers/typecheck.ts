/**
 * Type-checks a folder with the repository's own TypeScript (`tsc --noEmit`, strict), resolving
 * `@types/node` from the repository's node_modules, so a fix test proves the fixed code compiles.
 */
import { execFileSync } from "node:child_process";
import { existsSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "./cli.js";

const TSC = path.join(repoRoot, "node_modules", "typescript", "bin", "tsc");

export const STRICT_TSCONFIG = JSON.stringify({
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ["node"],
  },
  include: ["src"],
});

/** Adds a strict tsconfig.json (unless there is one) and a node_modules link to the repository's. */
export function prepareTypecheck(dir: string): void {
  if (!existsSync(path.join(dir, "tsconfig.json"))) writeFileSync(path.join(dir, "tsconfig.json"), STRICT_TSCONFIG);
  if (!existsSync(path.join(dir, "node_modules"))) symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"), "dir");
}

/** tsc's diagnostics for the folder; "" when it compiles. */
export function typecheck(dir: string): string {
  prepareTypecheck(dir);
  try {
    execFileSync(process.execPath, [TSC, "-p", dir, "--noEmit"], { cwd: dir, encoding: "utf8", stdio: "pipe" });
    return "";
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    return `${failure.stdout ?? ""}${failure.stderr ?? ""}` || failure.message;
  }
}
