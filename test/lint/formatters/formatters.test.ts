import path from "node:path";
import { describe, expect, it } from "vitest";
import { allRules } from "../../../rules/index.js";
import { formatters, type FormatterContext } from "../../../src/lint/formatters/index.js";
import type { FileResult, LintMessage, SuppressedLintMessage } from "../../../src/lint/types.js";

const cwd = "/repo";
const context: FormatterContext = {
  cwd,
  rules: new Map(allRules.map((rule) => [rule.id, rule])),
  color: false,
  version: "0.0.0-test",
  docsDir: "/repo/docs/rules",
};

function fetchFinding(line: number, extra: Partial<LintMessage> = {}): LintMessage {
  return {
    ruleId: "missing-timeout",
    messageId: "fetch",
    severity: 2,
    message: "`fetch` has no `signal`.",
    help: "Pass a signal.",
    line,
    column: 3,
    endLine: line,
    endColumn: 11,
    ...extra,
  };
}

function file(name: string, messages: LintMessage[], suppressedMessages?: SuppressedLintMessage[]): FileResult {
  const source = Array.from({ length: 20 }, (_, index) => `  fetch(url${index + 1});`).join("\n");
  return { filePath: path.join(cwd, name), messages, errorCount: messages.length, warningCount: 0, source, suppressedMessages };
}

describe("stylish", () => {
  const results = [
    file("src/a.ts", [fetchFinding(1), fetchFinding(5, { fix: { range: [0, 1], text: "x" } })]),
    file("src/b.ts", [
      fetchFinding(2),
      {
        ruleId: "async-interval",
        severity: 2,
        message: "overlapping",
        help: "Loop instead.",
        line: 4,
        column: 1,
        endLine: 4,
        endColumn: 5,
      },
    ]),
  ];
  const output = formatters.stylish(results, context);

  it("prints a rule's help and docs once per run, under its first finding", () => {
    expect(output.match(/help: Pass a signal\./g)).toHaveLength(1);
    expect(output.match(/docs: docs\/rules\/missing-timeout\.md/g)).toHaveLength(1);
    expect(output.match(/help: Loop instead\./g)).toHaveLength(1);
    const lines = output.split("\n");
    expect(lines.indexOf("    help: Pass a signal.")).toBe(lines.findIndex((line) => line.startsWith("  1:3  error")) + 3);
  });

  it("ends with a per-rule table (problems, files, fixable) and the command that baselines them", () => {
    const tail = output.slice(output.indexOf("✖ 4 problems (4 errors, 0 warnings)"));
    expect(tail).toContain("  rule             problems  files  fixable\n");
    expect(tail).toContain("  missing-timeout         3      2        1\n");
    expect(tail).toContain("  async-interval          1      1        0\n");
    expect(tail).toContain("1 error and 0 warnings potentially fixable with the `--fix` option.");
    expect(tail).toContain("`asyncpat lint --suppress-all`");
  });

  it("prints nothing for a clean run", () => {
    expect(formatters.stylish([file("src/a.ts", [])], context)).toBe("");
  });
});

describe("compact", () => {
  it("prints one line per problem: file:line:col: severity: message [rule]", () => {
    const output = formatters.compact(
      [
        file("src/a.ts", [fetchFinding(1), { ...fetchFinding(7), severity: 1, message: "two\nlines" }]),
        file("src/b.ts", [
          { ruleId: null, fatal: true, severity: 2, message: "Parse error", line: 1, column: 1, endLine: 1, endColumn: 1 },
        ]),
      ],
      context,
    );
    expect(output).toBe(
      [
        "src/a.ts:1:3: error: `fetch` has no `signal`. [missing-timeout]",
        "src/a.ts:7:3: warning: two lines [missing-timeout]",
        "src/b.ts:1:1: error: Parse error [parse-error]",
        "",
      ].join("\n"),
    );
  });
});

describe("suppressed findings in machine formats", () => {
  const suppressed: SuppressedLintMessage = { ...fetchFinding(9), suppressions: [{ kind: "file", justification: "" }] };
  const results = [{ ...file("src/a.ts", [fetchFinding(1)], [suppressed]), errorCount: 1 }];

  it("json keeps them in ESLint's suppressedMessages", () => {
    const [entry] = JSON.parse(formatters.json(results, context)) as {
      messages: unknown[];
      suppressedMessages: Record<string, unknown>[];
    }[];
    expect(entry!.messages).toHaveLength(1);
    expect(entry!.suppressedMessages).toEqual([
      expect.objectContaining({ ruleId: "missing-timeout", line: 9, suppressions: [{ kind: "file", justification: "" }] }),
    ]);
  });

  it("sarif marks them as accepted external suppressions, in source order", () => {
    const log = JSON.parse(formatters.sarif(results, context)) as {
      runs: {
        results: { region?: unknown; locations: { physicalLocation: { region: { startLine: number } } }[]; suppressions?: unknown }[];
      }[];
    };
    const sarifResults = log.runs[0]!.results;
    expect(sarifResults.map((r) => r.locations[0]!.physicalLocation.region.startLine)).toEqual([1, 9]);
    expect(sarifResults[0]!.suppressions).toBeUndefined();
    expect(sarifResults[1]!.suppressions).toEqual([{ kind: "external", status: "accepted" }]);
  });
});
