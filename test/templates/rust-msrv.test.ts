/**
 * The Rust templates must build with Debian's rustc 1.63, which .ci/install-rust-deps.sh installs
 * when no rustup toolchain is present. The CI machines here have a newer rustc, so the template
 * build tests cannot catch syntax 1.63 lacks; this scans for the one that keeps coming back:
 * `let PATTERN = EXPR else { ... };` (stable in 1.65).
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const RUST_TEMPLATES = fileURLToPath(new URL("../../templates/rust", import.meta.url));

function rustFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "target" ? [] : rustFiles(full);
    return entry.name.endsWith(".rs") ? [full] : [];
  });
}

/** Lines holding a let-else: `let` and `else {` on one line, with no `if` between them. */
function letElseLines(source: string): number[] {
  const found: number[] = [];
  source.split("\n").forEach((line, index) => {
    if (/^\s*let\b[^;]*=(?![^;]*\bif\b)[^;]*\belse\s*\{/.test(line)) found.push(index + 1);
  });
  return found;
}

describe("Rust templates build with rustc 1.63 (Debian's, the CI fallback)", () => {
  it("the scan finds a let-else and passes an if/else expression", () => {
    expect(letElseLines("    let Some(x) = next() else {\n        return;\n    };")).toEqual([1]);
    expect(letElseLines("    let x = if ready { 1 } else { 2 };\n    let y = match z { _ => 3 };")).toEqual([]);
  });

  it("no template uses let-else", () => {
    const offenders = rustFiles(RUST_TEMPLATES).flatMap((file) =>
      letElseLines(readFileSync(file, "utf8")).map((line) => `${path.relative(RUST_TEMPLATES, file)}:${line}`),
    );
    expect(offenders, "rewrite these as a match: rustc 1.63 has no let-else").toEqual([]);
  });
});
