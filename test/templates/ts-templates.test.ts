import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { discoverTemplates, type Template } from "../../src/scaffold/discover.js";
import { assertBuilt } from "../scaffold/helpers.js";
import { runCli } from "../helpers/cli.js";
import { missingTools, REDIS_SERVER, testMissingTools } from "../helpers/system-tools.js";
import { expectOk, packRepository, run } from "../package/pack-helpers.js";

// "Done when": every TypeScript template, every option value, generated into a temp folder, then
// installed from the registry, built, tested, soaked (`npm run soak`: the real service under load,
// SIGTERM mid-flight, nothing lost) and linted with the asyncpat that ships (npm pack).
// Slow by nature (minutes per case); it is part of `npm test` and of CI.

interface Case {
  id: string;
  template: Template;
  flags: string[];
}

/** The defaults, plus one case for each value that is not a default, so every value is generated once. */
function casesOf(template: Template): Case[] {
  const cases: Case[] = [{ id: `${template.name} (defaults)`, template, flags: [] }];
  for (const option of template.manifest.options) {
    if (option.kind !== "choice") continue;
    for (const choice of option.choices) {
      if (choice !== option.default) cases.push({ id: `${template.name} --${option.flag} ${choice}`, template, flags: [`--${option.flag}`, choice] });
    }
  }
  return cases;
}

const templates = discoverTemplates().templates.filter((template) => template.lang === "ts");
/** System tools a generated project's own tests need: the redis variant starts a real redis-server. */
const toolsOf = (testCase: Case) => (testCase.flags.includes("redis") ? [REDIS_SERVER] : []);
const allCases = templates.flatMap(casesOf);
const cases = allCases.filter((testCase) => missingTools(toolsOf(testCase)).length === 0);
const STEP_TIMEOUT = 900_000;

let tarball: string;
beforeAll(async () => {
  await assertBuilt();
  tarball = (await packRepository()).tarball;
}, 300_000);

describe("TypeScript templates: generate, npm install, build, test, asyncpat lint", () => {
  it("there are TypeScript templates to check", () => {
    expect(cases.length).toBeGreaterThan(0);
  });

  for (const blocked of allCases.filter((testCase) => !cases.includes(testCase))) testMissingTools(blocked.id, missingTools(toolsOf(blocked)));

  it.each(cases)(
    "$id",
    async ({ template, flags }) => {
      const cwd = await mkdtemp(path.join(os.tmpdir(), `asyncpat-${template.name}-`));
      const created = await runCli(["new", "app", "--template", template.name, "--lang", "ts", ...flags, "--no-install", "--no-git", "--yes"], { cwd });
      expect(created.exitCode, created.stderr).toBe(0);
      const app = path.join(cwd, "app");

      // The generated project depends on the asyncpat being tested, not on whatever the registry holds.
      expectOk(await run("npm", ["pkg", "set", `devDependencies.asyncpat=file:${tarball}`], app));
      const install = await run("npm", ["install"], app);
      expectOk(install);
      const build = await run("npm", ["run", "build"], app);
      expectOk(build);
      const test = await run("npm", ["test"], app);
      expectOk(test);
      // The soak prints its verdict last; any loss, a non-zero exit or a missing verdict fails.
      const soak = await run("npm", ["run", "--silent", "soak"], app);
      expectOk(soak);
      const verdict = soak.stdout.trim().split("\n").at(-1) ?? "";
      expect(verdict).toMatch(/^soak: \d+ accepted, \d+ refused, 0 lost, exit 0 after \d+ ms$/);
      expect(Number(/^soak: (\d+) accepted/.exec(verdict)?.[1])).toBeGreaterThan(0);
      console.log(
        `[template timing] ${template.name} ${flags.join(" ") || "(defaults)"}: install ${install.seconds.toFixed(1)}s, build ${build.seconds.toFixed(1)}s, test ${test.seconds.toFixed(1)}s, soak ${soak.seconds.toFixed(1)}s: ${verdict}`,
      );
      // Zero findings: asyncpat lint exits 1 on any finding.
      const lint = await run("npx", ["--no", "asyncpat", "lint"], app);
      expectOk(lint);
      console.log(`[template timing] ${template.name} ${flags.join(" ") || "(defaults)"}: asyncpat lint ${lint.seconds.toFixed(1)}s, zero findings`);
    },
    STEP_TIMEOUT,
  );
});
