import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { InterruptedError, StepFailedError, UsageError } from "../../src/errors.js";
import {
  asyncpatDependency,
  createProject,
  isInteractive,
  type NewProjectContext,
  type NewProjectRequest,
} from "../../src/scaffold/create.js";
import { discoverTemplates } from "../../src/scaffold/discover.js";
import type { Prompter } from "../../src/scaffold/prompts.js";
import type { Git, InstallRequest, Installer } from "../../src/scaffold/steps.js";
import { fixturesRoot, listFiles, snapshotTree, tempDir } from "./helpers.js";

class Capture extends Writable {
  text = "";
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

interface Fakes {
  installs: InstallRequest[];
  commits: string[];
  questions: string[];
}

function context(
  cwd: string,
  overrides: Partial<NewProjectContext> = {},
  answers?: unknown[],
): NewProjectContext & { out: Capture; fakes: Fakes } {
  const out = new Capture();
  const fakes: Fakes = { installs: [], commits: [], questions: [] };
  const installer: Installer = async (request) => {
    fakes.installs.push(request);
    return { ok: true, output: "added 3 packages" };
  };
  const git: Git = {
    available: async () => true,
    insideWorkTree: async () => false,
    initialCommit: async (dir) => void fakes.commits.push(dir),
  };
  const next = (message: string): unknown => {
    fakes.questions.push(message);
    if (!answers || answers.length === 0) throw new Error(`unexpected question: ${message}`);
    const answer = answers.shift();
    if (answer instanceof Error) throw answer;
    return answer;
  };
  const prompter: Prompter | undefined = answers && {
    text: async (q) => {
      const answer = next(q.message) as string;
      const verdict = q.validate ? await q.validate(answer) : true;
      if (verdict !== true) throw new Error(`validation: ${verdict}`);
      return answer;
    },
    select: async (q) => {
      const answer = next(q.message);
      return (answer === undefined ? (q.default ?? q.choices[0]?.value) : answer) as string;
    },
    integer: async (q) => (next(q.message) as number | undefined) ?? q.default,
    confirm: async (q) => (next(q.message) as boolean | undefined) ?? q.default,
  };
  return {
    cwd,
    env: {},
    stdout: out,
    catalog: discoverTemplates(fixturesRoot),
    installer,
    git,
    prompter,
    ...overrides,
    out,
    fakes,
  };
}

const base: NewProjectRequest = { force: false, dryRun: false, optionFlags: {} };

describe("createProject, non-interactive", () => {
  it("writes the project, installs with the chosen package manager, commits, and prints next steps", async () => {
    const cwd = await tempDir();
    const ctx = context(cwd);
    const result = await createProject(
      { ...base, dir: "my-app", template: "demo", packageManager: "pnpm", optionFlags: { broker: "redis" } },
      ctx,
    );
    expect(result.written.sort()).toEqual(await listFiles(path.join(cwd, "my-app")));
    expect(JSON.parse(await readFile(path.join(cwd, "my-app", "package.json"), "utf8")).name).toBe("my-app");
    expect(ctx.fakes.installs.map((i) => [i.cwd, i.packageManager])).toEqual([[path.join(cwd, "my-app"), "pnpm"]]);
    expect(ctx.fakes.commits).toEqual([path.join(cwd, "my-app")]);
    expect(ctx.out.text).toContain("Next steps:\n  cd my-app\n  pnpm run dev\n  pnpm test\n  pnpm start\n");
  });

  it("uses the package manager from npm_config_user_agent and prints the install step when --no-install", async () => {
    const cwd = await tempDir();
    const ctx = context(cwd, { env: { npm_config_user_agent: "yarn/1.22.22 npm/? node/v20.17.0" } });
    await createProject({ ...base, dir: "app", template: "demo", install: false, git: false }, ctx);
    expect(ctx.fakes.installs).toEqual([]);
    expect(ctx.fakes.commits).toEqual([]);
    expect(ctx.out.text).toContain("  cd app\n  yarn install\n  yarn dev\n  yarn test\n  yarn start\n");
  });

  it("keeps the project and exits 1 with the output and a retry command when the install fails", async () => {
    const cwd = await tempDir();
    const ctx = context(cwd, {
      installer: async () => ({
        ok: false,
        output: "npm ERR! 404 Not Found - GET https://registry/nope",
        reason: "`npm install` exited with code 1",
        interrupted: false,
      }),
    });
    const run = createProject({ ...base, dir: "app", template: "demo", git: false }, ctx);
    await expect(run).rejects.toBeInstanceOf(StepFailedError);
    await expect(run).rejects.toThrow(/The project is kept; to retry, run: cd app && npm install[\s\S]*npm ERR! 404/);
    expect(await listFiles(path.join(cwd, "app"))).toContain("package.json");
    expect(ctx.out.text).toContain("Next steps:\n  cd app\n  npm install\n");
  });

  it("turns an interrupted install into exit 130 and keeps the complete project", async () => {
    const cwd = await tempDir();
    const ctx = context(cwd, { installer: async () => ({ ok: false, output: "", reason: "it was interrupted", interrupted: true }) });
    await expect(createProject({ ...base, dir: "app", template: "demo", git: false }, ctx)).rejects.toBeInstanceOf(InterruptedError);
    expect(await listFiles(path.join(cwd, "app"))).toContain("package.json");
  });

  it("does not install for Rust templates and prints cargo next steps", async () => {
    const cwd = await tempDir();
    const ctx = context(cwd);
    await createProject({ ...base, dir: "svc", template: "svc", git: false, optionFlags: { runtime: "current-thread" } }, ctx);
    expect(ctx.fakes.installs).toEqual([]);
    expect(ctx.out.text).toContain("Next steps:\n  cd svc\n  cargo test\n  cargo run\n");
    expect(await readFile(path.join(cwd, "svc", "Cargo.toml"), "utf8")).toContain('name = "svc"');
  });

  it("exits 1 when the first commit fails, after printing the next steps, and keeps the files", async () => {
    const cwd = await tempDir();
    const failing = Object.assign(new Error("git commit failed"), { all: "error: gpg failed to sign the data" });
    const ctx = context(cwd, {
      git: { available: async () => true, insideWorkTree: async () => false, initialCommit: async () => Promise.reject(failing) },
    });
    const run = createProject({ ...base, dir: "app", template: "demo", install: false }, ctx);
    await expect(run).rejects.toBeInstanceOf(StepFailedError);
    await expect(run).rejects.toThrow(/git init or the first commit failed in app; the project files are in place\.\nerror: gpg failed/);
    expect(ctx.out.text).toContain("Next steps:");
    expect(await listFiles(path.join(cwd, "app"))).toContain("package.json");
  });

  it("skips git inside an existing work tree", async () => {
    const cwd = await tempDir();
    const ctx = context(cwd, {
      git: { available: async () => true, insideWorkTree: async () => true, initialCommit: async () => expect.unreachable() },
    });
    await createProject({ ...base, dir: "app", template: "demo", install: false }, ctx);
    expect(ctx.out.text).toContain("Skipped git init: the folder is already inside a git repository.");
  });

  const usage: [string, Partial<NewProjectRequest>, RegExp][] = [
    ["no directory", { template: "demo" }, /missing the project directory: pass it as the first argument/],
    ["no template", { dir: "x" }, /missing --template <name> \(available: svc \(rust\), demo \(ts\), plain \(ts\)\)/],
    [
      "an unknown template",
      { dir: "x", template: "nope" },
      /unknown template "nope"\. Available templates: svc \(rust\), demo \(ts\), plain \(ts\)/,
    ],
    [
      "an unknown language",
      { dir: "x", template: "demo", lang: "go" },
      /--lang go: no templates for that language \(available: ts, rust\)/,
    ],
    [
      "a flag of another template",
      { dir: "x", template: "plain", optionFlags: { broker: "redis" } },
      /--broker does not apply to template "plain" \(ts\); its options are: none/,
    ],
    [
      "a bad option value",
      { dir: "x", template: "demo", optionFlags: { workerThreads: "0" } },
      /--worker-threads 0: must be at least 1 \(template "demo"\)/,
    ],
    [
      "an invalid --name",
      { dir: "x", template: "demo", name: "Bad Name" },
      /--name "Bad Name" breaks the npm package-name rules: .*uppercase/,
    ],
    [
      "a folder name that is no crate name",
      { dir: "2fast", template: "svc" },
      /cannot use "2fast" \(from the folder name\) as the package name: .*digit.*Pass --name/,
    ],
  ];
  it.each(usage)("refuses %s with a usage error and writes nothing", async (_shape, request, message) => {
    const cwd = await tempDir();
    const run = createProject({ ...base, ...request }, context(cwd));
    await expect(run).rejects.toBeInstanceOf(UsageError);
    await expect(run).rejects.toThrow(message);
    expect(await readdir(cwd)).toEqual([]);
  });

  it("--dry-run prints the tree and writes nothing", async () => {
    const cwd = await tempDir();
    const ctx = context(cwd);
    await createProject({ ...base, dir: "app", template: "demo", dryRun: true }, ctx);
    expect(await readdir(cwd)).toEqual([]);
    expect(ctx.fakes.installs).toEqual([]);
    expect(ctx.out.text).toContain("app/\n├── src/\n│   ├── config.js\n│   └── index.js\n├── .gitignore\n");
  });

  it("--force into a non-empty folder lists skipped files and changes none", async () => {
    const cwd = await tempDir();
    await mkdir(path.join(cwd, "app"));
    await writeFile(path.join(cwd, "app", "README.md"), "mine\n");
    const before = await snapshotTree(path.join(cwd, "app"));
    const ctx = context(cwd);
    await createProject({ ...base, dir: "app", template: "demo", force: true, install: false, git: false }, ctx);
    expect(await readFile(path.join(cwd, "app", "README.md"), "utf8")).toBe("mine\n");
    expect((await snapshotTree(path.join(cwd, "app")))["README.md"]).toBe(before["README.md"]);
    expect(ctx.out.text).toContain("Skipped 1 file(s) that already exist (nothing was overwritten):\n  README.md  (already exists)");
  });
});

describe("createProject, interactive", () => {
  it("asks for everything not given, in order, with defaults", async () => {
    const cwd = await tempDir();
    const ctx = context(cwd, {}, ["svc-a", "ts", "demo", "redis", 16, "bun", false, true]);
    await createProject(base, ctx);
    expect(ctx.fakes.questions).toEqual([
      "Project directory",
      "Language",
      "Template",
      "where messages travel (--broker)",
      "worker threads (--worker-threads)",
      "Package manager",
      "Install dependencies with bun?",
      "Initialise a git repository with a first commit?",
    ]);
    expect(await readFile(path.join(cwd, "svc-a", "src", "config.js"), "utf8")).toContain("threads = 16;");
    expect(ctx.fakes.installs).toEqual([]);
    expect(ctx.fakes.commits).toHaveLength(1);
    expect(ctx.out.text).toContain("  bun install\n  bun run dev\n");
  });

  it("asks nothing that the flags already answer", async () => {
    const cwd = await tempDir();
    const ctx = context(cwd, {}, []);
    await createProject(
      {
        ...base,
        dir: "a",
        template: "demo",
        packageManager: "npm",
        install: false,
        git: false,
        optionFlags: { broker: "memory", workerThreads: "2" },
      },
      ctx,
    );
    expect(ctx.fakes.questions).toEqual([]);
  });

  it("refuses a non-empty directory at the prompt", async () => {
    const cwd = await tempDir();
    await mkdir(path.join(cwd, "taken"));
    await writeFile(path.join(cwd, "taken", "x"), "");
    const ctx = context(cwd, {}, ["taken"]);
    await expect(createProject(base, ctx)).rejects.toThrow(/validation: taken is not empty/);
  });

  it("Ctrl-C at a prompt writes nothing", async () => {
    const cwd = await tempDir();
    const ctx = context(cwd, {}, ["app", "ts", "demo", new InterruptedError("Interrupted; nothing was written.")]);
    await expect(createProject(base, ctx)).rejects.toBeInstanceOf(InterruptedError);
    expect(await readdir(cwd)).toEqual([]);
  });
});

describe("isInteractive", () => {
  it("needs two terminals, no CI and no --yes", () => {
    const tty = { stdinIsTTY: true, stdoutIsTTY: true };
    expect(isInteractive({ ...tty, env: {}, yes: false })).toBe(true);
    expect(isInteractive({ ...tty, env: { CI: "true" }, yes: false })).toBe(false);
    expect(isInteractive({ ...tty, env: { CI: "false" }, yes: false })).toBe(true);
    expect(isInteractive({ ...tty, env: {}, yes: true })).toBe(false);
    expect(isInteractive({ stdinIsTTY: false, stdoutIsTTY: true, env: {}, yes: false })).toBe(false);
    expect(isInteractive({ stdinIsTTY: true, stdoutIsTTY: undefined, env: {}, yes: false })).toBe(false);
  });
});

describe("asyncpatDependency", () => {
  it("is ^version when installed, file:<checkout> from a source checkout", async () => {
    const checkout = await tempDir();
    await mkdir(path.join(checkout, ".git"));
    await mkdir(path.join(checkout, "src"));
    expect(await asyncpatDependency(checkout, "0.3.0")).toBe(`file:${checkout}`);
    const installed = path.join(checkout, "node_modules", "asyncpat");
    await mkdir(path.join(installed, "src"), { recursive: true });
    await mkdir(path.join(installed, ".git"));
    expect(await asyncpatDependency(installed, "0.3.0")).toBe("^0.3.0");
    expect(await asyncpatDependency(await tempDir(), "0.3.0")).toBe("^0.3.0");
  });
});
