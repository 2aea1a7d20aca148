import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { makeTree, runCli } from "../helpers/cli.js";

interface EslintJson {
  filePath: string;
  messages: { ruleId: string | null; line: number; severity: number }[];
}

// a bare fetch (missing-timeout) and a dropped promise (floating-task) in every file
const code = `export async function ping(url: string) {\n  const response = await fetch(url);\n  return response.ok;\n}\nexport function start() {\n  ping("http://localhost:1");\n}\n`;

function findings(stdout: string): Record<string, string[]> {
  return Object.fromEntries(
    (JSON.parse(stdout) as EslintJson[]).map((file) => [
      file.filePath.split(path.sep).slice(-2).join("/"),
      file.messages.map((message) => message.ruleId!).sort(),
    ]),
  );
}

describe("asyncpat lint: file roles and overrides", () => {
  const tree = () =>
    makeTree({
      "package.json": "{}",
      "src/client.ts": code,
      "test/client.test.ts": code,
      "scripts/seed.ts": code,
      "test/fixtures/broken.ts": "export const = ;\n",
      "asyncpat.config.json": JSON.stringify({ extends: "asyncpat:strict" }),
    });

  it("tests keep floating-task but drop deadline rules; fixtures are not linted; --stats counts files per role", async () => {
    const dir = tree();
    const result = await runCli(["lint", "--format", "json", "--stats"], { cwd: dir });
    expect(findings(result.stdout)).toEqual({
      "src/client.ts": ["floating-task", "missing-timeout"],
      "test/client.test.ts": ["floating-task"],
      "scripts/seed.ts": ["floating-task", "missing-timeout"],
    });
    expect(result.stderr).toMatch(/files linted by role: 1 source, 1 test, 1 script; not linted: 1 fixture/);
  });

  it("overrides by files and by roles change rules for the files they match, later entries winning", async () => {
    const dir = tree();
    writeFileSync(
      path.join(dir, "asyncpat.config.json"),
      JSON.stringify({
        extends: "asyncpat:strict",
        overrides: [
          { roles: ["test"], rules: { "missing-timeout": "error" } },
          { files: ["scripts/**"], rules: { "floating-task": "off", "missing-timeout": "off" } },
          { files: ["src/**"], roles: ["source"], rules: { "floating-task": "warn" } },
        ],
        roles: { fixture: "lint" },
      }),
    );
    const result = await runCli(["lint", "--format", "json"], { cwd: dir });
    const byFile = findings(result.stdout);
    expect(byFile["test/client.test.ts"]).toEqual(["floating-task", "missing-timeout"]);
    expect(byFile["scripts/seed.ts"]).toEqual([]);
    expect(byFile["fixtures/broken.ts"]).toEqual([null as unknown as string]);
    const src = (JSON.parse(result.stdout) as EslintJson[]).find((file) => file.filePath.endsWith(`${path.sep}src${path.sep}client.ts`))!;
    expect(src.messages.map((message) => [message.ruleId, message.severity]).sort()).toEqual([
      ["floating-task", 1],
      ["missing-timeout", 2],
    ]);
  });

  it.each([
    [{ overrides: {} }, /"overrides" must be an array/],
    [{ overrides: [{ rules: {} }] }, /overrides\[0\]: give "files", "roles" or both/],
    [{ overrides: [{ files: ["x"], rules: { "no-such-rule": "off" } }] }, /unknown rule "no-such-rule"/],
    [{ overrides: [{ roles: ["tests"], rules: {} }] }, /overrides\[0\]\.roles must be a non-empty array of "source", "test"/],
    [{ overrides: [{ files: ["x"], rule: {} }] }, /overrides\[0\]: unknown key "rule"/],
    [{ roles: { fixture: "yes" } }, /roles\.fixture must be "lint" or "skip"/],
    [{ roles: { fixtures: "lint" } }, /roles\.fixtures: unknown file role/],
    [{ override: [] }, /unknown key "override"; did you mean "overrides"\?/],
  ])("a bad config %j exits 2 naming the key", async (config, message) => {
    const dir = tree();
    writeFileSync(path.join(dir, "asyncpat.config.json"), JSON.stringify(config));
    const result = await runCli(["lint"], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain("asyncpat.config.json");
  });
});

describe("asyncpat lint: .gitignore", () => {
  const bug = `setInterval(async () => {\n  await Promise.resolve();\n}, 1000);\n`;
  const tree = () =>
    makeTree({
      ".git/HEAD": "ref: refs/heads/main\n",
      ".gitignore": "# build output\n/out/\n*.gen.ts\nvendor/\n!vendor/keep.ts\n",
      "package.json": "{}",
      "src/a.ts": bug,
      "src/b.gen.ts": bug,
      "out/c.ts": bug,
      "src/out/d.ts": bug,
      "vendor/e.ts": bug,
      "packages/x/.gitignore": "local.ts\n",
      "packages/x/local.ts": bug,
      "packages/x/kept.ts": bug,
    });
  it("skips what .gitignore files ignore when walking folders, honouring anchors, globs, nested files and the walk's parents", async () => {
    const dir = tree();
    const result = await runCli(["lint", "--format", "json"], { cwd: dir });
    const files = (JSON.parse(result.stdout) as EslintJson[])
      .map((file) => path.relative(dir, file.filePath).split(path.sep).join("/"))
      .sort();
    expect(files).toEqual(["packages/x/kept.ts", "src/a.ts", "src/out/d.ts"]);
    const inside = await runCli(["lint", "--format", "json", "."], { cwd: path.join(dir, "packages", "x") });
    expect((JSON.parse(inside.stdout) as EslintJson[]).map((file) => path.basename(file.filePath))).toEqual(["kept.ts"]);
  });

  it("--no-gitignore lints them, and a file named on the command line is always linted", async () => {
    const dir = tree();
    const all = await runCli(["lint", "--format", "json", "--no-gitignore"], { cwd: dir });
    expect((JSON.parse(all.stdout) as EslintJson[]).length).toBe(7);
    const named = await runCli(["lint", "--format", "json", "src/b.gen.ts"], { cwd: dir });
    expect((JSON.parse(named.stdout) as EslintJson[]).map((file) => path.basename(file.filePath))).toEqual(["b.gen.ts"]);
  });
});
