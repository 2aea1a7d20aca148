/** `asyncpat lint --stdin`, through the built CLI with text piped to it. */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { makeTree, runCli } from "../helpers/cli.js";

interface JsonResult {
  filePath: string;
  messages: { ruleId: string | null; line: number }[];
  output?: string;
}

const bareFetch = 'await fetch("https://x");\n';

describe("asyncpat lint --stdin", { timeout: 120_000 }, () => {
  it("lints standard input as the file --stdin-filename names", async () => {
    const dir = makeTree({ "package.json": "{}" });
    const result = await runCli(["lint", "--stdin", "--stdin-filename", "src/x.ts", "--format", "json"], { cwd: dir, input: bareFetch });
    expect(result.exitCode, result.stderr).toBe(1);
    const results = JSON.parse(result.stdout) as JsonResult[];
    expect(results.map((entry) => entry.filePath)).toEqual([path.join(dir, "src", "x.ts")]);
    expect(results[0]!.messages.map((message) => [message.ruleId, message.line])).toEqual([["missing-timeout", 1]]);
    expect(existsSync(path.join(dir, "src", "x.ts"))).toBe(false);
  });

  it("names the text stdin.ts in the cwd by default", async () => {
    const dir = makeTree({ "package.json": "{}" });
    const result = await runCli(["lint", "--stdin", "--format", "json"], { cwd: dir, input: bareFetch });
    expect((JSON.parse(result.stdout) as JsonResult[])[0]!.filePath).toBe(path.join(dir, "stdin.ts"));
  });

  it("lints the text, not the file on disk, under that file's config", async () => {
    const dir = makeTree({
      "src/x.ts": "export const clean = 1;\n",
      "asyncpat.config.json": JSON.stringify({ rules: { "missing-timeout": "warn" } }),
    });
    const result = await runCli(["lint", "--stdin", "--stdin-filename", "src/x.ts", "--format", "json"], { cwd: dir, input: bareFetch });
    expect(result.exitCode, result.stderr).toBe(0);
    const [file] = JSON.parse(result.stdout) as (JsonResult & { warningCount: number })[];
    expect(file!.warningCount).toBe(1);
  });

  it("takes the language from the extension: a .rs name lints Rust", async () => {
    const dir = makeTree({ "package.json": "{}" });
    const code = "async fn f() {\n    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<u8>();\n    drop((tx, rx));\n}\n";
    const result = await runCli(["lint", "--stdin", "--stdin-filename", "src/main.rs", "--format", "json"], { cwd: dir, input: code });
    const [file] = JSON.parse(result.stdout) as JsonResult[];
    expect(file!.messages.map((message) => message.ruleId)).toContain("unbounded-channel");
  });

  it("with --fix prints the fixed text instead of the report and writes nothing", async () => {
    const dir = makeTree({ "src/x.ts": "export {};\n" });
    const result = await runCli(["lint", "--stdin", "--stdin-filename", "src/x.ts", "--fix"], { cwd: dir, input: bareFetch });
    expect(result.exitCode, result.stderr).toBe(0);
    // runCli's stdout has its final newline stripped (execa's default)
    expect(result.stdout).toBe('await fetch("https://x", { signal: AbortSignal.timeout(10000) });');
    expect(readFileSync(path.join(dir, "src/x.ts"), "utf8")).toBe("export {};\n");
  });

  it("with --fix-dry-run and json reports the fixed text as output", async () => {
    const dir = makeTree({ "package.json": "{}" });
    const result = await runCli(["lint", "--stdin", "--stdin-filename", "src/x.ts", "--fix-dry-run", "--format", "json"], {
      cwd: dir,
      input: bareFetch,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    const [file] = JSON.parse(result.stdout) as JsonResult[];
    expect(file!.messages).toEqual([]);
    expect(file!.output).toBe('await fetch("https://x", { signal: AbortSignal.timeout(10000) });\n');
  });

  it("refuses paths together with --stdin (exit 2, naming the flag)", async () => {
    const dir = makeTree({ "src/x.ts": "export {};\n" });
    const result = await runCli(["lint", "--stdin", "src"], { cwd: dir, input: bareFetch });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/--stdin lints standard input and takes no paths \(got src\)/);
  });

  it("refuses a --stdin-filename whose extension it does not lint", async () => {
    const dir = makeTree({ "package.json": "{}" });
    const result = await runCli(["lint", "--stdin", "--stdin-filename", "notes.md"], { cwd: dir, input: bareFetch });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/--stdin-filename notes\.md: .*"\.md" is not one asyncpat lints/);
  });

  it("refuses --fix with --fix-dry-run, and --stdin-filename without --stdin", async () => {
    const dir = makeTree({ "package.json": "{}" });
    const both = await runCli(["lint", "--fix", "--fix-dry-run"], { cwd: dir });
    expect(both.exitCode).toBe(2);
    expect(both.stderr).toMatch(/--fix and --fix-dry-run cannot be used together/);
    const orphan = await runCli(["lint", "--stdin-filename", "a.ts"], { cwd: dir });
    expect(orphan.exitCode).toBe(2);
    expect(orphan.stderr).toMatch(/--stdin-filename names the text of --stdin; add --stdin/);
  });
});
