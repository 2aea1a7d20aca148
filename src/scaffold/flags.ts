import type { Catalog } from "./discover.js";

export interface OptionFlag {
  key: string;
  flag: string;
  description: string;
}

/**
 * The union of every template's option flags, for the `new` command line. Which template a flag
 * belongs to is checked once the template is known.
 */
export function templateOptionFlags(catalog: Catalog): OptionFlag[] {
  const byKey = new Map<string, { flag: string; parts: string[] }>();
  for (const template of catalog.templates) {
    for (const option of template.manifest.options) {
      const values = option.kind === "choice" ? option.choices.join("|") : "integer";
      const part = `${template.name} (${template.lang}): ${option.description}, ${values}, default ${option.default}`;
      const entry = byKey.get(option.key) ?? { flag: option.flag, parts: [] };
      entry.parts.push(part);
      byKey.set(option.key, entry);
    }
  }
  return [...byKey.entries()].map(([key, entry]) => ({ key, flag: entry.flag, description: entry.parts.join("; ") }));
}
