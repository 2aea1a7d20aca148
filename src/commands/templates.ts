import { Option, type Command } from "commander";

export function registerTemplatesCommand(program: Command): void {
  program
    .command("templates")
    .description("list the pattern templates, their languages and options")
    .addOption(new Option("--format <format>", "output format").choices(["text", "json"]).default("text"))
    .action(async (options: { format: "text" | "json" }) => {
      const [{ discoverTemplates }, { formatTemplateList }] = await Promise.all([
        import("../scaffold/discover.js"),
        import("../scaffold/list.js"),
      ]);
      process.stdout.write(`${formatTemplateList(discoverTemplates(), options.format)}\n`);
    });
}
