/** How fixes, suggestions and fixed output appear in the json, SARIF and stylish formats. */
import { describe, expect, it } from "vitest";
import { formatJson } from "../../src/lint/formatters/json.js";
import { formatSarif } from "../../src/lint/formatters/sarif.js";
import { formatStylish } from "../../src/lint/formatters/stylish.js";
import type { FormatterContext } from "../../src/lint/formatters/types.js";
import type { FileResult } from "../../src/lint/types.js";

const source = "const a = 1;\nawait fetch(url);\n";
const fetchStart = source.indexOf("fetch(url)");
const result: FileResult = {
  filePath: "/project/src/a.ts",
  source,
  output: source.replace("fetch(url)", "fetch(url, { signal: AbortSignal.timeout(10000) })"),
  errorCount: 1,
  warningCount: 1,
  messages: [
    {
      ruleId: "missing-timeout",
      messageId: "fetch",
      severity: 2,
      message: "no deadline",
      line: 2,
      column: 7,
      endLine: 2,
      endColumn: 17,
      fix: { range: [fetchStart + 9, fetchStart + 9], text: ", { signal: AbortSignal.timeout(10000) }" },
    },
    {
      ruleId: "floating-task",
      messageId: "floating",
      severity: 1,
      message: "dropped",
      line: 2,
      column: 1,
      endLine: 2,
      endColumn: 17,
      suggestions: [{ desc: "Await it", fix: { range: [fetchStart, fetchStart], text: "await " } }],
    },
  ],
};
const context: FormatterContext = { cwd: "/project", rules: new Map(), color: false, version: "0.0.0", docsDir: "/docs" };

describe("formatters with fixes", () => {
  it("json carries fix, suggestions, output and the fixable counts", () => {
    const [file] = JSON.parse(formatJson([result], context)) as Record<string, unknown>[];
    expect(file).toMatchObject({ fixableErrorCount: 1, fixableWarningCount: 0, output: result.output });
    const messages = file!.messages as Record<string, unknown>[];
    expect(messages[0]!.fix).toEqual(result.messages[0]!.fix);
    expect(messages[1]!.suggestions).toEqual(result.messages[1]!.suggestions);
  });

  it("SARIF results carry fixes as replacements of line/column regions", () => {
    const log = JSON.parse(formatSarif([result], context)) as { runs: { results: { fixes?: unknown[] }[] }[] };
    const [withFix, withSuggestion] = log.runs[0]!.results;
    expect(withFix!.fixes).toEqual([
      {
        description: { text: "Fix applied by --fix" },
        artifactChanges: [
          {
            artifactLocation: { uri: "src/a.ts", uriBaseId: "%SRCROOT%" },
            replacements: [
              {
                deletedRegion: { startLine: 2, startColumn: 16, endLine: 2, endColumn: 16 },
                insertedContent: { text: ", { signal: AbortSignal.timeout(10000) }" },
              },
            ],
          },
        ],
      },
    ]);
    expect(withSuggestion!.fixes).toMatchObject([{ description: { text: "Await it" } }]);
  });

  it("stylish says how many problems --fix can fix", () => {
    expect(formatStylish([result], context)).toContain("1 error and 0 warnings potentially fixable with the `--fix` option.");
    const unfixable = { ...result, messages: result.messages.map(({ fix: _fix, ...message }) => message) };
    expect(formatStylish([unfixable], context)).not.toContain("potentially fixable");
  });
});
