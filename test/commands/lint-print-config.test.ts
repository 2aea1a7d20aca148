import { describe, expect, it } from "vitest";
import { makeTree, runCli } from "../helpers/cli.js";

const code = `export async function ping(url: string) {\n  return (await fetch(url)).ok;\n}\n`;

interface Printed {
  file: string;
  configFile: string | null;
  extends: string;
  role: string;
  linted: boolean;
  notLintedBecause?: string;
  language: string | null;
  types: boolean;
  tsconfig: string | null;
  rules: Record<string, unknown>;
}

async function printed(cwd: string, ...args: string[]): Promise<Printed> {
  const result = await runCli(["lint", "--print-config", ...args], { cwd });
  expect(result.stderr).toBe("");
  expect(result.exitCode).toBe(0);
  return JSON.parse(result.stdout) as Printed;
}

describe("asyncpat lint --print-config", () => {
  const tree = () =>
    makeTree({
      "package.json": "{}",
      ".gitignore": "out/\n",
      "src/client.ts": code,
      "src/server.rs": "fn main() {}\n",
      "test/client.test.ts": code,
      "test/fixtures/broken.ts": "export const = ;\n",
      "out/client.ts": code,
      "vendor/lib.ts": code,
      "asyncpat.config.json": JSON.stringify({
        extends: "asyncpat:strict",
        ignore: ["vendor/**"],
        rules: { "missing-timeout": ["warn", { fixTimeoutMs: 5000 }] },
        overrides: [{ files: ["src/**"], rules: { "floating-task": "warn" } }],
      }),
    });

  it("prints a source file's preset, overrides and rule options", async () => {
    const dir = tree();
    const config = await printed(dir, "src/client.ts");
    expect(config).toMatchObject({
      file: "src/client.ts",
      configFile: "asyncpat.config.json",
      extends: "asyncpat:strict",
      role: "source",
      linted: true,
      language: "typescript",
      types: false,
      tsconfig: null,
    });
    expect(config.notLintedBecause).toBeUndefined();
    expect(config.rules["floating-task"]).toBe("warn");
    expect(config.rules["missing-timeout"]).toEqual(["warn", { fixTimeoutMs: 5000 }]);
    expect(config.rules["blocking-in-async"]).toBe("error");
    // every rule the tool knows is listed, on or off
    expect(Object.keys(config.rules).length).toBeGreaterThanOrEqual(11);
  });

  it("shows the test role's defaults and --rule on top of everything", async () => {
    const dir = tree();
    const config = await printed(dir, "test/client.test.ts", "--rule", "unreleased-resource=off");
    expect(config.role).toBe("test");
    expect(config.rules["missing-timeout"]).toBe("off");
    expect(config.rules["floating-task"]).toBe("error");
    expect(config.rules["unreleased-resource"]).toBe("off");
  });

  it("says why a file would not be linted: role, .gitignore, config ignore", async () => {
    const dir = tree();
    const fixture = await printed(dir, "test/fixtures/broken.ts");
    expect(fixture).toMatchObject({ role: "fixture", linted: false });
    expect(fixture.notLintedBecause).toMatch(/role "fixture"/);
    const ignored = await printed(dir, "out/client.ts");
    expect(ignored.linted).toBe(false);
    expect(ignored.notLintedBecause).toMatch(/\.gitignore.*--no-gitignore/);
    expect((await printed(dir, "out/client.ts", "--no-gitignore")).linted).toBe(true);
    const vendor = await printed(dir, "vendor/lib.ts");
    expect(vendor.notLintedBecause).toMatch(/"ignore" glob of asyncpat\.config\.json/);
  });

  it("names the language and the type checker's tsconfig", async () => {
    const dir = tree();
    expect((await printed(dir, "src/server.rs")).language).toBe("rust");
    const typed = await printed(dir, "src/client.ts", "--types");
    expect(typed.types).toBe(true);
    const withTsconfig = makeTree({ "package.json": "{}", "tsconfig.json": "{}", "a.ts": code });
    expect(await printed(withTsconfig, "a.ts")).toMatchObject({ types: true, tsconfig: "tsconfig.json", configFile: null });
    expect((await printed(withTsconfig, "a.ts", "--no-types")).types).toBe(false);
  });

  it("exits 2 naming the flag when the file does not exist, and lints nothing", async () => {
    const dir = tree();
    const result = await runCli(["lint", "--print-config", "src/missing.ts"], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/--print-config src\/missing\.ts: no such file/);
  });
});
