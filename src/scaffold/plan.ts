import { lstat, readdir, realpath } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "../errors.js";
import type { RenderedFile } from "./render.js";

export type TargetState =
  | { kind: "missing" }
  /** Exists and holds nothing, or only a `.git` folder (the user ran `git init` first). */
  | { kind: "empty"; entries: string[] }
  | { kind: "nonEmpty"; entries: string[] };

export async function inspectTarget(target: string): Promise<TargetState> {
  let stats;
  try {
    stats = await lstat(target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { kind: "missing" };
    if (code === "ENOTDIR") throw new UsageError(`cannot create ${target}: a folder on its path is a file.`);
    throw error;
  }
  if (stats.isSymbolicLink()) {
    stats = await lstat(await realpath(target));
  }
  if (!stats.isDirectory()) throw new UsageError(`${target} exists and is not a directory; pick another project directory.`);
  const entries = (await readdir(target)).sort();
  const onlyGit = entries.every((entry) => entry === ".git");
  return onlyGit ? { kind: "empty", entries } : { kind: "nonEmpty", entries };
}

export interface SkippedFile {
  path: string;
  reason: string;
}

export interface WritePlan {
  write: RenderedFile[];
  skipped: SkippedFile[];
}

/**
 * Decides which files to write. Into a missing or empty target: all of them. Into a non-empty one
 * (only with --force): only paths where nothing exists yet, never through a symbolic link or over a
 * file standing where a folder should be. Nothing is ever deleted or overwritten.
 */
export async function planWrite(target: string, state: TargetState, files: RenderedFile[], force: boolean): Promise<WritePlan> {
  for (const file of files) assertInside(target, file.path);
  if (state.kind === "missing" || (state.kind === "empty" && !force)) return { write: files, skipped: [] };
  if (state.kind === "nonEmpty" && !force) {
    const shown = state.entries.slice(0, 5).join(", ") + (state.entries.length > 5 ? ", …" : "");
    throw new UsageError(
      `${target} is not empty (${shown}). Pick a new directory, or pass --force to add only the files that do not exist yet (nothing is overwritten or deleted).`,
    );
  }
  const write: RenderedFile[] = [];
  const skipped: SkippedFile[] = [];
  const known = new Map<string, "dir" | "file" | "link" | "missing">();
  const kindOf = async (relative: string): Promise<"dir" | "file" | "link" | "missing"> => {
    const cached = known.get(relative);
    if (cached) return cached;
    let kind: "dir" | "file" | "link" | "missing";
    try {
      const stats = await lstat(path.join(target, relative));
      kind = stats.isSymbolicLink() ? "link" : stats.isDirectory() ? "dir" : "file";
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      kind = "missing";
    }
    known.set(relative, kind);
    return kind;
  };
  for (const file of files) {
    const parts = file.path.split("/");
    let reason: string | undefined;
    for (let i = 1; i < parts.length && !reason; i += 1) {
      const ancestor = parts.slice(0, i).join("/");
      const kind = await kindOf(ancestor);
      if (kind === "missing") break;
      if (kind === "link") reason = `${ancestor} is a symbolic link`;
      else if (kind === "file") reason = `${ancestor} is a file`;
    }
    if (!reason && (await kindOf(file.path)) !== "missing") reason = "already exists";
    if (reason) skipped.push({ path: file.path, reason });
    else write.push(file);
  }
  return { write, skipped };
}

/** Refuses any output path that would land outside the project folder. */
export function assertInside(target: string, relative: string): void {
  const root = path.resolve(target);
  const resolved = path.resolve(root, relative);
  if (path.isAbsolute(relative) || relative.split(/[\\/]/).includes("..") || !resolved.startsWith(root + path.sep)) {
    throw new UsageError(`refusing to write "${relative}": it is outside the project folder ${root}.`);
  }
}
