import path from "node:path";
import { describe, expect, it } from "vitest";
import { defineRule, defineTypeScriptRule, type Listeners } from "../../src/lint/api.js";
import { lintFiles } from "../../src/lint/engine.js";
import { createLintSession } from "../../src/lint/types.js";
import { makeTree } from "../helpers/cli.js";

const crashing = defineRule({
  id: "crashes-on-b",
  meta: {
    description: "test rule that throws on one file",
    why: "It exists to prove that one rule crashing on one file does not stop the run.",
    category: "tasks",
    severity: "error",
  },
  implementations: {
    typescript: defineTypeScriptRule({
      instead: "Nothing to do.",
      needsTypes: false,
      messages: { found: "found a call" },
      examples: { incorrect: [], correct: [] },
      create(context) {
        return {
          CallExpression(node) {
            if (context.filePath.endsWith("b.ts")) throw new Error("boom");
            context.report({ node, messageId: "found" });
          },
        };
      },
    }),
  },
});

/** The crashing rule's meta with other listeners. */
function probe(id: string, create: () => Listeners) {
  return defineRule({ ...crashing, id, implementations: { typescript: { ...crashing.implementations.typescript!, create } } });
}

describe("engine", () => {
  it("reports a rule that throws as an internal error naming rule and file, and lints the other files", async () => {
    const dir = makeTree({ "a.ts": "f();\n", "b.ts": "g();\n", "c.ts": "h();\n" });
    const report = await lintFiles({
      files: ["a.ts", "b.ts", "c.ts"].map((name) => path.join(dir, name)),
      rules: [{ rule: crashing, severity: "error", options: {} }],
      knownRuleIds: new Set(["crashes-on-b"]),
      cwd: dir,
      types: false,
    });
    expect(report.internalErrors).toEqual([
      { ruleId: "crashes-on-b", filePath: path.join(dir, "b.ts"), message: expect.stringContaining("boom") },
    ]);
    expect(report.results.map((result) => [path.basename(result.filePath), result.errorCount])).toEqual([
      ["a.ts", 1],
      ["b.ts", 0],
      ["c.ts", 1],
    ]);
  });

  it("walks deeply nested blocks without overflowing the stack, calling exit listeners in order", async () => {
    const depth = 1_000;
    const code = `function f(a: boolean) {\n${"{\n".repeat(depth)}${"}\n".repeat(depth)}}\n`;
    let entered = 0;
    let exited = 0;
    const counting = probe("counts-blocks", () => ({
      Block: () => {
        entered++;
      },
      "Block:exit": () => {
        exited++;
        expect(exited).toBeLessThanOrEqual(entered);
      },
    }));
    const dir = makeTree({ "deep.ts": code });
    const report = await lintFiles({
      files: [path.join(dir, "deep.ts")],
      rules: [{ rule: counting, severity: "error", options: {} }],
      knownRuleIds: new Set(["counts-blocks"]),
      cwd: dir,
      types: false,
    });
    expect(report.internalErrors).toEqual([]);
    expect(entered).toBe(depth + 1);
    expect(exited).toBe(depth + 1);
  });

  it("lints text handed in by path, and with a session re-lints a changed buffer in the kept program", async () => {
    const dir = makeTree({ "a.ts": "f();\n" });
    const file = path.join(dir, "a.ts");
    const session = createLintSession();
    const run = (text: string) =>
      lintFiles({
        files: [file],
        rules: [{ rule: crashing, severity: "error", options: {} }],
        knownRuleIds: new Set(["crashes-on-b"]),
        cwd: dir,
        types: true,
        session,
        contents: new Map([[file, text]]),
      });
    const first = await run("f(); g(); h();\n");
    expect(first.results[0]!.errorCount).toBe(3);
    expect(session.entries.size).toBe(1);
    const kept = [...session.entries.values()][0];
    const second = await run("f();\n");
    expect(second.results[0]!.errorCount).toBe(1);
    expect([...session.entries.values()][0]).toBe(kept);
  });
});
