import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { discoverTemplates, type Template } from "../../src/scaffold/discover.js";
import { assertBuilt, cliPath, listFiles, repoRoot, snapshotTree, tempDir } from "../scaffold/helpers.js";
import { cleanEnv, runCli } from "../helpers/cli.js";

// These tests spawn the built CLI (bin/asyncpat.js → dist/) on the real templates/, whatever they are today.
const catalog = discoverTemplates();
const sample: Template | undefined =
  catalog.templates.find((t) => t.lang === "ts" && t.name === "server") ??
  catalog.templates.find((t) => t.lang === "ts") ??
  catalog.templates[0];
const rust = catalog.templates.find((t) => t.lang === "rust");
const base = (template: Template) => ["--template", template.name, "--lang", template.lang];

async function packageNameIn(dir: string, template: Template): Promise<string | undefined> {
  if (template.lang === "ts") return JSON.parse(await readFile(path.join(dir, "package.json"), "utf8")).name;
  return /^name = "([^"]+)"/m.exec(await readFile(path.join(dir, "Cargo.toml"), "utf8"))?.[1];
}

beforeAll(assertBuilt);

describe.runIf(sample)("asyncpat new (built CLI, non-interactive)", () => {
  const template = sample as Template;

  it("creates a project from flags: renamed dotfiles, no manifest, package name from --name", async () => {
    const cwd = await tempDir();
    const result = await runCli(["new", "app", ...base(template), "--name", "my-service", "--no-install", "--no-git"], { cwd });
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
    const files = await listFiles(path.join(cwd, "app"));
    expect(files).toContain(".gitignore");
    expect(files).not.toContain("_gitignore");
    expect(files).not.toContain("template.json");
    expect(files.some((file) => file.startsWith("node_modules/") || file.startsWith("dist/") || file.startsWith("target/"))).toBe(false);
    expect(await packageNameIn(path.join(cwd, "app"), template)).toBe("my-service");
    if (template.lang === "ts") {
      // Run from this checkout, whose version is not published: the project points at the checkout.
      const pkg = JSON.parse(await readFile(path.join(cwd, "app", "package.json"), "utf8"));
      expect(pkg.devDependencies.asyncpat).toBe(`file:${repoRoot}`);
      expect(result.stdout).toContain(`asyncpat devDependency is file:${repoRoot}`);
    }
    expect(result.stdout).toMatch(/Next steps:\n {2}cd app\n/);
    expect(await readdir(cwd)).toEqual(["app"]);
  });

  it("derives the package name from the folder and creates missing parent folders", async () => {
    const cwd = await tempDir();
    const result = await runCli(["new", "apps/Billing API", ...base(template), "--no-install", "--no-git", "--yes"], { cwd });
    expect(result.exitCode).toBe(0);
    expect(await packageNameIn(path.join(cwd, "apps", "Billing API"), template)).toBe("billing-api");
    expect(await readdir(path.join(cwd, "apps"))).toEqual(["Billing API"]);
  });

  it("creates the project in the current folder with `.`, without a cd step", async () => {
    const cwd = path.join(await tempDir(), "Dot Svc");
    await mkdir(cwd);
    const result = await runCli(["new", ".", ...base(template), "--no-install", "--no-git"], { cwd });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain("Created the current folder from template");
    expect(result.stdout).not.toContain("  cd ");
    expect(await packageNameIn(cwd, template)).toBe("dot-svc");
    expect((await readdir(path.dirname(cwd))).sort()).toEqual(["Dot Svc"]);
  });

  it("accepts a folder holding only .git, without --force", async () => {
    const cwd = await tempDir();
    await mkdir(path.join(cwd, "app", ".git"), { recursive: true });
    await writeFile(path.join(cwd, "app", ".git", "HEAD"), "ref: refs/heads/main\n");
    const result = await runCli(["new", "app", ...base(template), "--no-install", "--no-git"], { cwd });
    expect(result.exitCode).toBe(0);
    expect(await readFile(path.join(cwd, "app", ".git", "HEAD"), "utf8")).toBe("ref: refs/heads/main\n");
    expect(await listFiles(path.join(cwd, "app"))).toContain(".gitignore");
  });

  it("refuses a non-empty folder (exit 2) and changes no file", async () => {
    const cwd = await tempDir();
    await mkdir(path.join(cwd, "app", "src"), { recursive: true });
    await writeFile(path.join(cwd, "app", "README.md"), "my notes\n");
    await writeFile(path.join(cwd, "app", "src", "keep.ts"), "export {};\n");
    const before = await snapshotTree(cwd);
    const result = await runCli(["new", "app", ...base(template), "--no-install", "--no-git"], { cwd });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/app is not empty \(README\.md, src\)\. .*--force/);
    expect(await snapshotTree(cwd)).toEqual(before);
  });

  it("--force writes only files that do not exist and lists the skipped ones", async () => {
    const cwd = await tempDir();
    const target = path.join(cwd, "app");
    const manifestFile = template.lang === "ts" ? "package.json" : "Cargo.toml";
    await mkdir(target);
    await writeFile(path.join(target, manifestFile), "mine\n");
    await writeFile(path.join(target, ".gitignore"), "secrets/\n");
    const before = await snapshotTree(target);
    const result = await runCli(["new", "app", ...base(template), "--force", "--no-install", "--no-git"], { cwd });
    expect(result.exitCode).toBe(0);
    const after = await snapshotTree(target);
    for (const [entry, hash] of Object.entries(before)) expect(after[entry], entry).toBe(hash);
    expect(Object.keys(after).length).toBeGreaterThan(Object.keys(before).length + 2);
    expect(result.stdout).toContain("Skipped 2 file(s) that already exist (nothing was overwritten):\n");
    expect(result.stdout).toContain("\n  .gitignore  (already exists)\n");
    expect(result.stdout).toContain(`\n  ${manifestFile}  (already exists)\n`);
  });

  it("--dry-run prints the tree and writes nothing", async () => {
    const cwd = await tempDir();
    const result = await runCli(["new", "app", ...base(template), "--dry-run"], { cwd });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^Dry run: .*nothing is written\.\napp\/\n/);
    expect(result.stdout).toMatch(/└── |├── /);
    expect(result.stdout).toContain(".gitignore");
    expect(await readdir(cwd)).toEqual([]);
  });

  it("--dry-run --force marks the files it would skip", async () => {
    const cwd = await tempDir();
    await mkdir(path.join(cwd, "app"));
    await writeFile(path.join(cwd, "app", ".gitignore"), "mine\n");
    const before = await snapshotTree(cwd);
    const result = await runCli(["new", "app", ...base(template), "--dry-run", "--force"], { cwd });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(".gitignore  (already exists, skipped)");
    expect(await snapshotTree(cwd)).toEqual(before);
  });

  it.each([
    [["--name", "Bad Name"], /--name "Bad Name" breaks the .*rules: .*uppercase/],
    [["--name", "_private"], /starts with "_"/],
    [["--name", "../escape"], /breaks the .*rules/],
  ])("refuses an invalid package name %j with exit 2 and writes nothing", async (flags, message) => {
    const cwd = await tempDir();
    const result = await runCli(["new", "app", ...base(template), "--no-install", "--no-git", ...flags], { cwd });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(await readdir(cwd)).toEqual([]);
  });

  it("refuses a folder name that makes no package name, pointing to --name", async () => {
    const cwd = await tempDir();
    const result = await runCli(["new", "___", ...base(template), "--no-install", "--no-git"], { cwd });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/Pass --name <package-name>/);
    expect(await readdir(cwd)).toEqual([]);
  });

  it("refuses a target that is a file", async () => {
    const cwd = await tempDir();
    await writeFile(path.join(cwd, "app"), "");
    const result = await runCli(["new", "app", ...base(template)], { cwd });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/exists and is not a directory/);
  });

  it("names the missing flag when not interactive", async () => {
    const cwd = await tempDir();
    const noTemplate = await runCli(["new", "app"], { cwd });
    expect(noTemplate.exitCode).toBe(2);
    expect(noTemplate.stderr).toMatch(/missing --template <name> \(available: .*\)/);
    const noDir = await runCli(["new", ...base(template)], { cwd });
    expect(noDir.exitCode).toBe(2);
    expect(noDir.stderr).toMatch(/missing the project directory: pass it as the first argument/);
    expect(await readdir(cwd)).toEqual([]);
  });

  it("refuses an unknown template with exit 2 and lists the available ones", async () => {
    const cwd = await tempDir();
    const result = await runCli(["new", "app", "--template", "nope"], { cwd });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`unknown template "nope". Available templates: `);
    for (const t of catalog.templates) expect(result.stderr).toContain(`${t.name} (${t.lang})`);
    expect(await readdir(cwd)).toEqual([]);
  });

  it("refuses an unknown package manager and an unknown language", async () => {
    const cwd = await tempDir();
    const pm = await runCli(["new", "app", ...base(template), "--package-manager", "pip"], { cwd });
    expect(pm.exitCode).toBe(2);
    expect(pm.stderr).toMatch(/--package-manager.*pip.*npm, pnpm, yarn, bun|Allowed choices are npm, pnpm, yarn, bun/);
    const lang = await runCli(["new", "app", "--template", template.name, "--lang", "cobol"], { cwd });
    expect(lang.exitCode).toBe(2);
    expect(lang.stderr).toMatch(/--lang cobol: no templates for that language/);
  });

  it("creates a git repository with one commit, and none inside an existing repository", async () => {
    const cwd = await tempDir();
    const { execa } = await import("execa");
    const result = await runCli(["new", "app", ...base(template), "--no-install"], { cwd });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("Initialised a git repository with a first commit.");
    const log = await execa("git", ["log", "--oneline"], { cwd: path.join(cwd, "app") });
    expect(log.stdout.split("\n")).toHaveLength(1);
    const status = await execa("git", ["status", "--porcelain"], { cwd: path.join(cwd, "app") });
    expect(status.stdout).toBe("");

    const nested = await runCli(["new", "nested", ...base(template), "--no-install"], { cwd: path.join(cwd, "app") });
    expect(nested.exitCode).toBe(0);
    expect(nested.stdout).toContain("Skipped git init: the folder is already inside a git repository.");
    expect(await readdir(path.join(cwd, "app", "nested"))).not.toContain(".git");
  });

  it("never loads ts-morph", async () => {
    const cwd = await tempDir();
    const { execa } = await import("execa");
    // A loader hook that fails the run as soon as anything resolves ts-morph, the typescript package or
    // the TypeScript lint backend (judged by the resolved URL, so relative imports count too).
    const hook = `data:text/javascript,${encodeURIComponent(
      `export async function resolve(s, c, next) { const r = await next(s, c); if (/\\/node_modules\\/(ts-morph|typescript)\\/|\\/lint\\/typescript\\/backend\\.js/.test(r.url)) throw new Error("loaded " + r.url); return r; }`,
    )}`;
    const register = `data:text/javascript,${encodeURIComponent(`import { register } from "node:module"; register(${JSON.stringify(hook)});`)}`;
    const result = await execa(
      process.execPath,
      ["--import", register, cliPath, "new", "app", ...base(template), "--no-install", "--no-git"],
      {
        cwd,
        env: cleanEnv(),
        extendEnv: false,
        reject: false,
      },
    );
    expect(result.stderr).toBe("");
    expect(result.exitCode).toBe(0);
  });
});

describe.runIf(sample)("asyncpat new: template option flags (built CLI)", () => {
  const withOptions = catalog.templates.filter((t) => t.manifest.options.length > 0);
  const flagOwner = withOptions.flatMap((owner) =>
    owner.manifest.options.map((option) => ({
      owner,
      option,
      other: catalog.templates.find((t) => !t.manifest.options.some((o) => o.key === option.key)),
    })),
  );
  const foreign = flagOwner.find((entry) => entry.other);

  it.runIf(foreign)("refuses a flag that belongs to another template, naming the flag and the template", async () => {
    const option = foreign!.option;
    const other = foreign!.other as Template;
    const cwd = await tempDir();
    const value = option.kind === "choice" ? option.choices[0] : String(option.default);
    const result = await runCli(["new", "app", ...base(other), `--${option.flag}`, String(value), "--no-install", "--no-git"], { cwd });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`--${option.flag} does not apply to template "${other.name}" (${other.lang})`);
    expect(await readdir(cwd)).toEqual([]);
  });

  it.runIf(withOptions.length > 0)("refuses an option value outside its choices or range", async () => {
    const template = withOptions[0] as Template;
    const option = template.manifest.options[0]!;
    const cwd = await tempDir();
    const bad = option.kind === "choice" ? "not-a-choice" : "not-a-number";
    const result = await runCli(["new", "app", ...base(template), `--${option.flag}`, bad, "--no-install", "--no-git"], { cwd });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`--${option.flag} ${bad}: must be`);
  });

  it.runIf(rust?.manifest.options.some((o) => o.key === "workerThreads"))("applies --worker-threads to a Rust template", async () => {
    const cwd = await tempDir();
    const result = await runCli(["new", "svc", ...base(rust as Template), "--worker-threads", "8", "--no-git"], { cwd });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/cargo test/);
    expect(result.stdout).not.toMatch(/npm install|Installing/);
    const cargo = await readFile(path.join(cwd, "svc", "Cargo.toml"), "utf8");
    expect(cargo).toMatch(/^name = "svc"/m);
  });
});

describe.runIf(catalog.templates.some((t) => t.lang === "ts"))("asyncpat new --install with a real npm", () => {
  it("installs with a real npm from the registry (asyncpat itself from this checkout) and lists no install step", async () => {
    const template = catalog.templates.find((t) => t.lang === "ts") as Template;
    const cwd = await tempDir();
    const { lstat, realpath } = await import("node:fs/promises");
    const { npmCache } = await import("../package/pack-helpers.js");
    const result = await runCli(["new", "app", ...base(template), "--package-manager", "npm", "--no-git"], {
      cwd,
      env: { npm_config_cache: npmCache, npm_config_prefer_offline: "true", npm_config_audit: "false", npm_config_fund: "false" },
      timeout: 280_000,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Installing dependencies with npm…\nInstalled dependencies with npm \([\d.]+s\)\./);
    expect(result.stdout).not.toMatch(/^ {2}npm install$/m);
    const linked = path.join(cwd, "app", "node_modules", "asyncpat");
    expect((await lstat(linked)).isSymbolicLink()).toBe(true);
    expect(await realpath(linked)).toBe(await realpath(repoRoot));
    expect((await lstat(path.join(cwd, "app", "node_modules", "typescript"))).isDirectory()).toBe(true);
  }, 300_000);

  it("keeps the project, shows npm's output and how to retry, and exits 1 when the install fails", async () => {
    const template = catalog.templates.find((t) => t.lang === "ts") as Template;
    const cwd = await tempDir();
    // Nothing listens on port 9: npm fails fast, as it would offline.
    const result = await runCli(["new", "app", ...base(template), "--package-manager", "npm", "--no-git"], {
      cwd,
      env: { npm_config_registry: "http://127.0.0.1:9/", npm_config_fetch_retries: "0", npm_config_cache: path.join(cwd, ".npm-cache") },
    });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(
      /Installing dependencies with npm…\nInstalling dependencies failed after [\d.]+s: `npm install` exited with code 1\./,
    );
    expect(result.stderr).toMatch(
      /The project is kept; to retry, run: cd app && npm install\n--- npm output \(last lines\) ---\n[\s\S]*(ECONNREFUSED|npm error)/,
    );
    expect(await listFiles(path.join(cwd, "app"))).toContain("package.json");
  }, 120_000);

  it("SIGINT during the install stops it, keeps the complete project and exits 130", async () => {
    const template = catalog.templates.find((t) => t.lang === "ts") as Template;
    const cwd = await tempDir();
    const { createServer } = await import("node:net");
    const { execa } = await import("execa");
    // A registry that accepts connections and never answers: the install hangs until interrupted.
    const sockets: import("node:net").Socket[] = [];
    const registry = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => registry.listen(0, "127.0.0.1", resolve));
    const port = (registry.address() as import("node:net").AddressInfo).port;
    try {
      const child = execa(process.execPath, [cliPath, "new", "app", ...base(template), "--package-manager", "npm", "--no-git"], {
        cwd,
        env: cleanEnv({
          npm_config_registry: `http://127.0.0.1:${port}/`,
          npm_config_cache: path.join(cwd, ".npm-cache"),
          npm_config_fetch_timeout: "600000",
        }),
        extendEnv: false,
        reject: false,
        stdin: "ignore",
      });
      let stdout = "";
      child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      const deadline = Date.now() + 30_000;
      while (!(stdout.includes("Installing dependencies with npm") && sockets.length > 0) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      child.kill("SIGINT");
      const result = await child;
      expect(result.exitCode, result.stderr).toBe(130);
      expect(result.stderr).toContain("Interrupted during the install. The project is complete; to install, run: cd app && npm install");
      expect(await listFiles(path.join(cwd, "app"))).toContain("package.json");
      expect((await readdir(cwd)).filter((entry) => entry.includes("asyncpat-"))).toEqual([]);
    } finally {
      for (const socket of sockets) socket.destroy();
      registry.close();
    }
  }, 120_000);
});
