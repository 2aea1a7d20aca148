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

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** ESLint's stylish layout plus a code frame, a help line and the rule's doc path. */
export const formatStylish: Formatter = (results, context) => {
  const chalk = new Chalk({ level: context.color ? 1 : 0 });
  const out: string[] = [];
  let errors = 0;
  let warnings = 0;
  let fixableErrors = 0;
  let fixableWarnings = 0;
  for (const result of results) {
    if (result.messages.length === 0) continue;
    errors += result.errorCount;
    warnings += result.warningCount;
    for (const message of result.messages) {
      if (!message.fix) continue;
      if (message.severity === 2) fixableErrors++;
      else fixableWarnings++;
    }
    out.push(chalk.underline(path.relative(context.cwd, result.filePath) || result.filePath));
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
      if (message.help) out.push(`    ${chalk.cyan("help:")} ${message.help}`);
      if (message.ruleId && context.rules.has(message.ruleId)) {
        const doc = path.join(context.docsDir, `${message.ruleId}.md`);
        const relative = path.relative(context.cwd, doc);
        out.push(`    ${chalk.dim(`docs: ${relative.length < doc.length ? relative : doc}`)}`);
      }
    }
    out.push("");
  }
  const total = errors + warnings;
  if (total > 0) {
    const summary = `✖ ${total} problem${total === 1 ? "" : "s"} (${errors} error${errors === 1 ? "" : "s"}, ${warnings} warning${warnings === 1 ? "" : "s"})`;
    out.push(errors > 0 ? chalk.red.bold(summary) : chalk.yellow.bold(summary));
    if (fixableErrors + fixableWarnings > 0) {
      const fixable = `  ${plural(fixableErrors, "error")} and ${plural(fixableWarnings, "warning")} potentially fixable with the \`--fix\` option.`;
      out.push(errors > 0 ? chalk.red.bold(fixable) : chalk.yellow.bold(fixable));
    }
    out.push("");
  }
  return out.join("\n");
};
