import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { defineRule, defineTypeScriptRule, ts, type Fix, type RuleContext } from "../../src/lint/api.js";
import { applyFixes } from "../../src/lint/fix.js";
import { lintAndFix, MAX_PASSES } from "../../src/lint/fix-run.js";
import type { ConfiguredRule, LintReport } from "../../src/lint/types.js";
import { makeTree } from "../helpers/cli.js";

/** A test rule reporting each call whose callee is `name`, with the fix `edit` computes for it. */
function fixingRule(
  id: string,
  name: string | string[],
  edit: (call: ts.CallExpression, context: RuleContext<unknown>) => Fix | undefined,
) {
  return defineRule({
    id,
    meta: { description: "test rule", why: "It exists to drive the fix loop.", category: "tasks", severity: "error" },
    implementations: {
      typescript: defineTypeScriptRule<unknown>({
        instead: "Nothing.",
        needsTypes: false,
        fixable: "code",
        messages: { found: "found" },
        examples: { incorrect: [], correct: [] },
        create(context) {
          return {
            CallExpression(call) {
              const names = typeof name === "string" ? [name] : name;
              if (ts.isIdentifier(call.expression) && names.includes(call.expression.text) && !ts.isVoidExpression(call.parent))
                context.report({ node: call, messageId: "found", fix: edit(call, context) });
            },
          };
        },
      }),
    },
  });
}

/** `old()` → `renamed()`: one fix per call, stable after one pass. */
const rename = fixingRule("rename", "old", (call) => ({ range: [call.expression.getStart(), call.expression.getEnd()], text: "renamed" }));
/** `a()` → `b()`, and `b()` → `c()`: a second pass has work to do. */
const stepAB = fixingRule("step-ab", "a", (call) => ({ range: [call.expression.getStart(), call.expression.getEnd()], text: "b" }));
const stepBC = fixingRule("step-bc", "b", (call) => ({ range: [call.expression.getStart(), call.expression.getEnd()], text: "c" }));
/** Wraps the whole call: overlaps `rename`'s edit of the callee. */
const wrap = fixingRule("wrap", ["old", "renamed"], (call) => ({
  range: [call.getStart(), call.getEnd()],
  text: `void ${call.getText()}`,
}));
/** Breaks the file: removes the call's closing parenthesis. */
const breaking = fixingRule("breaks", "old", (call) => ({ range: [call.getEnd() - 1, call.getEnd()], text: "" }));
/** Never settles: `loop()` → `loop(); loop()`-like growth, forever. */
const endless = fixingRule("endless", "loop", (call) => ({ range: [call.getEnd(), call.getEnd()], text: "; loop()" }));

function configured(...rules: ReturnType<typeof fixingRule>[]): ConfiguredRule[] {
  return rules.map((rule) => ({ rule, severity: "error", options: {} }));
}

async function fix(files: Record<string, string>, rules: ConfiguredRule[], filter?: (report: LintReport) => LintReport) {
  const dir = makeTree(files);
  const paths = Object.keys(files).map((name) => path.join(dir, name));
  const result = await lintAndFix(
    { files: paths, rules, knownRuleIds: new Set(rules.map((entry) => entry.rule.id)), cwd: dir, types: false },
    { filter },
  );
  return { dir, ...result, outputOf: (name: string) => result.outputs.get(path.join(dir, name)) };
}

describe("applyFixes", () => {
  it("applies edits earliest first and skips one that overlaps or touches an applied edit", () => {
    const text = "abcdefghij";
    const result = applyFixes(text, [
      { range: [6, 8], text: "X" },
      { range: [0, 2], text: "Y" },
      { range: [1, 3], text: "Z" },
      { range: [2, 2], text: "W" },
    ]);
    expect(result).toEqual({ output: "YcdefXij", applied: 2, skipped: 2 });
  });

  it("drops an edit whose range is outside the text", () => {
    expect(applyFixes("abc", [{ range: [2, 9], text: "X" }])).toEqual({ output: "abc", applied: 0, skipped: 1 });
  });
});

describe("lintAndFix", () => {
  it("applies fixes and reports what is left for the fixed text; the file on disk is untouched", async () => {
    const { dir, report, outputOf, passes } = await fix({ "a.ts": "old();\nold(1);\n" }, configured(rename));
    expect(outputOf("a.ts")).toBe("renamed();\nrenamed(1);\n");
    expect(report.results[0]!.messages).toEqual([]);
    expect(passes).toBe(1);
    expect(readFileSync(path.join(dir, "a.ts"), "utf8")).toBe("old();\nold(1);\n");
  });

  it("runs passes until nothing changes", async () => {
    const { outputOf, passes } = await fix({ "a.ts": "a();\n" }, configured(stepAB, stepBC));
    expect(outputOf("a.ts")).toBe("c();\n");
    expect(passes).toBe(2);
  });

  it("leaves an overlapping fix to the next pass instead of mixing the two", async () => {
    const { outputOf, report } = await fix({ "a.ts": "old();\n" }, configured(rename, wrap));
    // rename's edit ends first and wins the first pass; wrap, skipped there, applies in the second.
    expect(outputOf("a.ts")).toBe("void renamed();\n");
    expect(report.results[0]!.messages).toEqual([]);
  });

  it("undoes a pass whose output does not parse, for that file only", async () => {
    const { outputOf, report } = await fix({ "a.ts": "old();\n", "b.ts": "a();\n" }, configured(breaking, stepAB));
    expect(outputOf("a.ts")).toBeUndefined();
    expect(outputOf("b.ts")).toBe("b();\n");
    const a = report.results.find((result) => result.filePath.endsWith("a.ts"))!;
    expect(a.messages.map((message) => message.ruleId)).toEqual(["breaks"]);
  });

  it(`stops after ${MAX_PASSES} passes when fixes keep coming`, async () => {
    const { outputOf, passes } = await fix({ "a.ts": "loop();\n" }, configured(endless));
    expect(passes).toBe(MAX_PASSES);
    expect(outputOf("a.ts")!.match(/loop\(\)/g)).toHaveLength(2 ** MAX_PASSES);
  });

  it("keeps a byte order mark and CRLF line endings", async () => {
    const { outputOf } = await fix({ "a.ts": "\uFEFFold();\r\nold();\r\n" }, configured(rename));
    expect(outputOf("a.ts")).toBe("\uFEFFrenamed();\r\nrenamed();\r\n");
  });

  it("fixes only the messages the filter keeps (as bulk suppressions or --quiet would drop some)", async () => {
    const dropSecondLine = (report: LintReport): LintReport => ({
      ...report,
      results: report.results.map((result) => ({ ...result, messages: result.messages.filter((message) => message.line !== 2) })),
    });
    const { outputOf, report } = await fix({ "a.ts": "old();\nold();\n" }, configured(rename), dropSecondLine);
    expect(outputOf("a.ts")).toBe("renamed();\nold();\n");
    expect(report.results[0]!.messages).toEqual([]);
  });
});
