import { describe, expect, it } from "vitest";
import { repoRoot, runCli } from "./helpers/cli.js";

describe("asyncpat lints itself", () => {
  it("reports nothing on this repository (source, rules, scripts, tests, templates) under asyncpat:strict", async () => {
    const result = await runCli(["lint", "--format", "json"], { cwd: repoRoot });
    const findings = (
      JSON.parse(result.stdout) as { filePath: string; messages: { ruleId: string | null; line: number; message: string }[] }[]
    ).flatMap((file) => file.messages.map((message) => `${file.filePath}:${message.line} ${message.ruleId}: ${message.message}`));
    expect(findings).toEqual([]);
    expect(result.exitCode).toBe(0);
  }, 120_000);
});
