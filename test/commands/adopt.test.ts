/**
 * Adopting asyncpat in an existing repository, end to end through the built CLI: `init` sets it up,
 * `lint --suppress-all` records today's problems, and later runs report only new ones.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { makeTree, runCli } from "../helpers/cli.js";
import { describeWithTools, GIT, PRE_COMMIT } from "../helpers/system-tools.js";

const client = `export async function getUser(id: string): Promise<unknown> {
  const response = await fetch(\`https://users.internal/\${id}\`);
  return response.json();
}

export async function getOrder(id: string): Promise<unknown> {
  const response = await fetch(\`https://orders.internal/\${id}\`);
  return response.json();
}
`;

/** Every file under `dir` but .git, with its bytes. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (relative: string): void => {
    for (const name of readdirSync(path.join(dir, relative))) {
      if (name === ".git") continue;
      const child = path.join(relative, name);
      if (statSync(path.join(dir, child)).isDirectory()) walk(child);
      else files.set(child, readFileSync(path.join(dir, child)).toString("base64"));
    }
  };
  walk("");
  return files;
}

interface JsonResult {
  messages: { ruleId: string | null; line: number }[];
  suppressedMessages: { ruleId: string; line: number; suppressions: { kind: string }[] }[];
}

describe("adopting asyncpat in an existing repository", () => {
  it("init --yes sets it up once; --suppress-all baselines today's problems; only a new problem is reported", async () => {
    const dir = makeTree({ "package.json": `{\n  "name": "orders",\n  "private": true\n}\n`, "src/client.ts": client });
    await execa("git", ["init", "-q"], { cwd: dir });

    const init = await runCli(["init", "--yes"], { cwd: dir });
    expect(init.exitCode, init.stderr).toBe(0);
    const config = JSON.parse(readFileSync(path.join(dir, "asyncpat.config.json"), "utf8")) as Record<string, unknown>;
    expect(config.$schema).toBe("./node_modules/asyncpat/schema/asyncpat.schema.json");
    const workflow = readFileSync(path.join(dir, ".github/workflows/asyncpat.yml"), "utf8");
    expect(workflow).toContain("uses: github/codeql-action/upload-sarif@v3");
    expect(workflow).toContain("npx asyncpat lint --format sarif --output-file asyncpat.sarif");
    expect(JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"))).toMatchObject({ scripts: { "lint:async": "asyncpat lint" } });

    const before = snapshot(dir);
    const again = await runCli(["init", "--yes"], { cwd: dir });
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain("Nothing to change.");
    expect(snapshot(dir)).toEqual(before);

    const baseline = await runCli(["lint", "--suppress-all"], { cwd: dir });
    expect(baseline.exitCode, baseline.stdout + baseline.stderr).toBe(0);
    expect(JSON.parse(readFileSync(path.join(dir, "asyncpat-suppressions.json"), "utf8"))).toEqual({
      "src/client.ts": { "missing-timeout": { count: 2 } },
    });

    const plain = await runCli(["lint"], { cwd: dir });
    expect(plain.exitCode, plain.stdout + plain.stderr).toBe(0);
    expect(plain.stdout).toBe("");
    expect(plain.stderr).toContain("2 problems suppressed by asyncpat-suppressions.json");

    // a new deadline-less call at the top moves the two recorded ones down: still exactly one problem (the
    // baseline counts, so the first two in source order stay suppressed and the last one is reported, as in ESLint)
    writeFileSync(
      path.join(dir, "src/client.ts"),
      `export async function ping(): Promise<Response> {\n  return fetch("https://health.internal/");\n}\n\n${client}`,
    );
    const after = await runCli(["lint"], { cwd: dir });
    expect(after.exitCode).toBe(1);
    expect(after.stdout).toContain("✖ 1 problem (1 error, 0 warnings)");
    const json = await runCli(["lint", "--format", "json"], { cwd: dir });
    const [result] = JSON.parse(json.stdout) as JsonResult[];
    expect(result!.messages.map((message) => [message.ruleId, message.line])).toEqual([["missing-timeout", 11]]);
    expect(result!.suppressedMessages.map((message) => [message.line, message.suppressions[0]!.kind])).toEqual([
      [2, "file"],
      [6, "file"],
    ]);
  }, 300_000);

  it("warns about stale entries, --prune-suppressions lowers them, and bad flags or files exit 2 naming them", async () => {
    const dir = makeTree({ "src/client.ts": client });
    expect(
      (await runCli(["lint", "--suppress-rule", "missing-timeout", "--suppressions-location", "baseline.json"], { cwd: dir })).exitCode,
    ).toBe(0);
    writeFileSync(path.join(dir, "src/client.ts"), client.slice(0, client.indexOf("export async function getOrder")));

    const stale = await runCli(["lint", "--suppressions-location", "baseline.json"], { cwd: dir });
    expect(stale.exitCode).toBe(0);
    expect(stale.stderr).toContain("src/client.ts missing-timeout: 2 recorded, 1 found");
    expect(stale.stderr).toContain("asyncpat lint --prune-suppressions --suppressions-location baseline.json");

    const pruned = await runCli(["lint", "--prune-suppressions", "--suppressions-location", "baseline.json"], { cwd: dir });
    expect(pruned.exitCode).toBe(0);
    expect(pruned.stderr).not.toContain("recorded");
    expect(JSON.parse(readFileSync(path.join(dir, "baseline.json"), "utf8"))).toEqual({
      "src/client.ts": { "missing-timeout": { count: 1 } },
    });

    const unknown = await runCli(["lint", "--suppress-rule", "missing-deadline"], { cwd: dir });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain("--suppress-rule missing-deadline: no such rule");
    writeFileSync(path.join(dir, "broken.json"), "{ not json");
    const broken = await runCli(["lint", "--suppressions-location", "broken.json"], { cwd: dir });
    expect(broken.exitCode).toBe(2);
    expect(broken.stderr).toContain("--suppressions-location broken.json: not valid JSON");
  }, 300_000);

  it("--format compact prints one line per problem; init --dry-run writes nothing; init without a terminal asks for --yes", async () => {
    const dir = makeTree({ "package.json": "{}\n", "src/client.ts": client });
    const compact = await runCli(["lint", "--format", "compact"], { cwd: dir });
    expect(compact.exitCode).toBe(1);
    expect(compact.stdout.trimEnd().split("\n")).toEqual([
      expect.stringMatching(/^src\/client\.ts:2:26: error: .+ \[missing-timeout\]$/),
      expect.stringMatching(/^src\/client\.ts:7:26: error: .+ \[missing-timeout\]$/),
    ]);

    const before = snapshot(dir);
    const dry = await runCli(["init", "--dry-run"], { cwd: dir });
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toContain("create      asyncpat.config.json");
    expect(snapshot(dir)).toEqual(before);
    const noTerminal = await runCli(["init"], { cwd: dir });
    expect(noTerminal.exitCode).toBe(2);
    expect(noTerminal.stderr).toContain("pass --yes");
    expect(snapshot(dir)).toEqual(before);
  }, 300_000);
});

describeWithTools("asyncpat init with pre-commit", [PRE_COMMIT, GIT], () => {
  it("adds the asyncpat-lint hook to an existing .pre-commit-config.yaml that pre-commit still accepts, keeping the rest", async () => {
    const original = `# see https://pre-commit.com\nrepos:\n-   repo: https://github.com/pre-commit/pre-commit-hooks\n    rev: v4.6.0\n    hooks:\n    -   id: trailing-whitespace\n`;
    const dir = makeTree({ "package.json": "{}\n", "src/client.ts": client, ".pre-commit-config.yaml": original });
    await execa("git", ["init", "-q"], { cwd: dir });
    const init = await runCli(["init", "--yes"], { cwd: dir });
    expect(init.exitCode, init.stderr).toBe(0);
    const config = readFileSync(path.join(dir, ".pre-commit-config.yaml"), "utf8");
    expect(config.startsWith(original)).toBe(true);
    expect(config).toContain("id: asyncpat-lint");
    const validate = await execa("pre-commit", ["validate-config", ".pre-commit-config.yaml"], { cwd: dir, reject: false, all: true });
    expect(validate.exitCode, validate.all).toBe(0);
    expect((await runCli(["init", "--yes"], { cwd: dir })).stdout).toContain("Nothing to change.");
  }, 120_000);
});
