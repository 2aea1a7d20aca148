import { Command, Option } from "commander";

export function registerRulesCommand(program: Command): void {
  program
    .command("rules")
    .description("list the lint rules with their default severity")
    .addOption(new Option("-f, --format <format>", "output format").choices(["text", "json"]).default("text"))
    .action(async (options: { format: "text" | "json" }) => {
      const [{ allRules }, { formatRuleList }] = await Promise.all([import("../../rules/index.js"), import("../lint/rule-list.js")]);
      process.stdout.write(formatRuleList(allRules, options.format));
    });
}
