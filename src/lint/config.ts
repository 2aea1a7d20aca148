import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import type { Ajv, ErrorObject } from "ajv";
import picomatch from "picomatch";
import { UsageError } from "../errors.js";
import { mergedOptions, type Rule } from "./rule.js";
import type { RuleSeverity, SeveritySetting } from "./rule-meta.js";
import { FILE_ROLES, type FileRole } from "./file-roles.js";
import type { ConfiguredRule } from "./types.js";

export const CONFIG_FILES = ["asyncpat.config.json", ".asyncpatrc.json"] as const;
export const PRESETS = ["asyncpat:recommended", "asyncpat:strict"] as const;
export type Preset = (typeof PRESETS)[number];
const SEVERITIES: readonly SeveritySetting[] = ["off", "warn", "error"];

export interface ResolvedConfig {
  /** The settings of one file, aligned with `rules` (undefined: off for this file), after role defaults and `overrides`. */
  rulesFor(filePath: string, role: FileRole): (ConfiguredRule | undefined)[];
  /** Whether files of each role are linted (fixtures and generated files are not, by default). */
  roles: Record<FileRole, RoleSetting>;
  /** The file the config came from; undefined when none was found (defaults apply). */
  filePath?: string;
  /** Folder that `ignore` globs are relative to. */
  baseDir: string;
  preset: Preset;
  ignore: string[];
  /** Every rule that is on for some file, with its base settings. */
  rules: ConfiguredRule[];
}

interface RawConfig {
  $schema?: unknown;
  extends?: unknown;
  rules?: unknown;
  ignore?: unknown;
  overrides?: unknown;
  roles?: unknown;
}

const CONFIG_KEYS = ["$schema", "extends", "rules", "ignore", "overrides", "roles"];

export type RoleSetting = "lint" | "skip";

interface RuleSetting {
  severity: SeveritySetting;
  options: Record<string, unknown>;
}

/** A rule entry of a config: a severity, and options when the entry gives them. */
type RuleEntries = Map<string, { severity: SeveritySetting; options?: Record<string, unknown> }>;

/**
 * What the presets change per file role. Tests run under their runner's timeout against their own
 * in-process servers and fixtures, start servers and fan out on purpose: the rules about deadlines,
 * bounds, blocking and shutdown stay quiet there. A floating promise, an overlapping interval or a
 * leaked resource in a test is still a bug, so those rules stay on.
 */
export const ROLE_DEFAULTS: Partial<Record<FileRole, RuleEntries>> = {
  test: new Map(
    [
      "missing-timeout",
      "leaky-timeout-race",
      "unbounded-channel",
      "unbounded-concurrency",
      "blocking-in-async",
      "missing-graceful-shutdown",
      "lock-across-await",
      "ignored-backpressure",
    ].map((id) => [id, { severity: "off" as const }]),
  ),
  // a one-shot program serves nobody while it blocks, and exits when its work is done
  script: new Map(["blocking-in-async", "missing-graceful-shutdown"].map((id) => [id, { severity: "off" as const }])),
};

function toPosix(relative: string): string {
  return relative.split(path.sep).join("/");
}

function applyRuleEntries(settings: Map<string, RuleSetting>, entries: RuleEntries): void {
  for (const [id, entry] of entries) {
    const previous = settings.get(id);
    if (!previous) continue;
    settings.set(id, { severity: entry.severity, options: entry.options ?? previous.options });
  }
}

function parseRuleEntries(value: unknown, where: string, byId: ReadonlyMap<string, Rule>, all: readonly Rule[]): RuleEntries {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UsageError(`${where} must be an object mapping rule ids to "off", "warn", "error" or ["warn", { options }].`);
  }
  const entries: RuleEntries = new Map();
  for (const [id, entry] of Object.entries(value as Record<string, unknown>)) {
    const at = `${where}.${id}`;
    const rule = byId.get(id);
    if (!rule) throw new UsageError(unknownRuleMessage(where, id, all));
    if (Array.isArray(entry)) {
      if (entry.length < 1 || entry.length > 2)
        throw new UsageError(`${at}: use "warn" or ["warn", { options }] (an array of one or two items).`);
      entries.set(id, {
        severity: parseSeverity(entry[0], at),
        options: entry.length === 2 ? validateRuleOptions(rule, entry[1], at) : undefined,
      });
    } else {
      entries.set(id, { severity: parseSeverity(entry, at) });
    }
  }
  return entries;
}

interface Override {
  entries: RuleEntries;
  matches(relativePath: string | undefined, role: FileRole | undefined): boolean;
}

/** ESLint-style `overrides`: `[{ "files": [globs], "roles": ["test"], "rules": { … } }]`, later entries winning. */
function parseOverrides(value: unknown, label: string, byId: ReadonlyMap<string, Rule>, all: readonly Rule[]): Override[] {
  if (value === undefined) return [];
  const shape = `"overrides" must be an array of { "files": ["globs"], "roles": ["test"], "rules": { … } } objects`;
  if (!Array.isArray(value)) throw new UsageError(`${label}: ${shape}.`);
  return value.map((entry, index) => {
    const where = `${label}: overrides[${index}]`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) throw new UsageError(`${where}: ${shape}.`);
    const record = entry as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!["files", "roles", "rules"].includes(key))
        throw new UsageError(`${where}: unknown key "${key}"; allowed keys are "files", "roles" and "rules".`);
    }
    const files = record.files;
    if (files !== undefined && (!Array.isArray(files) || files.length === 0 || !files.every((glob) => typeof glob === "string"))) {
      throw new UsageError(`${where}.files must be a non-empty array of globs relative to the config file, e.g. ["scripts/**"].`);
    }
    const roles = record.roles;
    if (
      roles !== undefined &&
      (!Array.isArray(roles) || roles.length === 0 || !roles.every((role) => (FILE_ROLES as readonly unknown[]).includes(role)))
    ) {
      throw new UsageError(`${where}.roles must be a non-empty array of ${FILE_ROLES.map((role) => `"${role}"`).join(", ")}.`);
    }
    if (files === undefined && roles === undefined)
      throw new UsageError(`${where}: give "files", "roles" or both, to say which files it applies to.`);
    if (record.rules === undefined) throw new UsageError(`${where}: "rules" is missing.`);
    const entries = parseRuleEntries(record.rules, `${where}.rules`, byId, all);
    const isMatch = files === undefined ? undefined : picomatch(files as string[], { dot: true });
    return {
      entries,
      matches: (relativePath, role) =>
        (isMatch === undefined || (relativePath !== undefined && !relativePath.startsWith("..") && isMatch(relativePath))) &&
        (roles === undefined || (role !== undefined && (roles as FileRole[]).includes(role))),
    };
  });
}

/** `"roles": { "fixture": "lint" }`: whether files of a role are linted at all. */
function parseRoles(value: unknown, label: string): Record<FileRole, RoleSetting> {
  const roles: Record<FileRole, RoleSetting> = {
    source: "lint",
    test: "lint",
    example: "lint",
    script: "lint",
    fixture: "skip",
    generated: "skip",
  };
  if (value === undefined) return roles;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new UsageError(`${label}: "roles" must be an object such as { "fixture": "lint", "generated": "skip" }.`);
  }
  for (const [role, setting] of Object.entries(value as Record<string, unknown>)) {
    if (!(FILE_ROLES as readonly string[]).includes(role))
      throw new UsageError(`${label}: roles.${role}: unknown file role; use one of ${FILE_ROLES.join(", ")}.`);
    if (setting !== "lint" && setting !== "skip")
      throw new UsageError(`${label}: roles.${role} must be "lint" or "skip", not ${JSON.stringify(setting)}.`);
    roles[role as FileRole] = setting;
  }
  return roles;
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

const require = createRequire(import.meta.url);
let ajv: Ajv | undefined;

/** Ajv, loaded the first time a config gives a rule options (about 60 ms of start-up that most runs do not need). */
function optionsValidator(): Ajv {
  if (!ajv) {
    const { Ajv: AjvClass } = require("ajv") as typeof import("ajv");
    ajv = new AjvClass({ allErrors: false, strict: false, useDefaults: false });
  }
  return ajv;
}

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
  const validate = optionsValidator().compile(schema);
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
      if (!CONFIG_KEYS.includes(key)) {
        const suggestion = nearest(key, CONFIG_KEYS);
        throw new UsageError(
          `${label}: unknown key "${key}";${suggestion ? ` did you mean "${suggestion}"?` : ""} allowed keys are ${CONFIG_KEYS.map((k) => `"${k}"`).join(", ")}.`,
        );
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
  const base = new Map<string, RuleSetting>();
  for (const rule of options.rules) base.set(rule.id, { severity: presetSeverity(preset, rule), options: {} });

  if (raw.rules !== undefined) applyRuleEntries(base, parseRuleEntries(raw.rules, `${label}: rules`, byId, options.rules));

  const cliOverrides = new Map<string, SeveritySetting>();
  for (const override of options.overrides ?? []) {
    const match = /^([^=]+)=(.*)$/.exec(override);
    if (!match) throw new UsageError(`--rule ${override}: use --rule <id>=off|warn|error.`);
    const [, id, severity] = match;
    if (!byId.has(id!)) throw new UsageError(unknownRuleMessage(`--rule ${override}`, id!, options.rules));
    cliOverrides.set(id!, parseSeverity(severity, `--rule ${override}`));
  }

  let ignore: string[] = [];
  if (raw.ignore !== undefined) {
    if (!Array.isArray(raw.ignore) || !raw.ignore.every((entry) => typeof entry === "string")) {
      throw new UsageError(`${label}: "ignore" must be an array of glob strings, e.g. ["generated/**"].`);
    }
    ignore = raw.ignore as string[];
  }

  const baseDir = found ? path.dirname(found.filePath) : options.cwd;
  const overrides = parseOverrides(raw.overrides, label, byId, options.rules);
  const roles = parseRoles(raw.roles, label);

  /** The settings of every rule for one file: base, the preset's role defaults, matching overrides, then --rule. */
  const settingsFor = (filePath: string | undefined, role: FileRole | undefined): Map<string, RuleSetting> => {
    const settings = new Map(base);
    if (role) applyRuleEntries(settings, ROLE_DEFAULTS[role] ?? new Map());
    if (filePath !== undefined || role !== undefined) {
      const relative = filePath === undefined ? undefined : toPosix(path.relative(baseDir, filePath));
      for (const override of overrides) if (override.matches(relative, role)) applyRuleEntries(settings, override.entries);
    }
    for (const [id, severity] of cliOverrides) settings.set(id, { ...settings.get(id)!, severity });
    return settings;
  };
  // Every rule that is on for some file: the backends are handed this list, and each file its own settings.
  const everyVariant = [settingsFor(undefined, undefined), ...FILE_ROLES.map((role) => settingsFor(undefined, role))];
  for (const override of overrides) {
    const variant = new Map(base);
    applyRuleEntries(variant, override.entries);
    everyVariant.push(variant);
  }
  const rules = options.rules
    .filter((rule) => everyVariant.some((variant) => variant.get(rule.id)!.severity !== "off"))
    .map((rule) => {
      const setting = base.get(rule.id)!;
      return { rule, severity: setting.severity === "off" ? ("warn" as const) : setting.severity, options: setting.options };
    });
  return {
    filePath: found?.filePath,
    baseDir,
    preset,
    ignore,
    rules,
    roles,
    rulesFor(filePath, role) {
      const settings = settingsFor(filePath, role);
      return rules.map((entry) => {
        const setting = settings.get(entry.rule.id)!;
        return setting.severity === "off" ? undefined : { rule: entry.rule, severity: setting.severity, options: setting.options };
      });
    },
  };
}
