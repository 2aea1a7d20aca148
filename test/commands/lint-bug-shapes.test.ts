import { cpSync, mkdtempSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot, runCli } from "../helpers/cli.js";

interface EslintJson {
  filePath: string;
  messages: { ruleId: string | null; line: number; message: string }[];
}

const fixtures = path.join(repoRoot, "test", "fixtures");

/** Copies a fixture folder out of test/ (where rules rightly treat files as tests) and lints it as a project. */
async function lintFolder(folder: string): Promise<Map<string, string[]>> {
  const project = mkdtempSync(path.join(os.tmpdir(), "asyncpat-shapes-"));
  cpSync(path.join(fixtures, folder), path.join(project, "src"), { recursive: true });
  cpSync(path.join(fixtures, "asyncpat.config.json"), path.join(project, "asyncpat.config.json"));
  const result = await runCli(["lint", "--format", "json"], { cwd: project });
  expect(result.stderr).toBe("");
  return new Map(
    (JSON.parse(result.stdout) as EslintJson[]).map((file) => [path.basename(file.filePath), file.messages.map((m) => `${m.ruleId}`)]),
  );
}

describe("asyncpat lint on folders of real bug shapes", () => {
  for (const folder of ["bug-shapes", "bug-shapes-rust"]) {
    it(`reports each file of ${folder} with its own rule and nothing else`, async () => {
      const byFile = await lintFolder(folder);
      const files = readdirSync(path.join(fixtures, folder));
      expect([...byFile.keys()].sort()).toEqual(files.sort());
      for (const file of files) {
        const ruleId = file.replace(/\.(ts|rs)$/, "");
        const reported = byFile.get(file)!;
        expect(reported.length, `${file} is not reported`).toBeGreaterThan(0);
        expect(new Set(reported), `${file}: ${reported.join(", ")}`).toEqual(new Set([ruleId]));
      }
    });
  }

  it("reports nothing on clean service code", async () => {
    const byFile = await lintFolder("clean");
    expect(Object.fromEntries(byFile)).toEqual({ "orders.ts": [], "worker.rs": [] });
  });
});
