import { Option, type Command } from "commander";
import { discoverTemplates } from "../scaffold/discover.js";
import { PACKAGE_MANAGERS, type PackageManager } from "../scaffold/package-manager.js";
import { templateOptionFlags } from "../scaffold/flags.js";

interface NewFlags {
  template?: string;
  lang?: string;
  name?: string;
  packageManager?: PackageManager;
  install?: boolean;
  git?: boolean;
  force?: boolean;
  dryRun?: boolean;
  yes?: boolean;
  [optionKey: string]: unknown;
}

/**
 * `withTemplateFlags`: read the templates to add their option flags (`--<option> <value>`). Only a run
 * of `new` (or its help) needs them; reading every template's manifest costs other commands' start-up.
 */
export function registerNewCommand(program: Command, withTemplateFlags = true): void {
  const catalog = withTemplateFlags ? discoverTemplates() : undefined;
  const optionFlags = catalog ? templateOptionFlags(catalog) : [];
  const command = program
    .command("new")
    .description("create a project from a pattern template")
    .argument("[dir]", "folder to create (must not exist, be empty, or hold only .git; see --force)")
    .option("-t, --template <name>", "template name (see `asyncpat templates`)")
    .option("--lang <lang>", "template language: ts or rust (default: ts when the name exists in both)")
    .option("--name <package-name>", "package name (default: derived from the folder name)")
    .addOption(
      new Option(
        "--package-manager <pm>",
        "package manager for install and next steps (default: the one running asyncpat, else npm)",
      ).choices(PACKAGE_MANAGERS),
    )
    .option("--install", "install dependencies (default)")
    .option("--no-install", "skip installing dependencies")
    .option("--git", "git init and a first commit (default; skipped inside a repository)")
    .option("--no-git", "skip git init")
    .option("--force", "write into a non-empty folder, adding only files that do not exist (never overwrites or deletes)")
    .option("--dry-run", "print the files that would be written and write nothing")
    .option("-y, --yes", "ask nothing: use the flags and defaults");
  for (const flag of optionFlags) command.option(`--${flag.flag} <value>`, flag.description);

  command.action(async (dir: string | undefined, flags: NewFlags) => {
    const { runNew } = await import("../scaffold/index.js");
    const given: Record<string, string> = {};
    for (const flag of optionFlags) {
      const value = flags[flag.key];
      if (typeof value === "string") given[flag.key] = value;
    }
    await runNew(
      {
        dir,
        template: flags.template,
        lang: flags.lang,
        name: flags.name,
        packageManager: flags.packageManager,
        install: flags.install,
        git: flags.git,
        force: Boolean(flags.force),
        dryRun: Boolean(flags.dryRun),
        yes: Boolean(flags.yes),
        optionFlags: given,
      },
      catalog ?? discoverTemplates(),
    );
  });
}
