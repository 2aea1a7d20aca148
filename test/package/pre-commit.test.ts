import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, it } from "vitest";
import { repoRoot } from "../helpers/cli.js";
import { describeWithTools, GIT, PRE_COMMIT } from "../helpers/system-tools.js";
import { run } from "./pack-helpers.js";

/**
 * The hook as the pre-commit framework runs it: `pre-commit try-repo` clones this repository,
 * installs it as a node hook (npm install + prepare build + npm pack) and runs `asyncpat lint` on the
 * files a commit stages. Needs the Debian `pre-commit` package (.ci/run installs it).
 */
describeWithTools(".pre-commit-hooks.yaml", [PRE_COMMIT, GIT], () => {
  it("runs asyncpat lint on staged files: a bug fails the hook, clean files and non-code files pass", async () => {
    const repo = mkdtempSync(path.join(os.tmpdir(), "asyncpat-precommit-"));
    writeFileSync(
      path.join(repo, "poller.ts"),
      `export async function poll(): Promise<void> {}\nsetInterval(async () => {\n  await poll();\n}, 1000);\n`,
    );
    writeFileSync(path.join(repo, "ok.ts"), `export const answer = 42;\n`);
    writeFileSync(path.join(repo, "notes.md"), `# notes\n`);
    for (const args of [
      ["init", "-q"],
      ["add", "."],
    ])
      expect((await run("git", args, repo)).exitCode).toBe(0);

    const failing = await run(
      "pre-commit",
      ["try-repo", repoRoot, "asyncpat-lint", "--files", "poller.ts", "ok.ts", "notes.md"],
      repo,
      900_000,
    );
    expect(failing.exitCode, failing.all).toBe(1);
    expect(failing.all).toMatch(/asyncpat lint\.+Failed/);
    expect(failing.all).toContain("async-interval");

    const passing = await run("pre-commit", ["try-repo", repoRoot, "asyncpat-lint", "--files", "ok.ts", "notes.md"], repo, 900_000);
    expect(passing.exitCode, passing.all).toBe(0);
    expect(passing.all).toMatch(/asyncpat lint\.+Passed/);
  }, 1_200_000);
});
