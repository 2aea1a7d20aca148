import type { Command } from "commander";

export function registerNewCommand(program: Command): void {
  program.command("new").description("create a project from a pattern template (in progress)");
}
