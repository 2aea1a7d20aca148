/**
 * Merges into files a user owns, only where the format allows a clean merge: a key added to a JSON
 * object, an entry appended to a YAML list or map. Every merge is a text insertion that keeps the rest
 * of the file byte for byte (indentation, comments, key order), and is checked by parsing the result:
 * when it does not mean exactly "the old file plus our entry", the file is left alone and the reason
 * reported.
 */
import { isDeepStrictEqual } from "node:util";
import { isMap, isSeq, parseDocument, type Node as YamlNode } from "yaml";

export type MergeOutcome = { kind: "changed"; text: string } | { kind: "unchanged" } | { kind: "conflict"; reason: string };

type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

function newlineOf(text: string): string {
  return text.includes("\r\n") ? "\r\n" : "\n";
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// ---- JSON -------------------------------------------------------------------------------------------

interface JsonMember {
  key: string;
  valueStart: number;
  valueEnd: number;
}

/** A small scanner for the spans of a JSON object's members (the text already parsed with JSON.parse). */
class JsonSpans {
  private pos = 0;
  constructor(private readonly text: string) {}

  private skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos]!)) this.pos++;
  }

  private skipString(): void {
    this.pos++;
    while (this.text[this.pos] !== '"') this.pos += this.text[this.pos] === "\\" ? 2 : 1;
    this.pos++;
  }

  /** Skips one value; for an object, returns its members. */
  value(): JsonMember[] | undefined {
    this.skipSpace();
    const char = this.text[this.pos];
    if (char === '"') return void this.skipString();
    if (char === "[" || char === "{") {
      const members: JsonMember[] = [];
      this.pos++;
      for (;;) {
        this.skipSpace();
        if (this.text[this.pos] === "]" || this.text[this.pos] === "}") break;
        if (char === "{") {
          const keyStart = this.pos;
          this.skipString();
          const key = JSON.parse(this.text.slice(keyStart, this.pos)) as string;
          this.skipSpace();
          this.pos++; // the colon
          this.skipSpace();
          const valueStart = this.pos;
          this.value();
          members.push({ key, valueStart, valueEnd: this.pos });
        } else {
          this.value();
        }
        this.skipSpace();
        if (this.text[this.pos] === ",") this.pos++;
      }
      this.pos++;
      return char === "{" ? members : undefined;
    }
    while (this.pos < this.text.length && /[^\s,\]}]/.test(this.text[this.pos]!)) this.pos++;
    return undefined;
  }

  /** The top-level object's span and members. */
  root(): { start: number; end: number; members: JsonMember[] } {
    this.skipSpace();
    const start = this.pos;
    const members = this.value() ?? [];
    return { start, end: this.pos, members };
  }
}

/** The indentation unit the file uses (its first indented line), two spaces when it has none. */
function jsonIndentUnit(text: string): string {
  return /\n([ \t]+)"/.exec(text)?.[1] ?? "  ";
}

/**
 * Inserts `"key": value` at the end of the object spanning [open, close), at nesting `depth`, in the
 * style the object already has (one line or one member per line).
 */
function insertMember(text: string, open: number, close: number, depth: number, key: string, value: JsonValue): string {
  const newline = newlineOf(text);
  const unit = jsonIndentUnit(text);
  const body = text.slice(open + 1, close - 1);
  const multiline = body.includes("\n") || (body.trim() === "" && text.includes("\n"));
  const serialized = JSON.stringify(value, null, multiline ? unit : undefined).replace(/\n/g, newline + unit.repeat(depth));
  const member = `${JSON.stringify(key)}: ${serialized}`;
  if (body.trim() === "") {
    const inner = multiline ? `${newline}${unit.repeat(depth)}${member}${newline}${unit.repeat(depth - 1)}` : member;
    return text.slice(0, open + 1) + inner + text.slice(close - 1);
  }
  let last = close - 2;
  while (/\s/.test(text[last]!)) last--;
  const separator = multiline ? `,${newline}${unit.repeat(depth)}` : ", ";
  return text.slice(0, last + 1) + separator + member + text.slice(last + 1);
}

/**
 * Adds `key` (under the top-level object `parent`, created when missing) to a JSON file such as
 * package.json, keeping its formatting. An existing different value is never replaced.
 */
export function addJsonProperty(text: string, parent: string | undefined, key: string, value: JsonValue): MergeOutcome {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return { kind: "conflict", reason: `it is not valid JSON (${error instanceof Error ? error.message : String(error)})` };
  }
  if (!isPlainObject(data)) return { kind: "conflict", reason: "it does not hold a JSON object" };
  const container = parent === undefined ? data : data[parent];
  const label = parent === undefined ? `"${key}"` : `"${parent}"."${key}"`;
  if (container !== undefined && !isPlainObject(container)) return { kind: "conflict", reason: `"${parent}" is not an object` };
  if (container && Object.prototype.hasOwnProperty.call(container, key)) {
    return isDeepStrictEqual(container[key], value)
      ? { kind: "unchanged" }
      : { kind: "conflict", reason: `it already sets ${label} to ${JSON.stringify(container[key])}` };
  }
  const root = new JsonSpans(text).root();
  let next: string;
  if (parent !== undefined && container !== undefined) {
    const member = root.members.find((candidate) => candidate.key === parent)!;
    next = insertMember(text, member.valueStart, member.valueEnd, 2, key, value);
  } else if (parent !== undefined) {
    next = insertMember(text, root.start, root.end, 1, parent, { [key]: value });
  } else {
    next = insertMember(text, root.start, root.end, 1, key, value);
  }
  const expected = structuredClone(data);
  if (parent === undefined) expected[key] = value;
  else expected[parent] = { ...((expected[parent] as Record<string, unknown> | undefined) ?? {}), [key]: value };
  try {
    if (isDeepStrictEqual(JSON.parse(next), expected)) return { kind: "changed", text: next };
  } catch {
    // fall through to the conflict below
  }
  return { kind: "conflict", reason: `${label} could not be added without reformatting the file` };
}

// ---- YAML -------------------------------------------------------------------------------------------

function parseYaml(text: string): { ok: true; doc: ReturnType<typeof parseDocument> } | { ok: false; reason: string } {
  const doc = parseDocument(text, { keepSourceTokens: false });
  if (doc.errors.length > 0) return { ok: false, reason: `it does not parse as YAML (${doc.errors[0]!.message.split("\n")[0]})` };
  return { ok: true, doc };
}

/** Offset just after the line on which `node` ends (its last non-blank character). */
function afterLastLine(text: string, node: YamlNode): number {
  let last = node.range![1] - 1;
  while (last > node.range![0] && /\s/.test(text[last]!)) last--;
  const newline = text.indexOf("\n", last);
  return newline === -1 ? text.length : newline + 1;
}

function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf("\n", offset - 1) + 1);
}

/** Inserts whole lines at `offset` (a line start, or the end of a file without a final newline). */
function insertLines(text: string, offset: number, lines: string[]): string {
  const newline = newlineOf(text);
  const before = text.slice(0, offset);
  const lead = before.length > 0 && !before.endsWith("\n") ? newline : "";
  return before + lead + lines.join(newline) + newline + text.slice(offset);
}

function verified(next: string, expected: unknown, what: string): MergeOutcome {
  const parsed = parseYaml(next);
  if (parsed.ok && isDeepStrictEqual(parsed.doc.toJS(), expected)) return { kind: "changed", text: next };
  return { kind: "conflict", reason: `${what} could not be added as a clean YAML merge` };
}

/** A YAML block for `value` (plain data: maps, lists, strings), each line prefixed by `indent`. */
function yamlLines(value: unknown, indent: string): string[] {
  const lines: string[] = [];
  const scalar = (item: unknown) =>
    typeof item === "string" && /^[\w./{} -]+$/.test(item) && !/^[-{]/.test(item) ? item : JSON.stringify(item);
  if (Array.isArray(value)) {
    for (const item of value) {
      if (isPlainObject(item)) {
        const [first, ...rest] = yamlLines(item, `${indent}  `);
        lines.push(`${indent}- ${first!.trimStart()}`, ...rest);
      } else lines.push(`${indent}- ${scalar(item)}`);
    }
  } else if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (isPlainObject(item) || Array.isArray(item)) lines.push(`${indent}${key}:`, ...yamlLines(item, `${indent}  `));
      else lines.push(`${indent}${key}: ${scalar(item)}`);
    }
  }
  return lines;
}

/**
 * Appends `entry` to the `repos` list of a `.pre-commit-config.yaml`, in the list's own indentation,
 * unless a hook with `hookId` is already there.
 */
export function addPreCommitRepo(text: string, entry: Record<string, unknown>, hookId: string): MergeOutcome {
  const parsed = parseYaml(text);
  if (!parsed.ok) return { kind: "conflict", reason: parsed.reason };
  const data = (parsed.doc.toJS() ?? {}) as unknown;
  if (!isPlainObject(data)) return { kind: "conflict", reason: "its top level is not a mapping" };
  const repos = parsed.doc.get("repos", true);
  const existing = Array.isArray(data.repos) ? (data.repos as unknown[]) : [];
  const hasHook = existing.some(
    (repo) => isPlainObject(repo) && Array.isArray(repo.hooks) && repo.hooks.some((hook) => isPlainObject(hook) && hook.id === hookId),
  );
  if (hasHook) return { kind: "unchanged" };
  const expected = { ...data, repos: [...existing, entry] };
  if (repos === undefined) {
    if (parsed.doc.contents && !(isMap(parsed.doc.contents) && !parsed.doc.contents.flow)) {
      return { kind: "conflict", reason: "its top level is not a block mapping" };
    }
    return verified(insertLines(text, text.length, ["repos:", ...yamlLines([entry], "  ")]), expected, "a `repos` entry");
  }
  if (!isSeq(repos) || repos.flow || repos.items.length === 0) {
    return { kind: "conflict", reason: "`repos` is not a block list with entries (`- repo: …` lines)" };
  }
  const first = repos.items[0] as YamlNode;
  const itemStart = first.range![0];
  const dash = text.lastIndexOf("-", itemStart - 1);
  const indent = " ".repeat(columnOf(text, dash));
  const gap = " ".repeat(Math.max(1, itemStart - dash - 1));
  const [head, ...rest] = yamlLines(entry, "");
  const lines = [`${indent}-${gap}${head}`, ...rest.map((line) => `${indent} ${gap}${line}`)];
  const at = afterLastLine(text, repos.items[repos.items.length - 1] as YamlNode);
  return verified(insertLines(text, at, lines), expected, "a `repos` entry");
}

/** Adds `pre-commit.commands.<name>` to a lefthook config, in the file's own indentation. */
export function addLefthookCommand(text: string, name: string, command: Record<string, unknown>): MergeOutcome {
  const parsed = parseYaml(text);
  if (!parsed.ok) return { kind: "conflict", reason: parsed.reason };
  const data = (parsed.doc.toJS() ?? {}) as unknown;
  if (!isPlainObject(data)) return { kind: "conflict", reason: "its top level is not a mapping" };
  const preCommit = data["pre-commit"];
  if (preCommit !== undefined && preCommit !== null && !isPlainObject(preCommit)) {
    return { kind: "conflict", reason: "`pre-commit` is not a mapping" };
  }
  const commands = isPlainObject(preCommit) ? preCommit.commands : undefined;
  if (commands !== undefined && commands !== null && !isPlainObject(commands)) {
    return { kind: "conflict", reason: "`pre-commit.commands` is not a mapping" };
  }
  if (isPlainObject(commands) && name in commands) return { kind: "unchanged" };
  const expected = {
    ...data,
    "pre-commit": { ...(preCommit ?? {}), commands: { ...((commands as Record<string, unknown> | undefined) ?? {}), [name]: command } },
  };
  const what = `\`pre-commit.commands.${name}\``;
  const block = (node: unknown) => isMap(node) && !node.flow && node.items.length > 0;
  if (preCommit === undefined) {
    if (parsed.doc.contents && !block(parsed.doc.contents)) return { kind: "conflict", reason: "its top level is not a block mapping" };
    return verified(insertLines(text, text.length, yamlLines({ "pre-commit": { commands: { [name]: command } } }, "")), expected, what);
  }
  const preCommitNode = parsed.doc.get("pre-commit", true);
  if (!block(preCommitNode)) return { kind: "conflict", reason: "`pre-commit` is not a block mapping with entries" };
  const target = commands === undefined ? preCommitNode : parsed.doc.getIn(["pre-commit", "commands"], true);
  if (!block(target) || !isMap(target)) return { kind: "conflict", reason: "`pre-commit.commands` is not a block mapping with entries" };
  const firstKey = target.items[0]!.key as YamlNode;
  const indent = " ".repeat(columnOf(text, firstKey.range![0]));
  const lastPair = target.items[target.items.length - 1]!;
  const end = (lastPair.value ?? lastPair.key) as YamlNode;
  const lines = yamlLines(commands === undefined ? { commands: { [name]: command } } : { [name]: command }, indent);
  return verified(insertLines(text, afterLastLine(text, end), lines), expected, what);
}

/** Appends a top-level job to `.gitlab-ci.yml` (its text is `jobText`, a YAML block with one key). */
export function addGitlabJob(text: string, name: string, jobText: string): MergeOutcome {
  const parsed = parseYaml(text);
  if (!parsed.ok) return { kind: "conflict", reason: parsed.reason };
  const data = (parsed.doc.toJS() ?? {}) as unknown;
  if (!isPlainObject(data)) return { kind: "conflict", reason: "its top level is not a mapping" };
  if (name in data) return { kind: "unchanged" };
  if (parsed.doc.contents && !(isMap(parsed.doc.contents) && !parsed.doc.contents.flow)) {
    return { kind: "conflict", reason: "its top level is not a block mapping" };
  }
  const job = (parseDocument(jobText).toJS() as Record<string, Record<string, unknown>>)[name]!;
  const stages = data.stages;
  if (Array.isArray(stages) && !stages.includes(job.stage)) {
    return { kind: "conflict", reason: `its \`stages\` list has no \`${String(job.stage)}\` stage for the job to run in` };
  }
  const lines = jobText.replace(/\r?\n$/, "").split(/\r?\n/);
  return verified(insertLines(text, text.length, lines), { ...data, [name]: job }, `the job \`${name}\``);
}

/** Appends a command line to a shell hook (`.husky/pre-commit`) unless it already runs `marker`. */
export function addHookLine(text: string, line: string, marker: string): MergeOutcome {
  if (text.includes(marker)) return { kind: "unchanged" };
  return { kind: "changed", text: insertLines(text, text.length, [line]) };
}
