import { languagesOf, type Rule } from "./rule.js";
import { presetSeverity } from "./config.js";

export interface RuleListEntry {
  id: string;
  description: string;
  category: string;
  recommended: string;
  strict: string;
  needsTypes: boolean;
  languages: string[];
  /** Some reports carry a fix `--fix` applies (in some language). */
  fixable: boolean;
  /** Some reports offer suggestions (in some language). */
  hasSuggestions: boolean;
  docs: string;
}

export function ruleListEntries(rules: readonly Rule[]): RuleListEntry[] {
  return rules.map((rule) => ({
    id: rule.id,
    description: rule.meta.description,
    category: rule.meta.category,
    recommended: presetSeverity("asyncpat:recommended", rule),
    strict: presetSeverity("asyncpat:strict", rule),
    needsTypes: rule.implementations.typescript?.needsTypes ?? false,
    languages: languagesOf(rule),
    fixable: languagesOf(rule).some((language) => rule.implementations[language]!.fixable === "code"),
    hasSuggestions: languagesOf(rule).some((language) => rule.implementations[language]!.hasSuggestions === true),
    docs: `docs/rules/${rule.id}.md`,
  }));
}

/** `asyncpat rules`: a table for people, or JSON for tools. */
export function formatRuleList(rules: readonly Rule[], format: "text" | "json"): string {
  const entries = ruleListEntries(rules);
  if (format === "json") return `${JSON.stringify(entries, null, 2)}\n`;
  const header = ["rule", "recommended", "strict", "types", "languages", "fixes", "description"];
  const rows = entries.map((entry) => [
    entry.id,
    entry.recommended,
    entry.strict,
    entry.needsTypes ? "required" : "optional",
    entry.languages.map((language) => (language === "typescript" ? "ts/js" : language)).join(", "),
    [entry.fixable ? "fix" : "", entry.hasSuggestions ? "suggest" : ""].filter(Boolean).join(", ") || "-",
    entry.description,
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!))).join("  ");
  return `${[line(header), ...rows.map(line)].join("\n")}\n\nPresets: "extends": "asyncpat:recommended" (default) or "asyncpat:strict" in asyncpat.config.json.\nFixes: "fix" rules have reports \`asyncpat lint --fix\` can fix; "suggest" rules offer edits in the json and sarif output and in editors.\n`;
}
