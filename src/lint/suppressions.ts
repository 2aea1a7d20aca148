import type { Directive, LintMessage } from "./types.js";

const DIRECTIVE = /^\s*(?:\/\/|\/\*+)\s*asyncpat-ignore-(next-line|file)\b([\s\S]*?)(?:\*+\/\s*)?$/;

/**
 * Parses one comment's text (`// asyncpat-ignore-next-line a, b -- reason` or
 * `/* asyncpat-ignore-file a -- reason *\/`). Returns undefined for ordinary comments.
 */
export function parseDirective(
  commentText: string,
  position: { line: number; column: number; endLine: number; endColumn: number },
): Directive | undefined {
  const match = DIRECTIVE.exec(commentText);
  if (!match) return undefined;
  const kind = match[1] === "file" ? "file" : "next-line";
  const body = match[2] ?? "";
  const separator = body.indexOf("--");
  const list = separator >= 0 ? body.slice(0, separator) : body;
  const reason = separator >= 0 ? body.slice(separator + 2).trim() || undefined : undefined;
  const ruleIds = list
    .split(",")
    .map((id) => id.trim())
    .filter((id) => id.length > 0);
  return { kind, ruleIds, reason, ...position };
}

export interface SuppressionOutcome {
  messages: LintMessage[];
}

/**
 * Drops the messages that directives suppress and adds a warning for every directive (or rule id in
 * one) that suppressed nothing, names an unknown rule, or gives no reason: stale suppressions are
 * noise that hides the next real finding on that line.
 */
export function applySuppressions(
  messages: LintMessage[],
  directives: readonly Directive[],
  knownRuleIds: ReadonlySet<string>,
  enabledRuleIds: ReadonlySet<string>,
): LintMessage[] {
  if (directives.length === 0) return messages;
  const used = new Set<string>();
  const key = (directive: Directive, ruleId: string) => `${directive.line}:${directive.column}:${ruleId}`;
  const kept = messages.filter((message) => {
    if (message.ruleId === null) return true;
    for (const directive of directives) {
      if (!directive.ruleIds.includes(message.ruleId)) continue;
      if (directive.kind === "file" || message.line === directive.endLine + 1) {
        used.add(key(directive, message.ruleId));
        return false;
      }
    }
    return true;
  });
  const extra: LintMessage[] = [];
  const at = (directive: Directive) => ({
    ruleId: null,
    severity: 1 as const,
    line: directive.line,
    column: directive.column,
    endLine: directive.endLine,
    endColumn: directive.endColumn,
  });
  for (const directive of directives) {
    const name = `asyncpat-ignore-${directive.kind}`;
    if (directive.ruleIds.length === 0) {
      extra.push({
        ...at(directive),
        message: `\`${name}\` names no rule: list the rule ids it suppresses, e.g. \`// ${name} missing-timeout -- reason\`.`,
      });
      continue;
    }
    for (const ruleId of directive.ruleIds) {
      if (!knownRuleIds.has(ruleId)) {
        extra.push({
          ...at(directive),
          message: `\`${name}\` names the unknown rule "${ruleId}"; run \`asyncpat rules\` for the list of rule ids.`,
        });
      } else if (enabledRuleIds.has(ruleId) && !used.has(key(directive, ruleId))) {
        extra.push({
          ...at(directive),
          message: `Unused suppression: "${ruleId}" reports nothing ${directive.kind === "file" ? "in this file" : "on the next line"}; remove it so it cannot hide a future finding.`,
        });
      }
    }
    if (!directive.reason) {
      extra.push({
        ...at(directive),
        message: `\`${name}\` gives no reason: add \` -- <why this is safe>\` after the rule ids.`,
      });
    }
  }
  return [...kept, ...extra];
}
