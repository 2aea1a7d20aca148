/** The commander program: one command per file of this folder. */
import { Command } from "commander";
import { version } from "../version.js";
import { registerInitCommand } from "./init.js";
import { registerLintCommand } from "./lint.js";
import { registerLspCommand } from "./lsp.js";
import { registerRulesCommand } from "./rules.js";
import { registerNewCommand } from "./new.js";
import { registerTemplatesCommand } from "./templates.js";
import { registerMergeReportsCommand } from "./merge-reports.js";

export { CommanderError } from "commander";

/** `argv`, when given, is the command line the program will parse: commands it does not run skip their costly set-up. */
export function buildProgram(argv?: readonly string[]): Command {
  const program = new Command("asyncpat")
    .description("Scaffold async services from Tokio-style patterns and lint async anti-patterns.")
    .version(version, "-v, --version", "print the version")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  registerLintCommand(program);
  registerLspCommand(program);
  registerRulesCommand(program);
  registerNewCommand(program, argv === undefined || argv.slice(2).includes("new"));
  registerTemplatesCommand(program);
  registerMergeReportsCommand(program);
  registerInitCommand(program);
  return program;
}
