import path from "node:path";
import { Chalk } from "chalk";
import type { LintMessage } from "../types.js";
import type { Formatter } from "./types.js";

const FRAME_WIDTH = 120;

/** The offending line, cut to a window around the column for minified code, and a caret under the span. */
function codeFrame(lineText: string, message: LintMessage, gutter: string): { code: string; caret: string } {
  const start = message.column - 1;
  const end = message.endLine === message.line ? Math.max(message.endColumn - 1, start + 1) : lineText.length;
  let from = 0;
  let to = lineText.length;
  if (lineText.length > FRAME_WIDTH) {
    from = Math.max(0, start - 40);
    to = Math.min(lineText.length, from + FRAME_WIDTH);
  }
  const prefix = from > 0 ? "…" : "";
  const suffix = to < lineText.length ? "…" : "";
  const visible = lineText.slice(from, to).replace(/\t/g, " ");
  const caretStart = prefix.length + (start - from);
  const caretLength = Math.max(1, Math.min(end, to) - start);
  return {
    code: `${gutter}${prefix}${visible}${suffix}`,
    caret: `${" ".repeat(gutter.length + caretStart)}${"^".repeat(caretLength)}`,
  };
}

interface RuleTally {
  problems: number;
  files: Set<string>;
  fixable: number;
}

/** The per-rule table at the end of a run: what is there, where, what `--fix` can do, and how to baseline it. */
function ruleSummary(tallies: ReadonlyMap<string, RuleTally>, chalk: InstanceType<typeof Chalk>): string[] {
  if (tallies.size === 0) return [];
  const rows = [...tallies].sort((a, b) => b[1].problems - a[1].problems || a[0].localeCompare(b[0]));
  const header = ["rule", "problems", "files", "fixable"];
  const cells = rows.map(([ruleId, tally]) => [ruleId, String(tally.problems), String(tally.files.size), String(tally.fixable)]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((row) => row[column]!.length)));
  const format = (row: string[]) =>
    `  ${row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ")}`;
  const out = [chalk.dim(format(header)), ...cells.map(format), ""];
  out.push(`  To accept today's problems as a baseline and report only new ones: \`asyncpat lint --suppress-all\``);
  out.push("");
  return out;
}

/**
 * ESLint's stylish layout plus a code frame. A rule's `help:` and docs lines come once per run, under
 * its first finding (a service with 70 findings of one kind would otherwise repeat the same paragraph
 * 70 times), and a per-rule summary closes the report.
 */
export const formatStylish: Formatter = (results, context) => {
  const chalk = new Chalk({ level: context.color ? 1 : 0 });
  const out: string[] = [];
  let errors = 0;
  let warnings = 0;
  const tallies = new Map<string, RuleTally>();
  const explained = new Set<string>();
  for (const result of results) {
    if (result.messages.length === 0) continue;
    errors += result.errorCount;
    warnings += result.warningCount;
    const file = path.relative(context.cwd, result.filePath) || result.filePath;
    out.push(chalk.underline(file));
    const lines = result.source?.split(/\r?\n/) ?? [];
    for (const message of result.messages) {
      const severity = message.severity === 2 ? chalk.red("error") : chalk.yellow("warning");
      const ruleId = message.ruleId ? chalk.dim(message.ruleId) : "";
      out.push(`  ${chalk.dim(`${message.line}:${message.column}`)}  ${severity}  ${message.message}  ${ruleId}`.trimEnd());
      const lineText = lines[message.line - 1];
      if (lineText !== undefined) {
        const gutter = `    ${String(message.line).padStart(4)} | `;
        const frame = codeFrame(lineText, message, gutter);
        out.push(chalk.dim(frame.code.slice(0, gutter.length)) + frame.code.slice(gutter.length));
        out.push(chalk.red(frame.caret));
      }
      const isRule = message.ruleId !== null && context.rules.has(message.ruleId);
      // a message without a rule (a parse error, a suppression comment) has its own advice each time
      const firstOfRule = !isRule || !explained.has(message.ruleId!);
      if (message.help && firstOfRule) out.push(`    ${chalk.cyan("help:")} ${message.help}`);
      if (isRule && firstOfRule) {
        const doc = path.join(context.docsDir, `${message.ruleId}.md`);
        const relative = path.relative(context.cwd, doc);
        out.push(`    ${chalk.dim(`docs: ${relative.length < doc.length ? relative : doc}`)}`);
      }
      if (isRule) {
        explained.add(message.ruleId!);
        const tally = tallies.get(message.ruleId!) ?? { problems: 0, files: new Set<string>(), fixable: 0 };
        tally.problems++;
        tally.files.add(file);
        if (message.fix !== undefined) tally.fixable++;
        tallies.set(message.ruleId!, tally);
      }
    }
    out.push("");
  }
  const total = errors + warnings;
  if (total > 0) {
    const summary = `✖ ${total} problem${total === 1 ? "" : "s"} (${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"})`;
    out.push(errors > 0 ? chalk.red.bold(summary) : chalk.yellow.bold(summary));
    // ESLint's line, so people and tools that know it find it
    let fixableErrors = 0;
    let fixableWarnings = 0;
    for (const result of results) {
      for (const message of result.messages) {
        if (!message.fix) continue;
        if (message.severity === 2) fixableErrors++;
        else fixableWarnings++;
      }
    }
    if (fixableErrors + fixableWarnings > 0) {
      const fixable = `  ${fixableErrors} error${fixableErrors === 1 ? "" : "s"} and ${fixableWarnings} warning${fixableWarnings === 1 ? "" : "s"} potentially fixable with the \`--fix\` option.`;
      out.push(errors > 0 ? chalk.red.bold(fixable) : chalk.yellow.bold(fixable));
    }
    out.push("");
    out.push(...ruleSummary(tallies, chalk));
  }
  return out.join("\n");
};
