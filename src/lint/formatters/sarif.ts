import { createHash } from "node:crypto";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { languagesOf, type Rule } from "../rule.js";
import type { LintMessage } from "../types.js";
import { pseudoRuleId, type Formatter } from "./types.js";

export const INFORMATION_URI = "https://www.npmjs.com/package/asyncpat";

export const PSEUDO_RULES: Record<string, { short: string; full: string }> = {
  "parse-error": {
    short: "The file could not be parsed",
    full: "The file has a syntax error (or could not be parsed), so no rule ran on it.",
  },
  "suppression-comment": {
    short: "A suppression comment is unused, unknown or unexplained",
    full: "An asyncpat-ignore comment suppresses nothing, names an unknown rule, or gives no reason after `--`.",
  },
};

const LANGUAGE_NAMES = { typescript: "TypeScript/JavaScript", rust: "Rust" } as const;

function ruleDescriptor(rule: Rule, docsDir: string) {
  const meta = rule.meta;
  const advice = languagesOf(rule).map((language) => ({
    language: LANGUAGE_NAMES[language],
    instead: rule.implementations[language]!.instead,
  }));
  const insteadText = advice.map(({ language, instead }) => (advice.length > 1 ? `${language}: ${instead}` : instead)).join("\n");
  const insteadMarkdown = advice.map(({ language, instead }) => (advice.length > 1 ? `- ${language}: ${instead}` : instead)).join("\n");
  return {
    id: rule.id,
    name: rule.id.replace(/(^|-)(\w)/g, (_, __, letter: string) => letter.toUpperCase()),
    shortDescription: { text: meta.description },
    fullDescription: { text: meta.why },
    help: {
      text: `${meta.why}\n\nInstead:\n${insteadText}`,
      markdown: `${meta.why}\n\n**Instead:**\n\n${insteadMarkdown}\n\nSee docs/rules/${rule.id}.md.`,
    },
    helpUri: `${INFORMATION_URI}/v/latest#${rule.id}`,
    defaultConfiguration: { level: meta.severity === "error" ? "error" : "warning" },
    properties: { tags: ["async", meta.category], category: meta.category, docs: path.join(docsDir, `${rule.id}.md`) },
  };
}

/** A hash of the rule and the line's content (not its number), so a finding keeps its identity when code moves. */
function lineHash(ruleId: string, lineText: string, occurrence: number): string {
  const digest = createHash("sha256")
    .update(`${ruleId}\u0000${lineText.replace(/\s+/g, "")}`)
    .digest("hex")
    .slice(0, 16);
  return `${digest}:${occurrence}`;
}

/** 1-based line and column (UTF-16 code units) of each offset of `text`, for SARIF regions. */
function positionsIn(text: string): (offset: number) => { line: number; column: number } {
  const starts = [0];
  for (let index = text.indexOf("\n"); index !== -1; index = text.indexOf("\n", index + 1)) starts.push(index + 1);
  return (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return { line: low + 1, column: offset - starts[low]! + 1 };
  };
}

/** SARIF `fixes`: the message's fix and its suggestions, as replacements of line/column regions. */
function sarifFixes(message: LintMessage, source: string | undefined, uri: string) {
  if (source === undefined) return undefined;
  const edits = [
    ...(message.fix ? [{ description: "Fix applied by --fix", fix: message.fix }] : []),
    ...(message.suggestions ?? []).map((suggestion) => ({ description: suggestion.desc, fix: suggestion.fix })),
  ];
  if (edits.length === 0) return undefined;
  const at = positionsIn(source);
  return edits.map(({ description, fix }) => {
    const start = at(fix.range[0]);
    const end = at(fix.range[1]);
    return {
      description: { text: description },
      artifactChanges: [
        {
          artifactLocation: { uri, uriBaseId: "%SRCROOT%" },
          replacements: [
            {
              deletedRegion: { startLine: start.line, startColumn: start.column, endLine: end.line, endColumn: end.column },
              insertedContent: { text: fix.text },
            },
          ],
        },
      ],
    };
  });
}

/** SARIF 2.1.0 for GitHub code scanning. */
export const formatSarif: Formatter = (results, context) => {
  const used = new Set<string>();
  for (const result of results) {
    for (const message of [...result.messages, ...(result.suppressedMessages ?? [])]) used.add(pseudoRuleId(message));
  }
  const descriptors = [
    ...[...context.rules.values()].map((rule) => ruleDescriptor(rule, context.docsDir)),
    ...Object.entries(PSEUDO_RULES)
      .filter(([id]) => used.has(id))
      .map(([id, text]) => ({
        id,
        name: id.replace(/(^|-)(\w)/g, (_, __, letter: string) => letter.toUpperCase()),
        shortDescription: { text: text.short },
        fullDescription: { text: text.full },
        help: { text: text.full },
        defaultConfiguration: { level: id === "parse-error" ? "error" : "warning" },
      })),
  ];
  const indexOf = new Map(descriptors.map((descriptor, index) => [descriptor.id, index]));
  const sarifResults = [];
  for (const result of results) {
    const uri = path.relative(context.cwd, result.filePath).split(path.sep).map(encodeURIComponent).join("/");
    const lines = result.source?.split(/\r?\n/) ?? [];
    const occurrences = new Map<string, number>();
    const suppressed = new Set<LintMessage>(result.suppressedMessages ?? []);
    const inSourceOrder =
      suppressed.size === 0 ? result.messages : [...result.messages, ...suppressed].sort((a, b) => a.line - b.line || a.column - b.column);
    for (const message of inSourceOrder) {
      const ruleId = pseudoRuleId(message);
      const hashBase = lineHash(ruleId, lines[message.line - 1] ?? "", 0).split(":")[0]!;
      const occurrence = occurrences.get(hashBase) ?? 0;
      occurrences.set(hashBase, occurrence + 1);
      const fixes = sarifFixes(message, result.source, uri);
      sarifResults.push({
        ruleId,
        ruleIndex: indexOf.get(ruleId),
        level: message.severity === 2 ? "error" : "warning",
        message: { text: message.help ? `${message.message} ${message.help}` : message.message },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri, uriBaseId: "%SRCROOT%" },
              region: {
                startLine: message.line,
                startColumn: message.column,
                endLine: message.endLine,
                endColumn: Math.max(message.endColumn, message.endLine === message.line ? message.column + 1 : 1),
              },
            },
          },
        ],
        partialFingerprints: { primaryLocationLineHash: `${hashBase}:${occurrence + 1}` },
        ...(fixes ? { fixes } : {}),
        // a baseline entry: code scanning shows it as suppressed instead of as an open alert
        ...(suppressed.has(message) ? { suppressions: [{ kind: "external", status: "accepted" }] } : {}),
      });
    }
  }
  const log = {
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "asyncpat",
            version: context.version,
            semanticVersion: context.version,
            informationUri: INFORMATION_URI,
            rules: descriptors,
          },
        },
        originalUriBaseIds: { "%SRCROOT%": { uri: pathToFileURL(context.cwd + path.sep).href } },
        results: sarifResults,
        columnKind: "utf16CodeUnits",
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
};
