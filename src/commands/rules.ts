import { readFile } from "node:fs/promises";
import path from "node:path";
import { Command, Option } from "commander";
import type { RuleListEntry } from "../lint/rule-list.js";

export function registerRulesCommand(program: Command): void {
  program
    .command("rules")
    .description("list the lint rules with their default severity")
    .addOption(new Option("-f, --format <format>", "output format").choices(["text", "json"]).default("text"))
    .action(async (options: { format: "text" | "json" }) => {
      // the list generated from the rules' meta: loading the rules would load TypeScript for their implementations
      const [{ formatRuleListEntries, RULE_LIST }, { packageRoot }] = await Promise.all([
        import("../lint/rule-list.js"),
        import("../version.js"),
      ]);
      const entries = JSON.parse(await readFile(path.join(packageRoot, RULE_LIST), "utf8")) as RuleListEntry[];
      process.stdout.write(formatRuleListEntries(entries, options.format));
    });
}
