import { mkdir, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { assertInside, inspectTarget, planWrite } from "../../src/scaffold/plan.js";
import { writeProject } from "../../src/scaffold/write.js";
import type { RenderedFile } from "../../src/scaffold/render.js";
import { snapshotTree, tempDir } from "./helpers.js";

const file = (p: string, text = `content of ${p}\n`): RenderedFile => ({ path: p, content: Buffer.from(text), mode: 0o644 });
const files = [file("package.json"), file("src/index.ts"), file("src/lib/channel.ts"), file(".gitignore"), file("README.md")];

describe("inspectTarget", () => {
  it("tells missing, empty, only-.git and non-empty folders apart", async () => {
    const dir = await tempDir();
    expect(await inspectTarget(path.join(dir, "nope"))).toEqual({ kind: "missing" });
    await mkdir(path.join(dir, "empty"));
    expect((await inspectTarget(path.join(dir, "empty"))).kind).toBe("empty");
    await mkdir(path.join(dir, "repo", ".git"), { recursive: true });
    expect((await inspectTarget(path.join(dir, "repo"))).kind).toBe("empty");
    await writeFile(path.join(dir, "repo", ".env"), "");
    expect(await inspectTarget(path.join(dir, "repo"))).toEqual({ kind: "nonEmpty", entries: [".env", ".git"] });
  });
  it("refuses a target that is a file", async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, "f"), "");
    await expect(inspectTarget(path.join(dir, "f"))).rejects.toThrow(/exists and is not a directory/);
    await expect(inspectTarget(path.join(dir, "f", "app"))).rejects.toThrow(/a folder on its path is a file/);
  });
});

describe("planWrite", () => {
  it("refuses a non-empty folder without --force, naming what is there", async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, "notes.txt"), "mine");
    await expect(planWrite(dir, await inspectTarget(dir), files, false)).rejects.toThrow(/is not empty \(notes\.txt\)\. .*--force/);
  });

  it("with --force plans only files that do not exist, and never through links or over files", async () => {
    const dir = await tempDir();
    const outside = await tempDir();
    await writeFile(path.join(dir, "package.json"), "{}");
    await writeFile(path.join(dir, "README.md"), "mine");
    await symlink(outside, path.join(dir, "src"));
    const plan = await planWrite(dir, await inspectTarget(dir), files, true);
    expect(plan.write.map((f) => f.path)).toEqual([".gitignore"]);
    expect(plan.skipped).toEqual([
      { path: "package.json", reason: "already exists" },
      { path: "src/index.ts", reason: "src is a symbolic link" },
      { path: "src/lib/channel.ts", reason: "src is a symbolic link" },
      { path: "README.md", reason: "already exists" },
    ]);
  });

  it("skips files whose folder is a file in the target", async () => {
    const dir = await tempDir();
    await writeFile(path.join(dir, "src"), "a file, not a folder");
    const plan = await planWrite(dir, await inspectTarget(dir), files, true);
    expect(plan.skipped.map((s) => s.reason)).toEqual(["src is a file", "src is a file"]);
  });

  it("refuses any path that escapes the target", () => {
    for (const bad of ["../x", "a/../../x", "/etc/passwd", ".."]) {
      expect(() => assertInside("/tmp/project", bad)).toThrow(/outside the project folder/);
    }
    expect(() => assertInside("/tmp/project", "src/a..b.ts")).not.toThrow();
  });
});

describe("writeProject", () => {
  it("renames the rendered folder into a missing target and leaves no temporary folder", async () => {
    const parent = await tempDir();
    const target = path.join(parent, "deep", "app");
    const state = await inspectTarget(target);
    const result = await writeProject(target, state, await planWrite(target, state, files, false));
    expect(result.written).toHaveLength(5);
    expect(await readFile(path.join(target, "src/lib/channel.ts"), "utf8")).toBe("content of src/lib/channel.ts\n");
    expect(await readdir(path.join(parent, "deep"))).toEqual(["app"]);
  });

  it("adds only new files with --force and never changes existing ones", async () => {
    const target = await tempDir();
    await writeFile(path.join(target, "README.md"), "mine");
    await mkdir(path.join(target, ".git"));
    const before = await snapshotTree(target);
    const state = await inspectTarget(target);
    const plan = await planWrite(target, state, files, true);
    const result = await writeProject(target, state, plan);
    expect(result.written.sort()).toEqual([".gitignore", "package.json", "src/index.ts", "src/lib/channel.ts"]);
    const after = await snapshotTree(target);
    for (const [entry, hash] of Object.entries(before)) expect(after[entry]).toBe(hash);
    expect(await readdir(path.dirname(target))).not.toContain(
      expect.stringMatching(new RegExp(`^\\.${path.basename(target)}\\.asyncpat-`)),
    );
  });

  it("writes nothing and removes its temporary folder when aborted (Ctrl-C)", async () => {
    const parent = await tempDir();
    const target = path.join(parent, "app");
    const state = await inspectTarget(target);
    const controller = new AbortController();
    controller.abort();
    await expect(writeProject(target, state, await planWrite(target, state, files, false), controller.signal)).rejects.toThrow(
      /Interrupted/,
    );
    expect(await readdir(parent)).toEqual([]);
  });

  it("undoes the files it moved when a later move fails", async () => {
    const target = await tempDir();
    await writeFile(path.join(target, "keep.txt"), "mine");
    const state = await inspectTarget(target);
    const plan = await planWrite(target, state, files, true);
    // A file appearing where the plan expects a folder makes the move fail half-way.
    await mkdir(path.join(target, "src"));
    await writeFile(path.join(target, "src", "lib"), "appeared meanwhile");
    await expect(writeProject(target, state, plan)).rejects.toThrow(/EEXIST|ENOTDIR/);
    expect(Object.keys(await snapshotTree(target)).sort()).toEqual(["keep.txt", "src/", "src/lib"]);
    expect(await readdir(path.dirname(target))).not.toContain(
      expect.stringMatching(new RegExp(`^\\.${path.basename(target)}\\.asyncpat-`)),
    );
  });
});
