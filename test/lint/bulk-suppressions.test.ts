import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  applyBulkSuppressions,
  prepareBulkSuppressions,
  readSuppressions,
  serializeSuppressions,
  updateSuppressions,
} from "../../src/lint/bulk-suppressions.js";
import type { FileResult, LintMessage } from "../../src/lint/types.js";

const base = path.join(os.tmpdir(), "bulk-base");

function message(ruleId: string | null, line: number, severity: 1 | 2 = 2): LintMessage {
  return { ruleId, severity, message: `${ruleId} at ${line}`, line, column: 1, endLine: line, endColumn: 5 };
}

function result(relative: string, messages: LintMessage[]): FileResult {
  const errorCount = messages.filter((m) => m.severity === 2).length;
  return { filePath: path.join(base, relative), messages, errorCount, warningCount: messages.length - errorCount };
}

describe("applyBulkSuppressions", () => {
  it("suppresses the first `count` findings of a rule in source order and reports the rest", () => {
    const file = result("src/a.ts", [message("missing-timeout", 30), message("missing-timeout", 10), message("missing-timeout", 20)]);
    const outcome = applyBulkSuppressions([file], { "src/a.ts": { "missing-timeout": { count: 2 } } }, base);
    expect(outcome.suppressed).toBe(2);
    expect(outcome.results[0]!.messages.map((m) => m.line)).toEqual([30]);
    expect(outcome.results[0]!.suppressedMessages!.map((m) => m.line)).toEqual([10, 20]);
    expect(outcome.results[0]!.suppressedMessages![0]!.suppressions).toEqual([{ kind: "file", justification: "" }]);
    expect(outcome.results[0]!.errorCount).toBe(1);
    expect(outcome.stale).toEqual([]);
  });

  it("is stable when lines move: the same count suppresses the same findings at new lines", () => {
    const data = { "src/a.ts": { "missing-timeout": { count: 2 } } };
    const before = applyBulkSuppressions([result("src/a.ts", [message("missing-timeout", 3), message("missing-timeout", 8)])], data, base);
    const moved = applyBulkSuppressions([result("src/a.ts", [message("missing-timeout", 13), message("missing-timeout", 18)])], data, base);
    expect(before.results[0]!.messages).toEqual([]);
    expect(moved.results[0]!.messages).toEqual([]);
    expect(moved.suppressed).toBe(2);
  });

  it("counts per rule and per file, and never suppresses messages without a rule", () => {
    const outcome = applyBulkSuppressions(
      [
        result("src/a.ts", [message("missing-timeout", 1), message("async-interval", 2), message(null, 3, 1)]),
        result("src/b.ts", [message("missing-timeout", 1)]),
      ],
      { "src/a.ts": { "missing-timeout": { count: 1 } } },
      base,
    );
    expect(outcome.results[0]!.messages.map((m) => m.ruleId)).toEqual(["async-interval", null]);
    expect(outcome.results[0]!.warningCount).toBe(1);
    expect(outcome.results[1]!.messages).toHaveLength(1);
  });

  it("lists entries that record more findings than remain as stale", () => {
    const outcome = applyBulkSuppressions(
      [result("src/a.ts", [message("missing-timeout", 1)])],
      { "src/a.ts": { "missing-timeout": { count: 3 }, "async-interval": { count: 1 } } },
      base,
    );
    expect(outcome.stale).toEqual([
      { file: "src/a.ts", ruleId: "missing-timeout", recorded: 3, found: 1 },
      { file: "src/a.ts", ruleId: "async-interval", recorded: 1, found: 0 },
    ]);
  });
});

describe("updateSuppressions", () => {
  const results = [
    result("src/a.ts", [message("missing-timeout", 1), message("missing-timeout", 2), message("async-interval", 3)]),
    result("src/b.ts", []),
  ];

  it("--suppress-all records today's counts of every rule, paths relative to the file's folder with posix slashes", () => {
    expect(updateSuppressions({}, results, base, { record: "all", prune: false })).toEqual({
      "src/a.ts": { "missing-timeout": { count: 2 }, "async-interval": { count: 1 } },
    });
  });

  it("--suppress-rule records only the rules named and keeps the other entries", () => {
    const data = { "src/z.ts": { "floating-task": { count: 1 } } };
    expect(updateSuppressions(data, results, base, { record: new Set(["async-interval"]), prune: false })).toEqual({
      "src/z.ts": { "floating-task": { count: 1 } },
      "src/a.ts": { "async-interval": { count: 1 } },
    });
  });

  it("--prune-suppressions lowers counts to what remains and drops entries of fixed rules and deleted files", () => {
    const data = {
      "src/a.ts": { "missing-timeout": { count: 5 } },
      "src/b.ts": { "floating-task": { count: 2 } },
      "src/deleted.ts": { "floating-task": { count: 1 } },
    };
    expect(updateSuppressions(data, results, base, { record: undefined, prune: true })).toEqual({
      "src/a.ts": { "missing-timeout": { count: 2 } },
    });
  });
});

describe("the suppressions file", () => {
  it("serializes with sorted keys, so a baseline diffs cleanly", () => {
    const text = serializeSuppressions({ "b.ts": { z: { count: 1 }, a: { count: 2 } }, "a.ts": { x: { count: 1 } }, "c.ts": {} });
    expect(text).toBe(
      `{\n  "a.ts": {\n    "x": {\n      "count": 1\n    }\n  },\n  "b.ts": {\n    "a": {\n      "count": 2\n    },\n    "z": {\n      "count": 1\n    }\n  }\n}\n`,
    );
  });

  it("rejects invalid JSON and a wrong shape, naming the file", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "asyncpat-bulk-"));
    writeFileSync(path.join(dir, "broken.json"), "{");
    writeFileSync(path.join(dir, "shape.json"), JSON.stringify({ "a.ts": { "missing-timeout": 2 } }));
    expect(() => readSuppressions(path.join(dir, "broken.json"), "broken.json")).toThrow(/broken\.json: not valid JSON/);
    expect(() => readSuppressions(path.join(dir, "shape.json"), "shape.json")).toThrow(/shape\.json: "a\.ts" → "missing-timeout" must map/);
    expect(readSuppressions(path.join(dir, "missing.json"), "missing.json")).toEqual({});
  });

  it("an unknown rule in --suppress-rule is a usage error naming the flag", () => {
    expect(() =>
      prepareBulkSuppressions({ suppressRule: ["missing-timeout", "no-such-rule"] }, base, new Set(["missing-timeout"])),
    ).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringContaining("--suppress-rule no-such-rule") }));
  });

  it("writes only when the content changes, and a plain run never writes", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "asyncpat-bulk-"));
    const file = { filePath: path.join(dir, "a.ts"), messages: [message("missing-timeout", 1)], errorCount: 1, warningCount: 0 };
    const known = new Set(["missing-timeout"]);
    const first = prepareBulkSuppressions({ suppressAll: true }, dir, known).apply([file]);
    expect(first.written).toBe(true);
    expect(first.results[0]!.messages).toEqual([]);
    const text = readFileSync(path.join(dir, "asyncpat-suppressions.json"), "utf8");
    const second = prepareBulkSuppressions({ suppressAll: true }, dir, known).apply([file]);
    expect(second.written).toBe(false);
    expect(prepareBulkSuppressions({ suppressAll: true }, dir, known).suppress([file])[0]!.suppressedMessages).toHaveLength(1);
    const plain = prepareBulkSuppressions({}, dir, known).apply([{ ...file, messages: [] }]);
    expect(plain.written).toBe(false);
    expect(plain.notices.join("")).toContain("--prune-suppressions");
    expect(readFileSync(path.join(dir, "asyncpat-suppressions.json"), "utf8")).toBe(text);
  });
});
