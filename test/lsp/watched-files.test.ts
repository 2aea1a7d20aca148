import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { classifyChanges, watchedGlobs } from "../../src/lsp/watched-files.js";

const uri = (relative: string) => pathToFileURL(`/project/${relative}`).href;
const closed = () => false;

describe("what a change on disk means to the language server", () => {
  it("re-reads configs when a config file or a package.json changes", () => {
    for (const file of ["asyncpat.config.json", ".asyncpatrc.json", "package.json", "packages/api/package.json"]) {
      expect(classifyChanges([uri(file)], closed), file).toEqual({ config: true, program: false });
    }
  });

  it("rebuilds the program when a tsconfig changes, also a base config under node_modules", () => {
    for (const file of ["tsconfig.json", "tsconfig.build.json", "jsconfig.json", "node_modules/@tsconfig/node20/tsconfig.json"]) {
      expect(classifyChanges([uri(file)], closed), file).toEqual({ config: false, program: true });
    }
  });

  it("rebuilds the program when a source file that is not open changes behind the editor", () => {
    expect(classifyChanges([uri("src/other.ts")], closed)).toEqual({ config: false, program: true });
    expect(classifyChanges([uri("src/lib.rs")], closed)).toEqual({ config: false, program: true });
    expect(classifyChanges([uri("src/types.d.ts")], closed)).toEqual({ config: false, program: true });
  });

  it("ignores an open buffer's own save, build output, installs and other files", () => {
    expect(classifyChanges([uri("src/open.ts")], (changed) => changed === uri("src/open.ts"))).toEqual({ config: false, program: false });
    for (const file of [
      "dist/index.js",
      "target/debug/build/x.rs",
      "node_modules/x/package.json",
      "node_modules/x/index.js",
      "README.md",
    ]) {
      expect(classifyChanges([uri(file)], closed), file).toEqual({ config: false, program: false });
    }
    expect(classifyChanges(["untitled:Untitled-1"], closed)).toEqual({ config: false, program: false });
  });

  it("asks the client to watch configs, tsconfigs and every extension it lints", () => {
    const globs = watchedGlobs();
    expect(globs).toContain("**/{asyncpat.config.json,.asyncpatrc.json,package.json}");
    expect(globs).toContain("**/{tsconfig,jsconfig}*.json");
    expect(globs.find((glob) => glob.startsWith("**/*."))).toMatch(/\bts,.*\brs\b/);
  });
});
