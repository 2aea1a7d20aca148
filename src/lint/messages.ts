import type { ImplementationMeta } from "./rule-meta.js";
import type { ConfiguredRule, Fix, LintMessage, Suggestion } from "./types.js";

/** Code quoted in a message: whitespace folded to single spaces, cut at `max` characters with an ellipsis. */
export function snippet(code: string, max = 60): string {
  const text = code.replace(/\s+/g, " ").trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Fills `{{name}}` placeholders of a rule message from the report's data. */
export function formatMessage(template: string, data: Record<string, string | number> | undefined): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) =>
    data && Object.prototype.hasOwnProperty.call(data, name) ? String(data[name]) : whole,
  );
}

export interface ReportFields {
  messageId: string;
  data?: Record<string, string | number>;
  help?: string;
  fix?: Fix;
  suggest?: Suggestion[];
}

export interface MessagePosition {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/**
 * Turns one rule's reports into messages, the same way for every language: the message text comes
 * from the implementation's own messages and the `help:` line from its own `instead`, and a report
 * repeated at the same place with the same message id is kept once.
 */
export function createReporter(configured: ConfiguredRule, implementation: ImplementationMeta<unknown>, messages: LintMessage[]) {
  const { rule, severity } = configured;
  const seen = new Set<string>();
  return (report: ReportFields, where: MessagePosition): void => {
    const template = implementation.messages[report.messageId];
    if (template === undefined) throw new Error(`rule ${rule.id} reported the unknown messageId "${report.messageId}"`);
    if (report.fix && !implementation.fixable) throw new Error(`rule ${rule.id} reported a fix without \`fixable: "code"\` in its meta`);
    if (report.suggest && !implementation.hasSuggestions)
      throw new Error(`rule ${rule.id} reported suggestions without \`hasSuggestions: true\` in its meta`);
    const key = `${where.line}:${where.column}:${report.messageId}`;
    if (seen.has(key)) return;
    seen.add(key);
    messages.push({
      ruleId: rule.id,
      messageId: report.messageId,
      severity: severity === "error" ? 2 : 1,
      message: formatMessage(template, report.data),
      help: report.help ?? implementation.instead,
      ...where,
      ...(report.fix ? { fix: report.fix } : {}),
      ...(report.suggest && report.suggest.length > 0 ? { suggestions: report.suggest } : {}),
    });
  };
}
