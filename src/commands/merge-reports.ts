import { Command, Option } from "commander";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { ExitCode, UsageError } from "../errors.js";
import { mergeJsonReports, mergeSarifReports } from "../lint/merge-reports.js";

interface MergeOptions {
  format: "json" | "sarif";
  outputFile?: string;
}

export function registerMergeReportsCommand(program: Command): void {
  program
    .command("merge-reports")
    .description("join the reports of `asyncpat lint --shard i/n` runs into the report of one run")
    .argument("<files...>", "shard reports written with --format json or --format sarif")
    .addOption(new Option("-f, --format <format>", "format of the reports").choices(["json", "sarif"]).default("json"))
    .option("-o, --output-file <file>", "write the merged report to a file instead of standard output")
    .addHelpText("after", "\nExit codes: 0 no errors in the merged report, 1 errors, 2 a report that cannot be read.")
    .action(async (files: string[], options: MergeOptions) => {
      // one at a time: a CI matrix can hand over many shard reports
      const reports: { name: string; text: string }[] = [];
      for (const name of files) {
        try {
          reports.push({ name, text: await readFile(path.resolve(name), "utf8") });
        } catch (error) {
          throw new UsageError(`merge-reports: cannot read ${name} (${error instanceof Error ? error.message : String(error)}).`);
        }
      }
      let merged;
      try {
        merged = options.format === "sarif" ? mergeSarifReports(reports) : mergeJsonReports(reports);
      } catch (error) {
        throw new UsageError(`merge-reports: ${error instanceof Error ? error.message : String(error)}`);
      }
      if (options.outputFile) {
        try {
          await writeFile(path.resolve(options.outputFile), merged.text);
        } catch (error) {
          throw new UsageError(
            `--output-file ${options.outputFile}: cannot write the report (${error instanceof Error ? error.message : String(error)}). Pass a path in a writable folder.`,
          );
        }
      } else {
        process.stdout.write(merged.text);
      }
      process.exitCode = merged.errors > 0 ? ExitCode.findings : ExitCode.ok;
    });
}
