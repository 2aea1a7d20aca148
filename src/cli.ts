import { Command, CommanderError } from "commander";
import { exitCodeOf, ExitCode } from "./errors.js";
import { version } from "./version.js";
import { registerInitCommand } from "./commands/init.js";
import { registerLintCommand } from "./commands/lint.js";
import { registerLspCommand } from "./commands/lsp.js";
import { registerRulesCommand } from "./commands/rules.js";
import { registerNewCommand } from "./commands/new.js";
import { registerTemplatesCommand } from "./commands/templates.js";
import { registerMergeReportsCommand } from "./commands/merge-reports.js";

export function buildProgram(): Command {
  const program = new Command("asyncpat")
    .description("Scaffold async services from Tokio-style patterns and lint async anti-patterns.")
    .version(version, "-v, --version", "print the version")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();
  registerLintCommand(program);
  registerLspCommand(program);
  registerRulesCommand(program);
  registerNewCommand(program);
  registerTemplatesCommand(program);
  registerMergeReportsCommand(program);
  registerInitCommand(program);
  return program;
}

/**
 * `asyncpat lint | head`: the reader went away. Drop the rest of the output instead of crashing with
 * a stack trace, and let the command finish (`new` must still clean up its temporary folder).
 */
function ignoreBrokenPipe(stream: NodeJS.WriteStream): void {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
  });
}

async function main(argv: string[]): Promise<number> {
  ignoreBrokenPipe(process.stdout);
  ignoreBrokenPipe(process.stderr);
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return process.exitCode === undefined ? ExitCode.ok : Number(process.exitCode);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") {
        return ExitCode.ok;
      }
      return ExitCode.usage;
    }
    const code = exitCodeOf(error);
    const message = error instanceof Error ? error.message : String(error);
    if (code === ExitCode.internal && !(error && typeof error === "object" && "exitCode" in error)) {
      process.stderr.write(`asyncpat: internal error: ${error instanceof Error && error.stack ? error.stack : message}\n`);
    } else {
      process.stderr.write(`asyncpat: ${message}\n`);
    }
    return code;
  }
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`asyncpat: internal error: ${String(error)}\n`);
    process.exitCode = ExitCode.internal;
  },
);
