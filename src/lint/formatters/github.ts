import path from "node:path";
import { pseudoRuleId, type Formatter } from "./types.js";

/** Workflow-command escaping: data escapes %, CR, LF; property values also `:` and `,`. */
export function escapeData(value: string): string {
  return value.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

export function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/** GitHub Actions annotations: `::error file=…,line=…::message`. */
export const formatGithub: Formatter = (results, context) => {
  const lines: string[] = [];
  for (const result of results) {
    const file = path.relative(context.cwd, result.filePath).split(path.sep).join("/");
    for (const message of result.messages) {
      const command = message.severity === 2 ? "error" : "warning";
      const properties = [
        `file=${escapeProperty(file)}`,
        `line=${message.line}`,
        `col=${message.column}`,
        `endLine=${message.endLine}`,
        `endColumn=${message.endColumn}`,
        `title=${escapeProperty(pseudoRuleId(message))}`,
      ].join(",");
      const text = message.help ? `${message.message}\n${message.help}` : message.message;
      lines.push(`::${command} ${properties}::${escapeData(text)}`);
    }
  }
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
};
