import type { Catalog } from "./discover.js";
import type { TemplateOption } from "./manifest.js";

export interface OptionFlag {
  key: string;
  flag: string;
  description: string;
}

function valuesOf(option: TemplateOption): string {
  if (option.kind === "choice") return option.choices.join("|");
  return option.min !== undefined || option.max !== undefined ? `integer ${option.min ?? ""}..${option.max ?? ""}` : "integer";
}

/**
 * The union of every template's option flags, for the `new` command line; which template a flag
 * belongs to is checked once the template is known. Templates sharing an identical option share one
 * line of help: `worker threads …: integer 1..512, default 4 (rust: server, worker-pool)`.
 */
export function templateOptionFlags(catalog: Catalog): OptionFlag[] {
  const byKey = new Map<string, { flag: string; variants: Map<string, string[]> }>();
  for (const template of catalog.templates) {
    for (const option of template.manifest.options) {
      const entry = byKey.get(option.key) ?? { flag: option.flag, variants: new Map<string, string[]>() };
      const text = `${option.description}: ${valuesOf(option)}, default ${option.default}`;
      const owners = entry.variants.get(text) ?? [];
      owners.push(`${template.name} (${template.lang})`);
      entry.variants.set(text, owners);
      byKey.set(option.key, entry);
    }
  }
  return [...byKey.entries()].map(([key, entry]) => ({
    key,
    flag: entry.flag,
    description: [...entry.variants.entries()].map(([text, owners]) => `${text} [${owners.join(", ")}]`).join("; "),
  }));
}
