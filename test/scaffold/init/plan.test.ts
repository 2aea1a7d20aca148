import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { detectRepository } from "../../../src/scaffold/init/detect.js";
import { fileReader, planInit, type InitChoices } from "../../../src/scaffold/init/plan.js";
import { makeTree, repoRoot } from "../../helpers/cli.js";

const snippetsDir = path.join(repoRoot, "templates", "_init");
const all: InitChoices = { script: true, hook: true, ci: "github" };

function planFor(files: Record<string, string>, choices: InitChoices = all, repositoryUrl?: string) {
  const root = makeTree(files, "asyncpat-init-");
  const detection = detectRepository(root);
  return { detection, plan: planInit(detection, choices, { version: "1.2.3", snippetsDir, read: fileReader(root), repositoryUrl }) };
}

describe("detectRepository", () => {
  it("finds languages, the package manager from the lockfile, hook managers, CI and ESLint", () => {
    const { detection } = planFor({
      "package.json": `{ "lint-staged": {} }`,
      "pnpm-lock.yaml": "",
      "packages/api/src/server.ts": "",
      "crates/core/Cargo.toml": "",
      "node_modules/x/index.rs": "",
      ".husky/pre-commit": "",
      "lefthook.yml": "",
      ".pre-commit-config.yaml": "repos: []\n",
      ".github/workflows/ci.yml": "",
      ".gitlab-ci.yml": "",
      "eslint.config.mjs": "",
    });
    expect(detection).toMatchObject({
      languages: { typescript: true, rust: true },
      hasPackageJson: true,
      packageManager: "pnpm",
      lockfile: "pnpm-lock.yaml",
      preCommit: ".pre-commit-config.yaml",
      husky: true,
      lefthook: "lefthook.yml",
      lintStaged: "package.json#lint-staged",
      githubActions: true,
      gitlabCi: ".gitlab-ci.yml",
      eslintConfig: "eslint.config.mjs",
    });
  });

  it("skips node_modules and target when looking for languages, and falls back to package.json's packageManager", () => {
    const { detection } = planFor({ "package.json": `{ "packageManager": "yarn@4.1.0" }`, "node_modules/a/b.ts": "", "target/x.rs": "" });
    expect(detection.languages).toEqual({ typescript: false, rust: false });
    expect(detection.packageManager).toBe("yarn");
    expect(detection.lockfile).toBeUndefined();
  });
});

describe("planInit", () => {
  it("a TypeScript repo with nothing set up: config, package.json script and dev dependency, GitHub workflow, a note on hooks", () => {
    const { plan } = planFor({ "package.json": `{\n  "name": "svc"\n}\n`, "package-lock.json": "{}", "src/a.ts": "" });
    expect(plan.files.map((file) => [file.path, file.action])).toEqual([
      ["asyncpat.config.json", "create"],
      ["package.json", "merge"],
      [".github/workflows/asyncpat.yml", "create"],
    ]);
    const config = JSON.parse(plan.files[0]!.text!) as Record<string, string>;
    expect(config.$schema).toBe("./node_modules/asyncpat/schema/asyncpat.schema.json");
    const pkg = JSON.parse(plan.files[1]!.text!) as Record<string, Record<string, string>>;
    expect(pkg.scripts).toEqual({ "lint:async": "asyncpat lint" });
    expect(pkg.devDependencies).toEqual({ asyncpat: "^1.2.3" });
    const workflow = parse(plan.files[2]!.text!) as { jobs: { lint: { steps: Record<string, unknown>[] } } };
    const steps = workflow.jobs.lint.steps;
    expect(steps).toContainEqual({ run: "npm ci" });
    expect(steps).toContainEqual({ run: "npx asyncpat lint --format sarif --output-file asyncpat.sarif" });
    expect(steps).toContainEqual({
      if: "always()",
      uses: "github/codeql-action/upload-sarif@v3",
      with: { sarif_file: "asyncpat.sarif", category: "asyncpat" },
    });
    expect(plan.notes.join("\n")).toMatch(/No hook manager found/);
  });

  it("a Rust-only repo: no package.json changes, a global install in CI and a schema URL", () => {
    const { plan } = planFor({ "Cargo.toml": "", "src/main.rs": "" });
    expect(plan.files.map((file) => file.path)).toEqual(["asyncpat.config.json", ".github/workflows/asyncpat.yml"]);
    expect(plan.files[0]!.text).toContain("https://unpkg.com/asyncpat/schema/asyncpat.schema.json");
    expect(plan.files[1]!.text).toContain("run: npm install --global asyncpat@^1.2.3");
    expect(plan.files[1]!.text).toContain("run: asyncpat lint --format sarif");
  });

  it("merges both package.json changes and a lint-staged entry into one update of package.json", () => {
    const { plan } = planFor(
      { "package.json": `{\n  "lint-staged": {\n    "*.css": "stylelint"\n  }\n}\n`, "a.js": "" },
      { ...all, ci: "none" },
    );
    const pkgEntries = plan.files.filter((file) => file.path === "package.json");
    expect(pkgEntries).toHaveLength(1);
    const pkg = JSON.parse(pkgEntries[0]!.text!) as Record<string, Record<string, string>>;
    expect(pkg["lint-staged"]).toEqual({ "*.css": "stylelint", "*.{ts,tsx,mts,cts,js,jsx,mjs,cjs,rs}": "npx asyncpat lint" });
    expect(pkg.scripts).toEqual({ "lint:async": "asyncpat lint" });
  });

  it("pre-commit: a repos entry using asyncpat's own hook when its git URL is known, a local hook otherwise", () => {
    const files = {
      ".pre-commit-config.yaml": `repos:\n  - repo: https://example.com/x\n    rev: v1\n    hooks:\n      - id: x\n`,
      "a.rs": "",
    };
    const remote = planFor(files, all, "https://git.example.com/asyncpat.git").plan.files.find(
      (file) => file.path === ".pre-commit-config.yaml",
    )!;
    expect(parse(remote.text!).repos[1]).toEqual({
      repo: "https://git.example.com/asyncpat.git",
      rev: "v1.2.3",
      hooks: [{ id: "asyncpat-lint" }],
    });
    const local = planFor(files).plan.files.find((file) => file.path === ".pre-commit-config.yaml")!;
    expect(parse(local.text!).repos[1]).toMatchObject({
      repo: "local",
      hooks: [{ id: "asyncpat-lint", entry: "asyncpat lint", language: "system" }],
    });
  });

  it("husky: adds a line to .husky/pre-commit; GitLab CI: merges a job", () => {
    const { plan } = planFor(
      { "package.json": "{}", "a.ts": "", ".husky/pre-commit": "npm test\n", ".gitlab-ci.yml": "test:\n  script: npm test\n" },
      { script: false, hook: true, ci: "gitlab" },
    );
    expect(plan.files.find((file) => file.path === ".husky/pre-commit")!.text).toBe("npm test\nnpx asyncpat lint\n");
    const gitlab = parse(plan.files.find((file) => file.path === ".gitlab-ci.yml")!.text!) as Record<string, { script: string[] }>;
    expect(gitlab.test).toEqual({ script: "npm test" });
    expect(gitlab.asyncpat!.script).toEqual(["npm install", "npx asyncpat lint --format sarif --output-file asyncpat.sarif"]);
  });

  it("never overwrites: a different workflow or config is left alone and reported; a package.json#asyncpat config counts", () => {
    const { plan } = planFor({
      "package.json": `{ "asyncpat": {}, "scripts": { "lint:async": "other" } }`,
      "a.ts": "",
      ".github/workflows/asyncpat.yml": "name: mine\n",
    });
    expect(plan.files.map((file) => [file.path, file.action])).toEqual([
      ["package.json#asyncpat", "unchanged"],
      ["package.json", "left-alone"],
      [".github/workflows/asyncpat.yml", "left-alone"],
    ]);
    expect(plan.files[1]!.reason).toMatch(/already sets "scripts"."lint:async" to "other"/);
    expect(plan.files[2]!.reason).toMatch(/exists and differs/);
  });
});

describe("planInit on a broken package.json", () => {
  it("leaves it alone and says why", () => {
    const { plan } = planFor({ "package.json": "{ broken", "a.ts": "" }, { ...all, ci: "none" });
    const pkg = plan.files.find((file) => file.path === "package.json")!;
    expect(pkg.action).toBe("left-alone");
    expect(pkg.reason).toMatch(/not valid JSON/);
  });
});
