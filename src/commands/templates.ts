import type { Command } from "commander";

export function registerTemplatesCommand(program: Command): void {
  program.command("templates").description("list the pattern templates (in progress)");
}
