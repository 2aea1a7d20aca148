import { beforeAll, describe, expect, it } from "vitest";
import { discoverTemplates } from "../../src/scaffold/discover.js";
import { assertBuilt, tempDir } from "../scaffold/helpers.js";
import { runCli } from "../helpers/cli.js";

const catalog = discoverTemplates();

beforeAll(assertBuilt);

describe("asyncpat templates (built CLI)", () => {
  it("--format json lists every template with its language, description and options", async () => {
    const result = await runCli(["templates", "--format", "json"], { cwd: await tempDir() });
    expect(result.exitCode).toBe(0);
    const listed = JSON.parse(result.stdout) as {
      templates: { name: string; lang: string; description: string; options: { flag: string; default: unknown }[] }[];
    };
    expect(listed.templates.map((t) => `${t.lang}/${t.name}`)).toEqual(catalog.templates.map((t) => `${t.lang}/${t.name}`));
    for (const template of listed.templates) {
      expect(template.description).not.toBe("");
      for (const option of template.options) expect(option.flag).toMatch(/^--[a-z][a-z0-9-]*$/);
    }
    expect(listed).not.toHaveProperty("broken");
  });

  it("prints a readable list by default, grouped by language, with option flags", async () => {
    const result = await runCli(["templates"], { cwd: await tempDir() });
    expect(result.exitCode).toBe(0);
    for (const template of catalog.templates) {
      expect(result.stdout).toContain(`  ${template.name}`);
      for (const option of template.manifest.options) expect(result.stdout).toContain(`--${option.flag} `);
    }
    expect(result.stdout).toContain("asyncpat new <dir> --template <name>");
  });

  it("refuses an unknown format with exit 2", async () => {
    const result = await runCli(["templates", "--format", "yaml"], { cwd: await tempDir() });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/yaml/);
  });
});
