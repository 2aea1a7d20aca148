import { exitCodeOf, ExitCode } from "./errors.js";
import { version } from "./version.js";

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
  // `asyncpat --version` alone is answered before commander and the commands are loaded: it runs in
  // scripts and editor start-up, where every millisecond over Node's own start-up is waiting.
  if (argv.length === 3 && (argv[2] === "--version" || argv[2] === "-v")) {
    process.stdout.write(`${version}\n`);
    return ExitCode.ok;
  }
  const { buildProgram, CommanderError } = await import("./commands/program.js");
  const program = buildProgram(argv);
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
