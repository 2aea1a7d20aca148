/**
 * Each template's README maps its parts to the Tokio patterns of the reference (tokio-patterns.md):
 * a table that says which file does what. The table must exist and every file a README names must
 * exist in the template as stored, so the map cannot point at a file that was moved or deleted.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { discoverTemplates } from "../../src/scaffold/discover.js";

const templates = discoverTemplates().templates;
/** A backticked project path: `src/server.rs`, `test/soak.ts`, `tests/soak.rs`, `scripts/bench.ts`. */
const FILE_REFERENCE = /`((?:src|tests?|scripts)\/[\w./-]+\.(?:ts|rs|json|md))`/g;

describe("template READMEs map their parts to the reference's patterns", () => {
  it("finds all eight templates", () => {
    expect(templates.map((template) => `${template.lang}/${template.name}`).sort()).toEqual([
      "rust/graceful-shutdown",
      "rust/pub-sub",
      "rust/server",
      "rust/worker-pool",
      "ts/graceful-shutdown",
      "ts/pub-sub",
      "ts/server",
      "ts/worker-pool",
    ]);
  });

  it.each(templates.map((template) => [`${template.lang}/${template.name}`, template] as const))(
    "%s: has a table naming tokio-patterns.md, and every file it names exists",
    (_name, template) => {
      const readme = readFileSync(path.join(template.dir, "README.md"), "utf8");
      const tableHeader = readme.split("\n").find((line) => line.startsWith("|") && line.includes("tokio-patterns.md"));
      expect(tableHeader, `templates/${template.lang}/${template.name}/README.md: add a table whose header names tokio-patterns.md`).toBeDefined();
      const named = [...readme.matchAll(FILE_REFERENCE)].map((match) => match[1] as string);
      expect(named.length, "the README names no file of the template").toBeGreaterThan(3);
      const missing = [...new Set(named)].filter((file) => !existsSync(path.join(template.dir, file)));
      expect(missing, `templates/${template.lang}/${template.name}/README.md names files that do not exist`).toEqual([]);
    },
  );
});
