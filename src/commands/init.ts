import type { Command } from "commander";

interface InitFlags {
  yes?: boolean;
  dryRun?: boolean;
}

export function registerInitCommand(program: Command): void {
  program
    .command("init")
    .description("set asyncpat up in an existing repository: config, package script, commit hook and CI")
    .argument("[dir]", "the repository's root", ".")
    .option("-y, --yes", "ask nothing: take the defaults")
    .option("--dry-run", "print the plan and write nothing")
    .addHelpText(
      "after",
      "\nNever overwrites: files that exist are merged only where the format allows a clean merge (a package.json key,\na YAML list entry), otherwise left alone and reported. Running it again changes nothing.\nExit codes: 0 done (or nothing to do), 1 a file could not be written, 2 usage error, 130 interrupted.",
    )
    .action(async (dir: string, flags: InitFlags) => {
      const [{ runInit }, { inquirerPrompter }] = await Promise.all([
        import("../scaffold/init/index.js"),
        import("../scaffold/prompts.js"),
      ]);
      process.exitCode = await runInit(
        { dir, yes: Boolean(flags.yes), dryRun: Boolean(flags.dryRun) },
        {
          stdout: process.stdout,
          interactive: process.stdin.isTTY === true && process.stdout.isTTY === true,
          prompter: () => inquirerPrompter(),
        },
      );
    });
}
