import type { Rule } from "../rule.js";
import type { FileResult } from "../types.js";

export interface FormatterContext {
  cwd: string;
  rules: ReadonlyMap<string, Rule>;
  color: boolean;
  version: string;
  /** Where the rule docs live (the package's docs/rules). */
  docsDir: string;
}

export type Formatter = (results: readonly FileResult[], context: FormatterContext) => string;

/** Label for problems that are not a rule's, in formats that need an id for every problem. */
export function pseudoRuleId(message: { ruleId: string | null; fatal?: boolean }): string {
  if (message.ruleId) return message.ruleId;
  return message.fatal ? "parse-error" : "suppression-comment";
}
