import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { allRules } from "../rules/index.js";
import { generatedFiles } from "../scripts/docs.js";

const root = path.resolve(import.meta.dirname, "..");

describe("generated docs", () => {
  for (const [relative, expected] of generatedFiles(allRules, root)) {
    it(`${relative} is up to date (run \`npm run docs\`)`, () => {
      let actual = "";
      try {
        actual = readFileSync(path.join(root, relative), "utf8");
      } catch {
        // missing counts as stale
      }
      expect(actual === expected, `${relative} is stale: run \`npm run docs\``).toBe(true);
    });
  }
});
