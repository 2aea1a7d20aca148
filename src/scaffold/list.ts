import { languagesOf, type Catalog } from "./discover.js";
import type { TemplateOption } from "./manifest.js";

function describeValues(option: TemplateOption): string {
  if (option.kind === "choice") return option.choices.join("|");
  const range = option.min !== undefined || option.max !== undefined ? ` ${option.min ?? ""}..${option.max ?? ""}` : "";
  return `<integer${range}>`;
}

/** `asyncpat templates` output: JSON for tools, or an indented list per language for people. */
export function formatTemplateList(catalog: Catalog, format: "text" | "json"): string {
  if (format === "json") {
    const templates = catalog.templates.map((template) => ({
      name: template.name,
      lang: template.lang,
      description: template.manifest.description,
      options: template.manifest.options.map((option) => ({
        key: option.key,
        flag: `--${option.flag}`,
        description: option.description,
        type: option.kind === "choice" ? "choice" : "integer",
        ...(option.kind === "choice" ? { choices: option.choices } : { min: option.min, max: option.max }),
        default: option.default,
      })),
      nextSteps: template.manifest.nextSteps ?? {},
    }));
    const broken = catalog.broken.map((template) => ({ name: template.name, lang: template.lang, problem: template.problem }));
    return JSON.stringify({ templates, ...(broken.length ? { broken } : {}) }, null, 2);
  }
  const lines: string[] = [];
  if (catalog.templates.length === 0) lines.push("No templates found.");
  for (const lang of languagesOf(catalog)) {
    lines.push(lang === "ts" ? "TypeScript (--lang ts)" : lang === "rust" ? "Rust (--lang rust)" : `--lang ${lang}`);
    const templates = catalog.templates.filter((template) => template.lang === lang);
    const width = Math.max(...templates.map((template) => template.name.length));
    for (const template of templates) {
      lines.push(`  ${template.name.padEnd(width)}  ${template.manifest.description}`);
      for (const option of template.manifest.options) {
        lines.push(
          `  ${"".padEnd(width)}    --${option.flag} ${describeValues(option)}  ${option.description} (default: ${option.default})`,
        );
      }
    }
    lines.push("");
  }
  lines.push("Create a project: asyncpat new <dir> --template <name> [--lang <lang>] [options]");
  for (const template of catalog.broken)
    lines.push(`Warning: template ${template.name} (${template.lang}) is unusable: ${template.problem}`);
  return lines.join("\n");
}
