import { chmod, link, mkdir, mkdtemp, readdir, rename, rm, rmdir, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { InterruptedError } from "../errors.js";
import type { TargetState, WritePlan } from "./plan.js";

export interface WriteResult {
  written: string[];
  /** Files that appeared in the target between planning and moving; left untouched. */
  raced: string[];
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new InterruptedError("Interrupted; nothing was written.");
}

/**
 * Writes the planned files. Everything is first rendered into a temporary folder beside the target
 * (same filesystem), then moved into place: one rename of the whole folder when the target does not
 * exist, otherwise one hard link per file (which, unlike rename, refuses to replace a file that
 * appeared meanwhile). A failure or an abort removes the temporary folder and undoes the moves, so
 * the target is either complete or untouched.
 */
export async function writeProject(target: string, state: TargetState, plan: WritePlan, signal?: AbortSignal): Promise<WriteResult> {
  const parent = path.dirname(target);
  throwIfAborted(signal);
  const createdParent = await mkdir(parent, { recursive: true });
  let staging: string | undefined;
  const linked: string[] = [];
  const createdDirs: string[] = [];
  try {
    staging = await mkdtemp(path.join(parent, `.${path.basename(target)}.asyncpat-`));
    for (const file of plan.write) {
      throwIfAborted(signal);
      const destination = path.join(staging, file.path);
      await mkdir(path.dirname(destination), { recursive: true });
      await writeFile(destination, file.content, { mode: file.mode });
      await chmod(destination, file.mode);
    }
    throwIfAborted(signal);

    if (state.kind === "missing") {
      await rename(staging, target);
      staging = undefined;
      return { written: plan.write.map((file) => file.path), raced: [] };
    }

    const written: string[] = [];
    const raced: string[] = [];
    for (const file of plan.write) {
      throwIfAborted(signal);
      const destination = path.join(target, file.path);
      const first = await mkdir(path.dirname(destination), { recursive: true });
      if (first) createdDirs.push(first);
      try {
        await link(path.join(staging, file.path), destination);
        linked.push(destination);
        written.push(file.path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        raced.push(file.path);
      }
    }
    return { written, raced };
  } catch (error) {
    await undo(linked, createdDirs);
    if (createdParent) await removeEmptyUpTo(parent, createdParent);
    throw error;
  } finally {
    if (staging) await rm(staging, { recursive: true, force: true });
  }
}

async function undo(linked: string[], createdDirs: string[]): Promise<void> {
  for (const file of linked.reverse()) await unlink(file).catch(() => undefined);
  for (const dir of createdDirs.reverse()) await removeEmptyTree(dir);
}

/** Removes the folders we created, deepest first and only while empty: never a file. */
async function removeEmptyTree(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) if (entry.isDirectory()) await removeEmptyTree(path.join(dir, entry.name));
  await rmdir(dir).catch(() => undefined);
}

/** Removes `dir` and its parents while they are empty, stopping after `top`. */
async function removeEmptyUpTo(dir: string, top: string): Promise<void> {
  let current = dir;
  for (;;) {
    try {
      await rmdir(current);
    } catch {
      return;
    }
    if (path.resolve(current) === path.resolve(top)) return;
    current = path.dirname(current);
  }
}
