/**
 * Joins the reports of `--shard` runs into the report one unsharded run gives: ESLint-style JSON
 * (one entry per file, in path order) or SARIF (one run; rule descriptors once, results in file order).
 */
import path from "node:path";
import { PSEUDO_RULES } from "./formatters/sarif.js";

interface JsonFileEntry {
  filePath: string;
  errorCount: number;
  warningCount: number;
}

export interface MergedReport {
  text: string;
  errors: number;
  warnings: number;
}

export function mergeJsonReports(reports: readonly { name: string; text: string }[]): MergedReport {
  const entries: JsonFileEntry[] = [];
  for (const { name, text } of reports) {
    const parsed = parse(name, text);
    if (!Array.isArray(parsed)) throw new Error(`${name} is not an asyncpat JSON report (an array of files); make it with --format json.`);
    entries.push(...(parsed as JsonFileEntry[]));
  }
  entries.sort((a, b) => a.filePath.localeCompare(b.filePath));
  return {
    text: JSON.stringify(entries) + "\n",
    errors: entries.reduce((sum, entry) => sum + entry.errorCount, 0),
    warnings: entries.reduce((sum, entry) => sum + entry.warningCount, 0),
  };
}

interface SarifResult {
  ruleId: string;
  ruleIndex?: number;
  level: string;
  locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
}

interface SarifLog {
  runs: { tool: { driver: { rules: { id: string }[] } }; results: SarifResult[] }[];
}

export function mergeSarifReports(reports: readonly { name: string; text: string }[]): MergedReport {
  const logs = reports.map(({ name, text }) => {
    const parsed = parse(name, text) as SarifLog;
    if (!parsed || !Array.isArray(parsed.runs) || parsed.runs.length !== 1) {
      throw new Error(`${name} is not an asyncpat SARIF report (one run); make it with --format sarif.`);
    }
    return parsed;
  });
  const merged = logs[0]!;
  const run = merged.runs[0]!;
  const pseudo = Object.keys(PSEUDO_RULES);
  const descriptors = new Map<string, { id: string }>();
  for (const log of logs)
    for (const descriptor of log.runs[0]!.tool.driver.rules)
      if (!descriptors.has(descriptor.id)) descriptors.set(descriptor.id, descriptor);
  const rules = [
    ...[...descriptors.values()].filter((descriptor) => !pseudo.includes(descriptor.id)),
    ...pseudo.flatMap((id) => (descriptors.has(id) ? [descriptors.get(id)!] : [])),
  ];
  const indexOf = new Map(rules.map((descriptor, index) => [descriptor.id, index]));
  const fileOf = (result: SarifResult) =>
    result.locations[0]!.physicalLocation.artifactLocation.uri.split("/").map(decodeURIComponent).join(path.sep);
  const results = logs.flatMap((log) => log.runs[0]!.results);
  // Stable: a file's findings keep their order; files come in path order, as in one run.
  const order = results.map((result, index) => ({ result, index, file: fileOf(result) }));
  order.sort((a, b) => a.file.localeCompare(b.file) || a.index - b.index);
  run.tool.driver.rules = rules;
  run.results = order.map(({ result }) => ({ ...result, ruleIndex: indexOf.get(result.ruleId) }));
  return {
    text: JSON.stringify(merged, null, 2) + "\n",
    errors: run.results.filter((result) => result.level === "error").length,
    warnings: run.results.filter((result) => result.level !== "error").length,
  };
}

function parse(name: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${name} is not JSON (${error instanceof Error ? error.message : String(error)}); pass the files --output-file wrote.`);
  }
}
