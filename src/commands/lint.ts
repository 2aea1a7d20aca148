import { Command, Option } from "commander";
import { UsageError } from "../errors.js";

export interface LintCommandOptions {
  format: "stylish" | "json" | "sarif" | "github";
  outputFile?: string;
  maxWarnings?: number;
  quiet: boolean;
  rule: string[];
  config?: string;
  tsconfig?: string;
  color?: boolean;
  types: boolean;
  stats: boolean;
}

function parseMaxWarnings(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) {
    throw new UsageError(`--max-warnings takes a whole number of 0 or more, not "${value}".`);
  }
  return parsed;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function registerLintCommand(program: Command): void {
  program
    .command("lint")
    .description("report async anti-patterns in TypeScript, JavaScript and Rust files")
    .argument("[paths...]", "files, folders or globs to lint", ["."])
    .addOption(new Option("-f, --format <format>", "output format").choices(["stylish", "json", "sarif", "github"]).default("stylish"))
    .option("-o, --output-file <file>", "write the report to a file instead of standard output")
    .option("--max-warnings <n>", "exit 1 when there are more than n warnings", parseMaxWarnings)
    .option("-q, --quiet", "report errors only", false)
    .option("--rule <id=severity>", "set a rule's severity (off, warn, error); repeatable", collect, [])
    .option("-c, --config <file>", "use this config file instead of searching for one")
    .option("--tsconfig <file>", "TypeScript project config (default: the nearest tsconfig.json)")
    .option("--no-types", "do not use the type checker (faster; rules rely on syntax and imports alone)")
    .option("--no-color", "disable colours (NO_COLOR and FORCE_COLOR are honoured too)")
    .option("--stats", "print file, line and timing figures to standard error", false)
    .action(async (paths: string[], options: LintCommandOptions) => {
      const [{ runLint }, { allRules }] = await Promise.all([import("../lint/run.js"), import("../../rules/index.js")]);
      process.exitCode = await runLint(paths, options, allRules);
    });
}
