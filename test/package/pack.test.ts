import { mkdtemp, readdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { discoverTemplates } from "../../src/scaffold/discover.js";
import { version } from "../../src/version.js";
import { assertBuilt, repoRoot } from "../scaffold/helpers.js";
import { expectOk, packRepository, run, type Packed } from "./pack-helpers.js";

// What users of the published package get: the tarball from `npm pack`, installed into an empty
// folder far from this repository, must scaffold and lint on its own.

let packed: Packed;
let installDir: string;
let bin: string;

beforeAll(async () => {
  await assertBuilt();
  packed = await packRepository();
  installDir = await mkdtemp(path.join(os.tmpdir(), "asyncpat-installed-"));
  expectOk(await run("npm", ["init", "-y"], installDir));
  expectOk(await run("npm", ["install", packed.tarball], installDir));
  bin = path.join(installDir, "node_modules", ".bin", "asyncpat");
}, 600_000);

describe("the npm package", () => {
  it("ships the templates, the rule docs, the config schema and the built CLI", () => {
    const files = packed.files;
    expect(files).toContain("bin/asyncpat.js");
    expect(files).toContain("dist/src/cli.js");
    expect(files).toEqual(
      expect.arrayContaining([
        "dist/src/integrations/eslint.js",
        "dist/src/integrations/eslint.d.ts",
        "dist/src/integrations/eslint-worker.js",
      ]),
    );
    expect(files.some((file) => file.startsWith("docs/rules/") && file.endsWith(".md"))).toBe(true);
    // read by every lint run instead of the rules' code (docs/rules/rules.json by `asyncpat rules`)
    expect(files).toEqual(expect.arrayContaining(["docs/rules/manifest.json", "docs/rules/rules.json"]));
    expect(files.some((file) => file.startsWith("schema/") && file.endsWith(".json"))).toBe(true);
    for (const template of discoverTemplates().templates) {
      const root = `templates/${template.lang}/${template.name}/`;
      expect(files, root).toContain(`${root}template.json`);
    }
    expect(files.some((file) => file.startsWith("templates/") && file.endsWith("/_gitignore"))).toBe(true);
  });

  it("ships no build output, dependencies or lock files from inside the templates", () => {
    const unwanted = packed.files.filter(
      (file) => file.startsWith("templates/") && /(^|\/)(node_modules|dist|target)\/|(package-lock\.json|Cargo\.lock)$/.test(file),
    );
    expect(unwanted).toEqual([]);
    expect(packed.files.some((file) => file.startsWith("test/") || file.startsWith("src/"))).toBe(false);
  });

  it("runs --version and lists the same templates as the repository", async () => {
    const versionRun = await run(bin, ["--version"], installDir);
    expectOk(versionRun);
    expect(versionRun.stdout.trim()).toBe(version);
    const listed = await run(bin, ["templates", "--format", "json"], installDir);
    expectOk(listed);
    const names = (JSON.parse(listed.stdout) as { templates: { lang: string; name: string }[] }).templates.map(
      (t) => `${t.lang}/${t.name}`,
    );
    expect(names).toEqual(discoverTemplates().templates.map((t) => `${t.lang}/${t.name}`));
  });

  it("serves the ESLint plugin at asyncpat/eslint, and ESLint's Linter reports its findings", async () => {
    const eslintApi = pathToFileURL(path.join(repoRoot, "node_modules", "eslint", "lib", "api.js")).href;
    const script = `
      const { default: asyncpat } = await import("asyncpat/eslint");
      const { Linter } = await import(${JSON.stringify(eslintApi)});
      const code = "export async function loadRates(url) {\\n  const response = await fetch(url);\\n  return response.json();\\n}\\n";
      const messages = new Linter({ cwd: process.cwd() }).verify(code, [asyncpat.configs.recommended], { filename: "src/rates.js" });
      console.log(JSON.stringify(messages.map((message) => [message.ruleId, message.line])));
    `;
    const linted = await run(process.execPath, ["--input-type=module", "--eval", script], installDir);
    expectOk(linted);
    expect(JSON.parse(linted.stdout)).toEqual([["asyncpat/missing-timeout", 2]]);
  }, 300_000);

  it("scaffolds a project from the installed package, and the installed asyncpat lints it with zero findings", async () => {
    const workspace = await mkdtemp(path.join(os.tmpdir(), "asyncpat-user-"));
    const template =
      discoverTemplates().templates.find((t) => t.lang === "ts" && t.name === "server") ??
      discoverTemplates().templates.find((t) => t.lang === "ts");
    expect(template, "a TypeScript template").toBeDefined();
    const created = await run(bin, ["new", "svc", "--template", template!.name, "--lang", "ts", "--no-install", "--no-git"], workspace);
    expectOk(created);
    const app = path.join(workspace, "svc");
    expect(await readdir(app)).toEqual(expect.arrayContaining(["package.json", ".gitignore", "src"]));
    const { readFile } = await import("node:fs/promises");
    expect(JSON.parse(await readFile(path.join(app, "package.json"), "utf8")).devDependencies.asyncpat).toBe(`^${version}`);

    expectOk(await run("npm", ["pkg", "set", `devDependencies.asyncpat=file:${packed.tarball}`], app));
    expectOk(await run("npm", ["install"], app));
    const lint = await run("npx", ["--no", "asyncpat", "lint"], app);
    expectOk(lint);
  }, 900_000);
});
