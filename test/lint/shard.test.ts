import path from "node:path";
import { describe, expect, it } from "vitest";
import { splitFiles } from "../../src/lint/shard.js";
import { makeTree } from "../helpers/cli.js";

describe("splitFiles", () => {
  it("splits by weight when given one: one large file against many small ones gets a thread of its own", () => {
    const dir = makeTree({ "package.json": "{}" });
    const files = ["a-big.ts", "b.ts", "c.ts", "d.ts", "e.ts", "f.ts"].map((name) => path.join(dir, "src", name));
    const weight = (file: string) => (file.endsWith("a-big.ts") ? 5000 : 1000);
    const byCount = splitFiles(files, 2, files, { withContext: false });
    const byWeight = splitFiles(files, 2, files, { withContext: false, weightOf: weight });
    expect(byCount.map((part) => part.lint.length)).toEqual([3, 3]);
    expect(byWeight.map((part) => part.lint.map((file) => path.basename(file)))).toEqual([
      ["a-big.ts"],
      ["b.ts", "c.ts", "d.ts", "e.ts", "f.ts"],
    ]);
  });

  it("puts the cut on the side of a file that leaves the shares closer", () => {
    const dir = makeTree({ "package.json": "{}" });
    const files = ["a.ts", "b.ts", "c.ts"].map((name) => path.join(dir, "src", name));
    const sizes: Record<string, number> = { "a.ts": 100, "b.ts": 300, "c.ts": 150 };
    const parts = splitFiles(files, 2, files, { withContext: false, weightOf: (file) => sizes[path.basename(file)]! });
    expect(parts.map((part) => part.lint.map((file) => path.basename(file)))).toEqual([["a.ts", "b.ts"], ["c.ts"]]);
  });
});
