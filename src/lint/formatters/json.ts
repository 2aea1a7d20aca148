import type { LintMessage, SuppressedLintMessage } from "../types.js";
import type { Formatter } from "./types.js";

function jsonMessage(message: LintMessage) {
  return {
    ruleId: message.ruleId,
    severity: message.severity,
    message: message.message,
    line: message.line,
    column: message.column,
    endLine: message.endLine,
    endColumn: message.endColumn,
    ...(message.messageId ? { messageId: message.messageId } : {}),
    ...(message.fatal ? { fatal: true } : {}),
    ...(message.help ? { help: message.help } : {}),
    ...(message.fix ? { fix: message.fix } : {}),
    ...(message.suggestions ? { suggestions: message.suggestions } : {}),
  };
}

/** ESLint's JSON format: one entry per linted file; what a suppressions file hid is in `suppressedMessages`. */
export const formatJson: Formatter = (results) =>
  JSON.stringify(
    results.map((result) => ({
      filePath: result.filePath,
      messages: result.messages.map(jsonMessage),
      suppressedMessages: (result.suppressedMessages ?? []).map((message: SuppressedLintMessage) => ({
        ...jsonMessage(message),
        suppressions: message.suppressions,
      })),
      errorCount: result.errorCount,
      fatalErrorCount: result.messages.filter((message) => message.fatal).length,
      warningCount: result.warningCount,
      fixableErrorCount: result.messages.filter((message) => message.fix && message.severity === 2).length,
      fixableWarningCount: result.messages.filter((message) => message.fix && message.severity === 1).length,
      ...(result.output !== undefined ? { output: result.output } : {}),
      usedDeprecatedRules: [],
    })),
  ) + "\n";
