import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { Ajv, type ErrorObject } from "ajv";
import { UsageError } from "../errors.js";
import { mergedOptions, type Rule } from "./rule.js";
import type { RuleSeverity, SeveritySetting } from "./rule-meta.js";
import type { ConfiguredRule } from "./types.js";

export const CONFIG_FILES = ["asyncpat.config.json", ".asyncpatrc.json"] as const;
export const PRESETS = ["asyncpat:recommended", "asyncpat:strict"] as const;
export type Preset = (typeof PRESETS)[number];
const SEVERITIES: readonly SeveritySetting[] = ["off", "warn", "error"];

export interface ResolvedConfig {
  /** The file the config came from; undefined when none was found (defaults apply). */
  filePath?: string;
  /** Folder that `ignore` globs are relative to. */
  baseDir: string;
  preset: Preset;
  ignore: string[];
  rules: ConfiguredRule[];
}

interface RawConfig {
  $schema?: unknown;
  extends?: unknown;
  rules?: unknown;
  ignore?: unknown;
}

/** Severity of every rule under a preset, before the config's own `rules`. */
export function presetSeverity(preset: Preset, rule: Rule): RuleSeverity {
  return preset === "asyncpat:strict" ? "error" : rule.meta.severity;
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return `${line}:${column}`;
}

function parseJson(filePath: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    const where = position ? `:${lineAndColumn(text, Number(position[1]))}` : "";
    throw new UsageError(
      `${filePath}${where}: invalid JSON (${message.replace(/ in JSON at position \d+.*$/, "")}). Fix the syntax and run again.`,
    );
  }
}

export function levenshtein(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const saved = previous[j]!;
      previous[j] = Math.min(previous[j]! + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = saved;
    }
  }
  return previous[b.length]!;
}

export function nearest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = levenshtein(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best !== undefined && bestDistance <= Math.max(3, Math.floor(name.length / 3)) ? best : undefined;
}

function unknownRuleMessage(where: string, id: string, rules: readonly Rule[]): string {
  const suggestion = nearest(
    id,
    rules.map((rule) => rule.id),
  );
  return `${where}: unknown rule "${id}".${suggestion ? ` Did you mean "${suggestion}"?` : ""} Run \`asyncpat rules\` for the list.`;
}

const ajv = new Ajv({ allErrors: false, strict: false, useDefaults: false });

function describeAjvError(error: ErrorObject): string {
  const at = error.instancePath ? error.instancePath.replace(/^\//, "").replace(/\//g, ".") : "";
  if (error.keyword === "additionalProperties") {
    return `unknown option "${(error.params as { additionalProperty: string }).additionalProperty}"${at ? ` in ${at}` : ""}`;
  }
  return `${at ? `"${at}" ` : ""}${error.message ?? "is invalid"}`;
}

/** The JSON Schema of a rule's options: the union of what its implementations read, or undefined. */
export function ruleOptionsSchema(
  rule: Rule,
): { type: "object"; properties: Record<string, object>; additionalProperties: false } | undefined {
  const merged = mergedOptions(rule);
  if (merged.size === 0) return undefined;
  const properties: Record<string, object> = {};
  for (const [key, option] of merged) properties[key] = option.schema;
  return { type: "object", properties, additionalProperties: false };
}

/** Validates the options a config gives a rule against its schema; each implementation adds its own defaults. */
export function validateRuleOptions(rule: Rule, options: unknown, where: string): Record<string, unknown> {
  if (options === undefined) return {};
  const schema = ruleOptionsSchema(rule);
  if (!schema) throw new UsageError(`${where}: rule "${rule.id}" takes no options; use just the severity.`);
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new UsageError(`${where}: the options of "${rule.id}" must be an object.`);
  }
  const validate = ajv.compile(schema);
  if (!validate(options)) {
    const known = Object.keys(schema.properties).join(", ");
    throw new UsageError(`${where}: ${describeAjvError(validate.errors![0]!)} (options of "${rule.id}": ${known}).`);
  }
  return options as Record<string, unknown>;
}

function parseSeverity(value: unknown, where: string): SeveritySetting {
  if (typeof value === "string" && (SEVERITIES as readonly string[]).includes(value)) return value as SeveritySetting;
  throw new UsageError(`${where}: severity must be "off", "warn" or "error", not ${JSON.stringify(value)}.`);
}

/** Finds the config for `cwd`: an explicit file, else the nearest config file or package.json key. */
export function findConfigFile(cwd: string): { filePath: string; fromPackageJson: boolean } | undefined {
  for (let dir = cwd; ; dir = path.dirname(dir)) {
    for (const name of CONFIG_FILES) {
      const candidate = path.join(dir, name);
      if (existsSync(candidate)) return { filePath: candidate, fromPackageJson: false };
    }
    const pkg = path.join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        const parsed = JSON.parse(readFileSync(pkg, "utf8")) as Record<string, unknown>;
        if (parsed && typeof parsed === "object" && "asyncpat" in parsed) return { filePath: pkg, fromPackageJson: true };
      } catch {
        // a broken package.json that has nothing to do with us is not our error to report
      }
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

export interface LoadConfigOptions {
  cwd: string;
  configPath?: string;
  rules: readonly Rule[];
  /** `--rule id=severity` overrides, applied last. */
  overrides?: readonly string[];
}

export function loadConfig(options: LoadConfigOptions): ResolvedConfig {
  let found: { filePath: string; fromPackageJson: boolean } | undefined;
  if (options.configPath) {
    const filePath = path.resolve(options.cwd, options.configPath);
    if (!existsSync(filePath)) throw new UsageError(`--config ${options.configPath}: no such file.`);
    found = { filePath, fromPackageJson: path.basename(filePath) === "package.json" };
  } else {
    found = findConfigFile(options.cwd);
  }

  let raw: RawConfig = {};
  let label = "config";
  if (found) {
    const text = readFileSync(found.filePath, "utf8");
    const parsed = parseJson(found.filePath, text);
    if (found.fromPackageJson) {
      raw = (parsed as Record<string, unknown>).asyncpat as RawConfig;
      label = `${found.filePath} "asyncpat"`;
    } else {
      raw = parsed as RawConfig;
      label = found.filePath;
    }
    if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
      throw new UsageError(`${label}: the config must be a JSON object with "rules", "ignore" and "extends" keys.`);
    }
    for (const key of Object.keys(raw)) {
      if (!["$schema", "extends", "rules", "ignore"].includes(key)) {
        throw new UsageError(`${label}: unknown key "${key}"; allowed keys are "$schema", "extends", "rules" and "ignore".`);
      }
    }
  }

  let preset: Preset = "asyncpat:recommended";
  if (raw.extends !== undefined) {
    if (typeof raw.extends !== "string" || !(PRESETS as readonly string[]).includes(raw.extends)) {
      throw new UsageError(
        `${label}: "extends" must be one of ${PRESETS.map((p) => `"${p}"`).join(", ")}, not ${JSON.stringify(raw.extends)}.`,
      );
    }
    preset = raw.extends as Preset;
  }

  const byId = new Map(options.rules.map((rule) => [rule.id, rule]));
  const settings = new Map<string, { severity: SeveritySetting; options: Record<string, unknown> }>();
  for (const rule of options.rules) {
    settings.set(rule.id, { severity: presetSeverity(preset, rule), options: {} });
  }

  if (raw.rules !== undefined) {
    if (typeof raw.rules !== "object" || raw.rules === null || Array.isArray(raw.rules)) {
      throw new UsageError(`${label}: "rules" must be an object mapping rule ids to "off", "warn", "error" or ["warn", { options }].`);
    }
    for (const [id, value] of Object.entries(raw.rules as Record<string, unknown>)) {
      const where = `${label}: rules.${id}`;
      const rule = byId.get(id);
      if (!rule) throw new UsageError(unknownRuleMessage(`${label}: rules`, id, options.rules));
      if (Array.isArray(value)) {
        if (value.length < 1 || value.length > 2) {
          throw new UsageError(`${where}: use "warn" or ["warn", { options }] (an array of one or two items).`);
        }
        const severity = parseSeverity(value[0], where);
        settings.set(id, { severity, options: validateRuleOptions(rule, value[1], where) });
      } else {
        settings.set(id, { severity: parseSeverity(value, where), options: settings.get(id)!.options });
      }
    }
  }

  for (const override of options.overrides ?? []) {
    const match = /^([^=]+)=(.*)$/.exec(override);
    if (!match) throw new UsageError(`--rule ${override}: use --rule <id>=off|warn|error.`);
    const [, id, severity] = match;
    if (!byId.has(id!)) throw new UsageError(unknownRuleMessage(`--rule ${override}`, id!, options.rules));
    settings.set(id!, { severity: parseSeverity(severity, `--rule ${override}`), options: settings.get(id!)!.options });
  }

  let ignore: string[] = [];
  if (raw.ignore !== undefined) {
    if (!Array.isArray(raw.ignore) || !raw.ignore.every((entry) => typeof entry === "string")) {
      throw new UsageError(`${label}: "ignore" must be an array of glob strings, e.g. ["generated/**"].`);
    }
    ignore = raw.ignore as string[];
  }

  const rules: ConfiguredRule[] = [];
  for (const rule of options.rules) {
    const setting = settings.get(rule.id)!;
    if (setting.severity !== "off") rules.push({ rule, severity: setting.severity, options: setting.options });
  }
  return {
    filePath: found?.filePath,
    baseDir: found ? path.dirname(found.filePath) : options.cwd,
    preset,
    ignore,
    rules,
  };
}
