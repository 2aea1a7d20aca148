/**
 * `asyncpat/eslint` under a real ESLint 9: the ESLint CLI runs in a temp folder whose node_modules
 * link the built asyncpat (through its package.json `exports`, as a user imports it), ESLint,
 * typescript-eslint and TypeScript of this repository. `npm run build` first; `npm test` does.
 */
import { existsSync, mkdirSync, symlinkSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { allRules } from "../../rules/index.js";
import { presetSeverity, ruleOptionsSchema } from "../../src/lint/config.js";
import { messageData } from "../../src/integrations/eslint.js";
import { ruleDocsUrl } from "../../src/lint/docs-url.js";
import { cleanEnv, makeTree, repoRoot, runCli } from "../helpers/cli.js";
import { assertBuilt } from "../scaffold/helpers.js";

const eslintBin = path.join(repoRoot, "node_modules", "eslint", "bin", "eslint.js");

interface EslintMessage {
  ruleId: string | null;
  messageId?: string;
  message: string;
  severity: number;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
}

/** A user's project: the given files, a package.json, and node_modules linking what ESLint needs and the built asyncpat. */
function project(files: Record<string, string>): string {
  const dir = makeTree(
    { "package.json": JSON.stringify({ name: "user-project", type: "module", private: true }), ...files },
    "asyncpat-eslint-",
  );
  mkdirSync(path.join(dir, "node_modules", "@eslint"), { recursive: true });
  for (const name of ["eslint", "typescript-eslint", "typescript", "@eslint/js"]) {
    symlinkSync(path.join(repoRoot, "node_modules", name), path.join(dir, "node_modules", name), "dir");
  }
  symlinkSync(repoRoot, path.join(dir, "node_modules", "asyncpat"), "dir");
  return dir;
}

/** Runs the ESLint CLI with the JSON formatter; the messages by file path relative to the folder. */
async function eslint(cwd: string, args: string[]) {
  const result = await execa(process.execPath, [eslintBin, "--format", "json", ...args], {
    cwd,
    env: cleanEnv(),
    extendEnv: false,
    reject: false,
    stdin: "ignore",
    timeout: 120_000,
  });
  if (result.exitCode !== 0 && result.exitCode !== 1) {
    throw new Error(`eslint exited with ${result.exitCode}:\n${result.stderr}\n${result.stdout}`);
  }
  const files = JSON.parse(result.stdout) as { filePath: string; messages: EslintMessage[] }[];
  return {
    exitCode: result.exitCode,
    messages: new Map(files.map((file) => [path.relative(cwd, file.filePath).split(path.sep).join("/"), file.messages])),
  };
}

const TS_CONFIG = `import tseslint from "typescript-eslint";
import asyncpat from "asyncpat/eslint";

export default [{ files: ["**/*.ts"], languageOptions: { parser: tseslint.parser } }, asyncpat.configs.recommended];
`;

const BARE_FETCH = `export async function loadRates(url: string) {
  const response = await fetch(url);
  return response.json();
}
`;

/** Each ESLint run loads ESLint, typescript-eslint and ts-morph afresh: seconds on a busy machine. */
const RUN_TIMEOUT = 300_000;

beforeAll(async () => {
  await assertBuilt();
});

describe("asyncpat/eslint in an ESLint 9 run", { timeout: RUN_TIMEOUT }, () => {
  it("reports asyncpat/missing-timeout on a bare fetch with typescript-eslint's parser and the recommended config, where `asyncpat lint` does", async () => {
    const dir = project({
      "eslint.config.js": TS_CONFIG,
      "src/rates.ts": BARE_FETCH,
      // a second rule on the same file, from the same engine run
      "src/jobs.ts": `async function refreshCache(url: string): Promise<void> {\n  if (!url) throw new Error("no cache url");\n}\n\nexport function onRequest(): void {\n  refreshCache("");\n}\n`,
      // test files get the presets' role defaults, as in \`asyncpat lint\`: no deadlines in tests
      "test/rates.test.ts": BARE_FETCH,
    });
    const { exitCode, messages } = await eslint(dir, ["."]);
    expect(exitCode).toBe(1);
    const rates = messages.get("src/rates.ts")!;
    expect(rates.map((message) => [message.ruleId, message.messageId, message.severity, message.line])).toEqual([
      ["asyncpat/missing-timeout", "fetch", 2, 2],
    ]);
    expect(messages.get("src/jobs.ts")!.map((message) => [message.ruleId, message.line])).toEqual([["asyncpat/floating-task", 6]]);
    expect(messages.get("test/rates.test.ts")).toEqual([]);

    const cli = await runCli(["lint", "src/rates.ts", "--format", "json", "--no-types"], { cwd: dir });
    const [expected] = (JSON.parse(cli.stdout) as { messages: EslintMessage[] }[])[0]!.messages;
    expect(rates[0]).toMatchObject({
      message: expected!.message,
      line: expected!.line,
      column: expected!.column,
      endLine: expected!.endLine,
      endColumn: expected!.endColumn,
    });
  });

  it("lints plain JavaScript parsed by espree, ESLint's default parser", async () => {
    const dir = project({
      "eslint.config.js": `import asyncpat from "asyncpat/eslint";\n\nexport default [asyncpat.configs.recommended];\n`,
      "src/rates.js": `export async function loadRates(url) {\n  const response = await fetch(url);\n  return response.json();\n}\n`,
    });
    const { messages } = await eslint(dir, ["src/rates.js"]);
    expect(messages.get("src/rates.js")!.map((message) => [message.ruleId, message.line, message.column])).toEqual([
      ["asyncpat/missing-timeout", 2, 26],
    ]);
  });

  it("applies asyncpat's fix with eslint --fix, and offers floating-task's suggestions", async () => {
    const dir = project({
      "eslint.config.js": TS_CONFIG,
      "src/rates.ts": BARE_FETCH,
      "src/start.ts": `async function warm(): Promise<void> {\n  throw new Error("cold");\n}\n\nexport function start(): void {\n  warm();\n}\n`,
    });
    const result = await execa(process.execPath, [eslintBin, "--format", "json", "--fix-dry-run", "src"], {
      cwd: dir,
      env: cleanEnv(),
      extendEnv: false,
      reject: false,
      stdin: "ignore",
      timeout: 120_000,
    });
    const files = JSON.parse(result.stdout) as {
      filePath: string;
      output?: string;
      messages: (EslintMessage & { suggestions?: { desc: string }[] })[];
    }[];
    const rates = files.find((file) => file.filePath.endsWith("rates.ts"))!;
    expect(rates.output).toContain("await fetch(url, { signal: AbortSignal.timeout(10000) })");
    expect(rates.messages).toEqual([]);
    const start = files.find((file) => file.filePath.endsWith("start.ts"))!;
    expect(start.messages.map((message) => message.ruleId)).toEqual(["asyncpat/floating-task"]);
    expect(start.messages[0]!.suggestions!.map((suggestion) => suggestion.desc).join("\n")).toMatch(/\.catch/);
  });

  it("uses the type checker when the ESLint setup has type information (projectService), and works without it", async () => {
    const withTypes = `import tseslint from "typescript-eslint";
import asyncpat from "asyncpat/eslint";

export default [
  { files: ["**/*.ts"], languageOptions: { parser: tseslint.parser, parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } } },
  asyncpat.configs.recommended,
];
`;
    const dir = project({
      "eslint.config.js": TS_CONFIG,
      "eslint.types.config.js": withTypes,
      "tsconfig.json": JSON.stringify({
        compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true },
        include: ["src"],
      }),
      "src/cache.ts": `export async function refreshCache(): Promise<void> {\n  const response = await fetch("http://localhost/rates", { signal: AbortSignal.timeout(1000) });\n  if (!response.ok) throw new Error("stale rates");\n}\n`,
      // only the checker knows that the imported function returns a promise
      "src/handler.ts": `import { refreshCache } from "./cache.js";\n\nexport function onRequest(): void {\n  refreshCache();\n}\n`,
    });
    const typed = await eslint(dir, ["--config", "eslint.types.config.js", "src/handler.ts"]);
    expect(typed.messages.get("src/handler.ts")!.map((message) => [message.ruleId, message.line])).toEqual([["asyncpat/floating-task", 4]]);
    const untyped = await eslint(dir, ["src/handler.ts"]);
    expect(untyped.messages.get("src/handler.ts")).toEqual([]);
  });

  it("is silenced by eslint-disable and by asyncpat-ignore comments, and asyncpat's notes on its own comments stay out of ESLint's report", async () => {
    const dir = project({
      "eslint.config.js": TS_CONFIG,
      "src/rates.ts": `export async function loadRates(url: string) {
  // eslint-disable-next-line asyncpat/missing-timeout
  const first = await fetch(url);
  // asyncpat-ignore-next-line missing-timeout -- the proxy in front bounds every request
  const second = await fetch(url);
  // asyncpat-ignore-next-line missing-timeout
  const third = await fetch(url);
  // asyncpat-ignore-next-line floating-task -- suppresses nothing
  const fourth = await fetch(url);
  return [first, second, third, fourth];
}
`,
    });
    const { messages } = await eslint(dir, ["src/rates.ts"]);
    expect(messages.get("src/rates.ts")!.map((message) => [message.ruleId, message.line])).toEqual([["asyncpat/missing-timeout", 9]]);
  });

  it("passes the rule options of the ESLint config to the rule, and ESLint checks them against the rule's schema", async () => {
    const config = (options: string) => `import tseslint from "typescript-eslint";
import asyncpat from "asyncpat/eslint";

export default [
  { files: ["**/*.ts"], languageOptions: { parser: tseslint.parser } },
  asyncpat.configs.recommended,
  { rules: { "asyncpat/missing-timeout": ["error", ${options}] } },
];
`;
    const dir = project({
      "eslint.config.js": config(`{ ignore: ["fetch"] }`),
      "eslint.axios.config.js": config(`{ ignore: ["axios"] }`),
      "eslint.wrong.config.js": config(`{ ignored: ["fetch"] }`),
      "src/rates.ts": BARE_FETCH,
    });
    expect((await eslint(dir, ["src/rates.ts"])).messages.get("src/rates.ts")).toEqual([]);
    const other = await eslint(dir, ["--config", "eslint.axios.config.js", "src/rates.ts"]);
    expect(other.messages.get("src/rates.ts")!.map((message) => message.ruleId)).toEqual(["asyncpat/missing-timeout"]);

    const wrong = await execa(process.execPath, [eslintBin, "--config", "eslint.wrong.config.js", "src/rates.ts"], {
      cwd: dir,
      env: cleanEnv(),
      extendEnv: false,
      reject: false,
      stdin: "ignore",
    });
    expect(wrong.exitCode).toBe(2);
    expect(wrong.stderr).toMatch(/asyncpat\/missing-timeout/);
    expect(wrong.stderr).toMatch(/ignored/);
  });

  it("declares types that a TypeScript eslint.config.ts can use", async () => {
    const dir = project({
      "tsconfig.json": JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          noEmit: true,
          skipLibCheck: true,
        },
        include: ["eslint.config.ts"],
      }),
      "eslint.config.ts": `import type { Linter, Rule } from "eslint";
import asyncpat from "asyncpat/eslint";

const rule: Rule.RuleModule | undefined = asyncpat.rules["missing-timeout"];
export default [asyncpat.configs.recommended, asyncpat.configs.strict, { rules: { "asyncpat/missing-timeout": rule ? "warn" : "off" } }] satisfies Linter.Config[];
`,
    });
    const tsc = await execa(process.execPath, [path.join(repoRoot, "node_modules", "typescript", "bin", "tsc"), "-p", "."], {
      cwd: dir,
      reject: false,
    });
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.exitCode).toBe(0);
  });
});

describe("asyncpat/eslint's rules and configs", () => {
  it("has every rule with a TypeScript implementation, with its docs URL, messages and option schema", async () => {
    const plugin = (await import(pathToFileURL(path.join(repoRoot, "dist", "src", "integrations", "eslint.js")).href)).default;
    const typescriptRules = allRules.filter((rule) => rule.implementations.typescript);
    expect(Object.keys(plugin.rules).sort()).toEqual(typescriptRules.map((rule) => rule.id).sort());
    for (const rule of typescriptRules) {
      const meta = plugin.rules[rule.id].meta;
      expect(meta.type, rule.id).toBe("problem");
      expect(meta.docs.description, rule.id).toBe(rule.meta.description);
      expect(meta.docs.url, rule.id).toBe(ruleDocsUrl(rule.id));
      expect(existsSync(path.join(repoRoot, new URL(meta.docs.url).pathname.replace(/^\/asyncpat@[^/]+\//, ""))), rule.id).toBe(true);
      expect(meta.messages, rule.id).toEqual(rule.implementations.typescript!.messages);
      const schema = ruleOptionsSchema(rule);
      expect(meta.schema, rule.id).toEqual(schema ? [schema] : []);
    }
  });

  it("recommended and strict carry the plugin and the presets' severities, without the rules that need the whole program", async () => {
    const plugin = (await import(pathToFileURL(path.join(repoRoot, "dist", "src", "integrations", "eslint.js")).href)).default;
    const perFile = allRules.filter((rule) => rule.implementations.typescript && rule.id !== "missing-graceful-shutdown");
    for (const [name, preset] of [
      ["recommended", "asyncpat:recommended"],
      ["strict", "asyncpat:strict"],
    ] as const) {
      const config = plugin.configs[name];
      expect(config.plugins.asyncpat).toBe(plugin);
      expect(config.rules).toEqual(Object.fromEntries(perFile.map((rule) => [`asyncpat/${rule.id}`, presetSeverity(preset, rule)])));
    }
    expect(plugin.configs.recommended.rules["asyncpat/missing-timeout"]).toBe("error");
    expect(Object.keys(plugin.configs.strict.rules)).not.toContain("asyncpat/missing-graceful-shutdown");
  });

  it("hands ESLint the messageId with the data that gives back asyncpat's text, or nothing when the text does not fit the template", () => {
    expect(messageData("`{{name}}` has no `signal`, so nothing bounds it.", "`fetch(url)` has no `signal`, so nothing bounds it.")).toEqual(
      {
        name: "fetch(url)",
      },
    );
    expect(messageData("{{held}} is held across {{call}} and {{held}} again", "lock is held across await x and lock again")).toEqual({
      held: "lock",
      call: "await x",
    });
    expect(messageData("{{held}} then {{held}}", "a then b")).toBeUndefined();
    expect(messageData("`{{name}}` has no `signal`.", "something else")).toBeUndefined();
  });
});
