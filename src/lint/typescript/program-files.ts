/**
 * The files a TypeScript run can see, by path. A file the run reports on is parsed up front; a file
 * that is only context (the rest of a package read by a `--concurrency` thread that lints part of
 * it) is parsed the first time a rule reads its syntax tree, so a thread pays for the context a
 * rule actually asks for, and a rule that only looks for a word in the package parses nothing.
 */
import { byPackage } from "../file-roles.js";
import type { ts } from "ts-morph";
import type { ProgramFile } from "./rule.js";

interface Entry {
  path: string;
  text: string;
  /** undefined: not parsed yet; null: does not parse (left out, as a file with syntax errors is). */
  file?: ProgramFile | null;
  parse?: () => ts.SourceFile | undefined;
}

export class FileTable {
  private readonly entries = new Map<string, Entry>();

  /** A file parsed up front. */
  add(path: string, text: string, sourceFile: ts.SourceFile): void {
    this.entries.set(path, { path, text, file: { path, text, sourceFile } });
  }

  /** A file parsed on first use; `parse` returns undefined when the file has syntax errors. */
  addLazy(path: string, text: string, parse: () => ts.SourceFile | undefined): void {
    this.entries.set(path, { path, text, parse });
  }

  get(path: string): ProgramFile | undefined {
    const entry = this.entries.get(path);
    return entry ? this.materialize(entry) : undefined;
  }

  /** The paths of the table by package, in the order they were added. */
  packages(): Map<string, PackageFiles> {
    const groups = byPackage([...this.entries.values()], (entry) => entry.path);
    return new Map([...groups].map(([key, entries]) => [key, new PackageFiles(entries, (entry) => this.materialize(entry))]));
  }

  private materialize(entry: Entry): ProgramFile | undefined {
    if (entry.file === undefined) {
      const sourceFile = entry.parse!();
      entry.file = sourceFile ? { path: entry.path, text: entry.text, sourceFile } : null;
      entry.parse = undefined;
    }
    return entry.file ?? undefined;
  }
}

/** One package's files: all of them (parsing every context file), or those whose text has a word. */
export class PackageFiles {
  private all?: readonly ProgramFile[];

  constructor(
    private readonly entries: readonly Entry[],
    private readonly materialize: (entry: Entry) => ProgramFile | undefined,
  ) {}

  get paths(): string[] {
    return this.entries.map((entry) => entry.path);
  }

  get files(): readonly ProgramFile[] {
    this.all ??= this.pick(() => true);
    return this.all;
  }

  containing(pattern: string | RegExp): readonly ProgramFile[] {
    const test = typeof pattern === "string" ? (text: string) => text.includes(pattern) : (text: string) => pattern.test(text);
    return this.pick(test);
  }

  private pick(test: (text: string) => boolean): ProgramFile[] {
    const files: ProgramFile[] = [];
    for (const entry of this.entries) {
      if (!test(entry.text)) continue;
      const file = this.materialize(entry);
      if (file) files.push(file);
    }
    return files;
  }
}
