import { UsageError } from "../errors.js";

/** A template option with a fixed list of string values, e.g. `--broker memory|redis`. */
export interface ChoiceOption {
  kind: "choice";
  key: string;
  flag: string;
  description: string;
  choices: string[];
  default: string;
}

/** A template option holding an integer, e.g. `--worker-threads 8`. */
export interface IntegerOption {
  kind: "integer";
  key: string;
  flag: string;
  description: string;
  default: number;
  min?: number;
  max?: number;
}

export type TemplateOption = ChoiceOption | IntegerOption;
export type OptionValue = string | number;
export type OptionValues = Record<string, OptionValue>;

export interface Variant {
  when: Record<string, string>;
  exclude: string[];
  removeDependencies: string[];
}

export interface Replacement {
  files: string[];
  search: string;
  replace: string;
}

export interface Manifest {
  description: string;
  options: TemplateOption[];
  variants: Variant[];
  replace: Replacement[];
  /** Label → command, in the manifest's order; `undefined` when the manifest has none. */
  nextSteps?: Record<string, string>;
  /** Primitives of `templates/<lang>/_shared` this template carries a copy of (`semaphore` → `src/lib/semaphore.ts`). */
  shared: string[];
}

/**
 * Keys the command line already uses: a template option with one of these names would shadow a
 * built-in flag of `asyncpat new`.
 */
export const RESERVED_OPTION_KEYS: ReadonlySet<string> = new Set([
  "name",
  "template",
  "lang",
  "packageManager",
  "install",
  "git",
  "force",
  "dryRun",
  "yes",
  "help",
  "version",
]);

const OPTION_KEY = /^[a-z][a-zA-Z0-9]*$/;
const CHOICE_VALUE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g;
const TOP_LEVEL_KEYS = new Set(["$schema", "description", "options", "variants", "replace", "nextSteps", "shared"]);
const SHARED_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** `workerThreads` → `worker-threads`: the flag commander maps back to the same camelCase key. */
export function optionFlag(key: string): string {
  return key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

export class ManifestError extends UsageError {}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string" && item.length > 0);
}

/**
 * Checks a parsed `template.json` against docs/template-format.md and returns it in a normalised
 * shape. Every problem is a sentence naming the file and the key, so a template author can fix it.
 */
export function parseManifest(raw: unknown, file: string): Manifest {
  const fail = (where: string, problem: string): never => {
    throw new ManifestError(`${file}: ${where} ${problem}`);
  };
  if (!isRecord(raw)) fail("the manifest", "must be a JSON object.");
  const data = raw as Record<string, unknown>;
  for (const key of Object.keys(data)) {
    if (!TOP_LEVEL_KEYS.has(key)) {
      fail(`"${key}"`, `is not a manifest key (expected one of: ${[...TOP_LEVEL_KEYS].join(", ")}).`);
    }
  }
  if (typeof data.description !== "string" || data.description.trim() === "") {
    fail('"description"', "must be a non-empty string.");
  }

  const options = parseOptions(data.options ?? {}, fail);
  const byKey = new Map(options.map((option) => [option.key, option]));
  const variants = parseVariants(data.variants ?? [], byKey, fail);
  const replace = parseReplacements(data.replace ?? [], byKey, fail);

  let nextSteps: Record<string, string> | undefined;
  if (data.nextSteps !== undefined) {
    if (!isRecord(data.nextSteps)) fail('"nextSteps"', "must be an object of label → command.");
    nextSteps = {};
    for (const [label, command] of Object.entries(data.nextSteps as Record<string, unknown>)) {
      if (typeof command !== "string" || command.trim() === "") {
        fail(`"nextSteps.${label}"`, "must be a non-empty command string.");
      }
      nextSteps[label] = command as string;
    }
  }

  const shared = data.shared ?? [];
  if (!isStringArray(shared) || !shared.every((name) => SHARED_NAME.test(name)) || new Set(shared).size !== shared.length) {
    fail('"shared"', 'must be a list of distinct primitive names from templates/<lang>/_shared (kebab-case, e.g. ["semaphore"]).');
  }

  return { description: (data.description as string).trim(), options, variants, replace, nextSteps, shared: shared as string[] };
}

type Fail = (where: string, problem: string) => never;

function parseOptions(raw: unknown, fail: Fail): TemplateOption[] {
  if (!isRecord(raw)) fail('"options"', "must be an object keyed by option name.");
  const options: TemplateOption[] = [];
  for (const [key, spec] of Object.entries(raw as Record<string, unknown>)) {
    const where = `"options.${key}"`;
    if (!OPTION_KEY.test(key)) fail(where, "must be a camelCase name (letters and digits, starting lowercase).");
    if (RESERVED_OPTION_KEYS.has(key)) fail(where, `clashes with the built-in flag --${optionFlag(key)}; rename the option.`);
    if (!isRecord(spec)) fail(where, "must be an object.");
    const s = spec as Record<string, unknown>;
    if (typeof s.description !== "string" || s.description.trim() === "") {
      fail(`${where}.description`, "must be a non-empty string.");
    }
    const description = (s.description as string).trim();
    if (s.default === undefined) fail(`${where}.default`, "is required.");
    if (s.choices !== undefined) {
      if (s.type !== undefined && s.type !== "string") fail(where, 'has "choices", so "type" must be absent or "string".');
      if (!isStringArray(s.choices) || s.choices.length === 0) fail(`${where}.choices`, "must be a non-empty array of strings.");
      const choices = s.choices as string[];
      for (const choice of choices) {
        if (!CHOICE_VALUE.test(choice)) fail(`${where}.choices`, `has "${choice}"; use letters, digits, ".", "_" or "-".`);
      }
      if (new Set(choices).size !== choices.length) fail(`${where}.choices`, "has duplicates.");
      if (typeof s.default !== "string" || !choices.includes(s.default)) {
        fail(`${where}.default`, `must be one of its choices (${choices.join(", ")}).`);
      }
      options.push({ kind: "choice", key, flag: optionFlag(key), description, choices, default: s.default as string });
    } else if (s.type === "integer") {
      for (const bound of ["min", "max"] as const) {
        if (s[bound] !== undefined && !Number.isSafeInteger(s[bound])) fail(`${where}.${bound}`, "must be an integer.");
      }
      const min = s.min as number | undefined;
      const max = s.max as number | undefined;
      if (min !== undefined && max !== undefined && min > max) fail(where, `has min ${min} greater than max ${max}.`);
      if (!Number.isSafeInteger(s.default)) fail(`${where}.default`, "must be an integer.");
      const value = s.default as number;
      if ((min !== undefined && value < min) || (max !== undefined && value > max)) {
        fail(`${where}.default`, `must lie between min and max.`);
      }
      options.push({ kind: "integer", key, flag: optionFlag(key), description, default: value, min, max });
    } else {
      fail(where, 'needs either "choices" (an array of strings) or "type": "integer".');
    }
  }
  return options;
}

/** The error for a value that the option does not accept, or `undefined` when it is fine. */
export function checkOptionValue(option: TemplateOption, value: string): string | undefined {
  if (option.kind === "choice") {
    return option.choices.includes(value) ? undefined : `must be one of: ${option.choices.join(", ")}`;
  }
  if (!/^-?\d+$/.test(value.trim())) return "must be an integer";
  const n = Number(value);
  if (option.min !== undefined && n < option.min) return `must be at least ${option.min}`;
  if (option.max !== undefined && n > option.max) return `must be at most ${option.max}`;
  return undefined;
}

function parseVariants(raw: unknown, options: Map<string, TemplateOption>, fail: Fail): Variant[] {
  if (!Array.isArray(raw)) fail('"variants"', "must be an array.");
  return (raw as unknown[]).map((entry, index) => {
    const where = `"variants[${index}]"`;
    if (!isRecord(entry)) fail(where, "must be an object.");
    const e = entry as Record<string, unknown>;
    for (const key of Object.keys(e)) {
      if (!["when", "exclude", "removeDependencies"].includes(key))
        fail(`${where}.${key}`, "is not a variant key (when, exclude, removeDependencies).");
    }
    if (!isRecord(e.when) || Object.keys(e.when).length === 0) fail(`${where}.when`, "must be an object of option → value.");
    const when: Record<string, string> = {};
    for (const [key, value] of Object.entries(e.when as Record<string, unknown>)) {
      const option = options.get(key);
      if (!option) fail(`${where}.when.${key}`, "names no option of this template.");
      if (typeof value !== "string" && typeof value !== "number") fail(`${where}.when.${key}`, "must be a string or a number.");
      const problem = checkOptionValue(option as TemplateOption, String(value));
      if (problem) fail(`${where}.when.${key}`, `${problem}.`);
      when[key] = String(value);
    }
    if (e.exclude !== undefined && !isStringArray(e.exclude)) fail(`${where}.exclude`, "must be an array of glob strings.");
    if (e.removeDependencies !== undefined && !isStringArray(e.removeDependencies)) {
      fail(`${where}.removeDependencies`, "must be an array of package names.");
    }
    return {
      when,
      exclude: (e.exclude as string[] | undefined) ?? [],
      removeDependencies: (e.removeDependencies as string[] | undefined) ?? [],
    };
  });
}

function parseReplacements(raw: unknown, options: Map<string, TemplateOption>, fail: Fail): Replacement[] {
  if (!Array.isArray(raw)) fail('"replace"', "must be an array.");
  return (raw as unknown[]).map((entry, index) => {
    const where = `"replace[${index}]"`;
    if (!isRecord(entry)) fail(where, "must be an object.");
    const e = entry as Record<string, unknown>;
    for (const key of Object.keys(e)) {
      if (!["files", "search", "replace"].includes(key)) fail(`${where}.${key}`, "is not a replace key (files, search, replace).");
    }
    if (!isStringArray(e.files) || e.files.length === 0) fail(`${where}.files`, "must be a non-empty array of file paths.");
    if (typeof e.search !== "string" || e.search === "") fail(`${where}.search`, "must be a non-empty string.");
    if (typeof e.replace !== "string") fail(`${where}.replace`, "must be a string.");
    for (const match of (e.replace as string).matchAll(PLACEHOLDER)) {
      const key = match[1] as string;
      if (key !== "name" && !options.has(key)) fail(`${where}.replace`, `uses {{${key}}}, which is neither {{name}} nor an option.`);
    }
    return { files: e.files as string[], search: e.search as string, replace: e.replace as string };
  });
}

/** Fills `{{name}}` and `{{<option>}}` placeholders. */
export function fillPlaceholders(text: string, name: string, values: OptionValues): string {
  return text.replace(PLACEHOLDER, (_whole, key: string) => (key === "name" ? name : String(values[key])));
}
