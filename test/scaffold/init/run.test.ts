import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runInit } from "../../../src/scaffold/init/index.js";
import type { Prompter } from "../../../src/scaffold/prompts.js";
import { makeTree } from "../../helpers/cli.js";

/** Answers in order; records the questions. */
function scripted(answers: (boolean | string)[]) {
  const asked: string[] = [];
  const next = (message: string) => {
    asked.push(message);
    if (answers.length === 0) throw new Error(`unexpected question: ${message}`);
    return Promise.resolve(answers.shift()!);
  };
  const prompter: Prompter = {
    text: (q) => next(q.message) as Promise<string>,
    select: (q) => next(q.message) as Promise<string>,
    integer: (q) => next(q.message) as unknown as Promise<number>,
    confirm: (q) => next(q.message) as Promise<boolean>,
  };
  return { prompter, asked };
}

function io(prompter: Prompter) {
  let stdout = "";
  return {
    io: { stdout: { write: (text: string) => void (stdout += text) }, interactive: true, prompter: async () => prompter },
    out: () => stdout,
  };
}

describe("runInit with prompts", () => {
  it("asks about the script, the hook manager found and the CI, then writes what was chosen", async () => {
    const dir = makeTree({ "package.json": "{}\n", "src/a.ts": "", ".husky/pre-commit": "npm test\n" });
    const { prompter, asked } = scripted([false, true, "gitlab", true]);
    const { io: terminal } = io(prompter);
    expect(await runInit({ dir, yes: false, dryRun: false }, terminal)).toBe(0);
    expect(asked).toEqual([
      'Add a "lint:async" script to package.json?',
      "Lint staged files before each commit (husky)?",
      "Lint in CI?",
      "Write 3 files?",
    ]);
    expect(readFileSync(path.join(dir, "package.json"), "utf8")).toBe("{}\n");
    expect(readFileSync(path.join(dir, ".husky/pre-commit"), "utf8")).toBe("npm test\nnpx asyncpat lint\n");
    expect(readFileSync(path.join(dir, ".gitlab-ci.yml"), "utf8")).toMatch(/^# Written by `asyncpat init`/);
    expect(existsSync(path.join(dir, ".github"))).toBe(false);
  });

  it("writes nothing when the plan is declined", async () => {
    const dir = makeTree({ "package.json": "{}\n", "src/a.ts": "" });
    const { prompter } = scripted([true, "github", false]);
    const { io: terminal, out } = io(prompter);
    expect(await runInit({ dir, yes: false, dryRun: false }, terminal)).toBe(0);
    expect(out()).toContain("Nothing written.");
    expect(existsSync(path.join(dir, "asyncpat.config.json"))).toBe(false);
    expect(readFileSync(path.join(dir, "package.json"), "utf8")).toBe("{}\n");
  });

  it("a folder that does not exist is a usage error naming it", async () => {
    const { prompter } = scripted([]);
    await expect(runInit({ dir: "/nonexistent/asyncpat-init", yes: true, dryRun: false }, io(prompter).io)).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringContaining("/nonexistent/asyncpat-init: no such folder"),
    });
  });
});
