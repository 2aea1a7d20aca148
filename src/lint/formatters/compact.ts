import path from "node:path";
import { pseudoRuleId, type Formatter } from "./types.js";

/**
 * One line per problem, `file:line:col: severity: message [rule]`: what terminals, grep and editors'
 * quickfix lists (vim's errorformat, Emacs compile mode) read, like ESLint's old compact and unix formats.
 */
export const formatCompact: Formatter = (results, context) => {
  const lines: string[] = [];
  for (const result of results) {
    const file = path.relative(context.cwd, result.filePath) || result.filePath;
    for (const message of result.messages) {
      const severity = message.severity === 2 ? "error" : "warning";
      const text = message.message.replace(/\s*\n\s*/g, " ");
      lines.push(`${file}:${message.line}:${message.column}: ${severity}: ${text} [${pseudoRuleId(message)}]`);
    }
  }
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
};
