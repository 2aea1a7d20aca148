import type { Formatter } from "./types.js";

/** ESLint's JSON format: one entry per linted file. */
export const formatJson: Formatter = (results) =>
  JSON.stringify(
    results.map((result) => ({
      filePath: result.filePath,
      messages: result.messages.map((message) => ({
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
      })),
      suppressedMessages: [],
      errorCount: result.errorCount,
      fatalErrorCount: result.messages.filter((message) => message.fatal).length,
      warningCount: result.warningCount,
      fixableErrorCount: result.messages.filter((message) => message.fix && message.severity === 2).length,
      fixableWarningCount: result.messages.filter((message) => message.fix && message.severity === 1).length,
      ...(result.output !== undefined ? { output: result.output } : {}),
      usedDeprecatedRules: [],
    })),
  ) + "\n";
