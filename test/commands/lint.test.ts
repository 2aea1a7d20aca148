import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import ajvDraft04 from "ajv-draft-04";
import { describe, expect, it } from "vitest";
import { binPath, makeTree, repoRoot, runCli } from "../helpers/cli.js";

const overlapping = `export async function poll(): Promise<void> {}\n\nsetInterval(async () => {\n  await poll();\n}, 1000);\n`;
const clean = `export function add(a: number, b: number): number {\n  return a + b;\n}\n`;

interface EslintJson {
  filePath: string;
  messages: {
    ruleId: string | null;
    severity: number;
    message: string;
    line: number;
    column: number;
    endLine: number;
    endColumn: number;
    fatal?: boolean;
  }[];
  errorCount: number;
  warningCount: number;
}

describe("asyncpat lint: exit codes and stylish output", () => {
  it("exits 0 and prints nothing on clean code", async () => {
    const dir = makeTree({ "src/ok.ts": clean });
    const result = await runCli(["lint"], { cwd: dir });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe("");
  });

  it("exits 1 on an error and prints location, code frame, help, docs and a summary", async () => {
    const dir = makeTree({ "src/poller.ts": overlapping });
    const result = await runCli(["lint"], { cwd: dir });
    expect(result.exitCode).toBe(1);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toBe(path.join("src", "poller.ts"));
    expect(lines[1]).toMatch(/^ {2}3:1 {2}error {2}.+ {2}async-interval$/);
    expect(lines[2]).toBe("       3 | setInterval(async () => {");
    expect(lines[3]).toBe("           ^^^^^^^^^^^");
    expect(lines[4]).toMatch(/^ {4}help: /);
    expect(lines[5]).toMatch(/^ {4}docs: .*docs\/rules\/async-interval\.md$/);
    expect(result.stdout).toContain("✖ 1 problem (1 error, 0 warnings)");
    expect(result.stdout).not.toMatch(/\u001b\[/);
  });

  it("colours only when asked: FORCE_COLOR on, NO_COLOR and --no-color off", async () => {
    const dir = makeTree({ "a.ts": overlapping });
    expect((await runCli(["lint"], { cwd: dir, env: { FORCE_COLOR: "1" } })).stdout).toMatch(/\u001b\[/);
    expect((await runCli(["lint", "--no-color"], { cwd: dir, env: { FORCE_COLOR: "1" } })).stdout).not.toMatch(/\u001b\[/);
    expect((await runCli(["lint"], { cwd: dir, env: { NO_COLOR: "1", FORCE_COLOR: "1" } })).stdout).not.toMatch(/\u001b\[/);
  });

  it("--rule turns severities down and up; --max-warnings bounds warnings; --quiet hides them", async () => {
    const dir = makeTree({ "a.ts": overlapping });
    const warned = await runCli(["lint", "--rule", "async-interval=warn"], { cwd: dir });
    expect(warned.exitCode).toBe(0);
    expect(warned.stdout).toContain("warning");
    expect((await runCli(["lint", "--rule", "async-interval=warn", "--max-warnings", "0"], { cwd: dir })).exitCode).toBe(1);
    expect((await runCli(["lint", "--rule", "async-interval=warn", "--max-warnings", "1"], { cwd: dir })).exitCode).toBe(0);
    const quiet = await runCli(["lint", "--rule", "async-interval=warn", "--quiet"], { cwd: dir });
    expect(quiet.exitCode).toBe(0);
    expect(quiet.stdout).toBe("");
    expect((await runCli(["lint", "--rule", "async-interval=off"], { cwd: dir })).exitCode).toBe(0);
  });

  it("exits 2 on bad flags, naming the flag", async () => {
    const dir = makeTree({ "a.ts": clean });
    const cases: [string[], RegExp][] = [
      [["lint", "--format", "xml"], /--format/],
      [["lint", "--max-warnings", "many"], /--max-warnings/],
      [["lint", "--rule", "no-such-rule=error"], /unknown rule "no-such-rule"/],
      [["lint", "--rule", "async-intervall=error"], /Did you mean "async-interval"/],
      [["lint", "--rule", "async-interval=loud"], /severity must be/],
      [["lint", "--rule", "async-interval"], /--rule <id>=off\|warn\|error/],
      [["lint", "missing/"], /No such file or folder: missing\//],
      [["lint", "--config", "nope.json"], /--config nope\.json: no such file/],
      [["lint", "--tsconfig", "nope.json"], /--tsconfig nope\.json: no such file/],
      [["lint", "src/**/*.ts"], /No files match the pattern/],
    ];
    for (const [args, pattern] of cases) {
      const result = await runCli(args, { cwd: dir });
      expect(result.exitCode, args.join(" ")).toBe(2);
      expect(result.stderr, args.join(" ")).toMatch(pattern);
    }
  }, 180_000);
});

describe("asyncpat lint: formats", () => {
  it("json is ESLint's format, one entry per linted file", async () => {
    const dir = makeTree({ "a.ts": overlapping, "b.ts": clean });
    const result = await runCli(["lint", "--format", "json"], { cwd: dir });
    expect(result.exitCode).toBe(1);
    const parsed = JSON.parse(result.stdout) as EslintJson[];
    expect(parsed.map((entry) => path.basename(entry.filePath))).toEqual(["a.ts", "b.ts"]);
    expect(parsed[0]).toMatchObject({ errorCount: 1, warningCount: 0 });
    expect(parsed[0]!.messages[0]).toMatchObject({ ruleId: "async-interval", severity: 2, line: 3, column: 1, endLine: 3, endColumn: 12 });
    expect(parsed[1]).toMatchObject({ messages: [], errorCount: 0, warningCount: 0 });
  });

  it("sarif validates against the SARIF 2.1.0 schema, with relative uris and stable fingerprints", async () => {
    const dir = makeTree({ "src/a.ts": overlapping });
    const first = await runCli(["lint", "--format", "sarif"], { cwd: dir });
    expect(first.exitCode).toBe(1);
    const log = JSON.parse(first.stdout);
    const require = createRequire(import.meta.url);
    const schemaPath = path.join(path.dirname(require.resolve("@microsoft/jest-sarif/package.json")), "lib/schemas/sarif-2.1.0-rtm.5.json");
    const schema = JSON.parse(readFileSync(schemaPath, "utf8"));
    // A CommonJS module: under NodeNext its default import is the whole exports object.
    type Validator = ((data: unknown) => boolean) & { errors?: unknown };
    const Ajv04 = (ajvDraft04 as unknown as { default: new (options: object) => { compile(schema: unknown): Validator } }).default;
    const validate = new Ajv04({ strict: false, allErrors: true, validateFormats: false, unicodeRegExp: false }).compile(schema);
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
    expect(validate({ ...log, runs: [{ ...log.runs[0], results: [{ ...log.runs[0].results[0], level: "fatal" }] }] })).toBe(false);
    const run = log.runs[0];
    expect(run.tool.driver).toMatchObject({ name: "asyncpat", informationUri: expect.stringMatching(/^https:/) });
    expect(run.tool.driver.rules.map((rule: { id: string }) => rule.id)).toContain("async-interval");
    const result = run.results[0];
    expect(result).toMatchObject({ ruleId: "async-interval", level: "error" });
    expect(result.locations[0].physicalLocation.artifactLocation.uri).toBe("src/a.ts");
    expect(result.locations[0].physicalLocation.region).toMatchObject({ startLine: 3, startColumn: 1, endLine: 3, endColumn: 12 });

    writeFileSync(path.join(dir, "src/a.ts"), `// moved down\n\n${overlapping}`);
    const moved = JSON.parse((await runCli(["lint", "--format", "sarif"], { cwd: dir })).stdout);
    expect(moved.runs[0].results[0].locations[0].physicalLocation.region.startLine).toBe(5);
    expect(moved.runs[0].results[0].partialFingerprints).toEqual(result.partialFingerprints);
  });

  it("github prints escaped workflow annotations", async () => {
    const dir = makeTree({ "dir,with:odd/a.ts": overlapping, "b.ts": "let = ;\n" });
    const result = await runCli(["lint", "--format", "github", "--rule", "async-interval=warn"], { cwd: dir });
    const lines = result.stdout.trim().split("\n");
    expect(lines).toContainEqual(
      "::error file=b.ts,line=1,col=7,endLine=1,endColumn=7,title=parse-error::Parsing error: Expression expected.",
    );
    const warning = lines.find((line) => line.startsWith("::warning"))!;
    expect(warning).toMatch(/^::warning file=dir%2Cwith%3Aodd\/a\.ts,line=3,col=1,endLine=3,endColumn=12,title=async-interval::/);
    expect(warning).toContain("%0A");
  });

  it("--output-file that cannot be written is a usage error naming the flag", async () => {
    const dir = makeTree({ "a.ts": overlapping, taken: "a file, not a folder\n" });
    const result = await runCli(["lint", "--output-file", "taken/report.json"], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/^asyncpat: --output-file taken\/report\.json: cannot write the report/);
    expect(result.stderr).not.toContain("internal error");
  });

  it("stops quietly when the reader of its output goes away (| head)", async () => {
    const files = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`f${i}.ts`, overlapping]));
    const dir = makeTree(files);
    const { execa } = await import("execa");
    const result = await execa("sh", ["-c", `"${process.execPath}" "${binPath}" lint --format json | head -c 5`], {
      cwd: dir,
      reject: false,
    });
    expect(String(result.stdout)).toBe('[{"fi');
    expect(String(result.stderr)).toBe("");
  });

  it("--output-file writes the report instead of printing it", async () => {
    const dir = makeTree({ "a.ts": overlapping });
    const result = await runCli(["lint", "--format", "sarif", "--output-file", "out/report.sarif"], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe("");
    expect(JSON.parse(readFileSync(path.join(dir, "out/report.sarif"), "utf8")).version).toBe("2.1.0");
  });
});

describe("asyncpat lint: configuration", () => {
  it("reads asyncpat.config.json, .asyncpatrc.json and package.json#asyncpat, walking up", async () => {
    for (const [name, content] of [
      ["asyncpat.config.json", { rules: { "async-interval": "off" } }],
      [".asyncpatrc.json", { rules: { "async-interval": "off" } }],
      ["package.json", { name: "x", asyncpat: { rules: { "async-interval": "off" } } }],
    ] as const) {
      const dir = makeTree({ [name]: JSON.stringify(content), "src/deep/a.ts": overlapping });
      const result = await runCli(["lint", "."], { cwd: path.join(dir, "src") });
      expect(result.exitCode, name).toBe(0);
    }
  });

  it("applies ignore globs relative to the config file", async () => {
    const dir = makeTree({
      "asyncpat.config.json": JSON.stringify({ ignore: ["generated/**", "legacy"] }),
      "generated/a.ts": overlapping,
      "legacy/old.ts": overlapping,
      "src/ok.ts": clean,
    });
    expect((await runCli(["lint"], { cwd: dir })).exitCode).toBe(0);
  });

  it("extends asyncpat:strict makes warnings errors", async () => {
    const dir = makeTree({ "asyncpat.config.json": JSON.stringify({ extends: "asyncpat:strict" }), "a.ts": overlapping });
    expect((await runCli(["lint", "--format", "json"], { cwd: dir })).exitCode).toBe(1);
  });

  it("reports invalid config with the file and the key, exit 2", async () => {
    const cases: [string, RegExp][] = [
      ['{\n  "rules": {\n    "async-interval": "off",\n  }\n}', /asyncpat\.config\.json:4:3: invalid JSON/],
      ['{ "rules": { "async-intervals": "off" } }', /rules: unknown rule "async-intervals"\. Did you mean "async-interval"\?/],
      ['{ "rules": { "async-interval": "on" } }', /rules\.async-interval: severity must be "off", "warn" or "error", not "on"/],
      ['{ "rules": { "async-interval": ["warn", { "x": 1 }] } }', /rules\.async-interval: rule "async-interval" takes no options/],
      ['{ "extends": "eslint:recommended" }', /"extends" must be one of "asyncpat:recommended", "asyncpat:strict"/],
      ['{ "ignores": [] }', /unknown key "ignores"/],
      ['{ "ignore": "dist" }', /"ignore" must be an array of glob strings/],
      ["[]", /must be a JSON object/],
    ];
    for (const [config, pattern] of cases) {
      const dir = makeTree({ "asyncpat.config.json": config, "a.ts": clean });
      const result = await runCli(["lint"], { cwd: dir });
      expect(result.exitCode, config).toBe(2);
      expect(result.stderr, config).toContain("asyncpat.config.json");
      expect(result.stderr, config).toMatch(pattern);
    }
  });
});

describe("asyncpat lint: suppressions", () => {
  it("next-line and file suppressions silence findings; unused or unexplained ones warn", async () => {
    const dir = makeTree({
      "next.ts": `export async function poll(): Promise<void> {}\n// asyncpat-ignore-next-line async-interval -- poll() guards re-entry itself\nsetInterval(async () => { await poll(); }, 1000);\n`,
      "file.ts": `/* asyncpat-ignore-file async-interval -- a fixture of the bug */\nexport async function poll(): Promise<void> {}\nsetInterval(async () => { await poll(); }, 1000);\n`,
      "stale.ts": `// asyncpat-ignore-next-line async-interval -- was needed once\nexport const x = 1;\n// asyncpat-ignore-next-line no-such-rule -- typo\nexport const y = 2;\n`,
      "string.ts": `export const text = "// asyncpat-ignore-next-line async-interval";\n`,
      "template.ts": "export const n = 1;\nexport const t = `${n}\n// asyncpat-ignore-next-line async-interval -- in a template\n${n}`;\n",
    });
    const result = await runCli(["lint", "--format", "json"], { cwd: dir });
    const byFile = Object.fromEntries(
      (JSON.parse(result.stdout) as EslintJson[]).map((entry) => [path.basename(entry.filePath), entry.messages]),
    );
    expect(byFile["next.ts"]).toEqual([]);
    expect(byFile["file.ts"]).toEqual([]);
    expect(byFile["string.ts"]).toEqual([]);
    expect(byFile["template.ts"]).toEqual([]);
    expect(byFile["stale.ts"]!.map((m) => [m.line, m.ruleId, m.severity])).toEqual([
      [1, null, 1],
      [3, null, 1],
    ]);
    expect(byFile["stale.ts"]![0]!.message).toMatch(/Unused suppression/);
    expect(byFile["stale.ts"]![1]!.message).toMatch(/unknown rule "no-such-rule"/);
    expect(result.exitCode).toBe(0);
  });
});

describe("asyncpat lint: bad input never crashes the run", () => {
  it("reports a file that does not parse as one fatal message and lints the others", async () => {
    const dir = makeTree({ "broken.ts": "export function (\n", "a.ts": overlapping });
    const result = await runCli(["lint", "--format", "json"], { cwd: dir });
    expect(result.exitCode).toBe(1);
    const parsed = JSON.parse(result.stdout) as EslintJson[];
    const broken = parsed.find((entry) => entry.filePath.endsWith("broken.ts"))!;
    expect(broken.messages).toHaveLength(1);
    expect(broken.messages[0]).toMatchObject({ ruleId: null, severity: 2, fatal: true });
    expect(parsed.find((entry) => entry.filePath.endsWith("a.ts"))!.errorCount).toBe(1);
  });

  it("survives binary files, a minified bundle, a huge file and 10,000 levels of nesting", async () => {
    const minified = `${Array.from({ length: 3000 }, (_, i) => `function f${i}(a){return a+${i}}`).join(";")};setInterval(async()=>{await f1(1)},9);`;
    const deep = `export const x = ${"[\n".repeat(10_000)}${"]\n".repeat(10_000)};\n`;
    const deepBlocks = `export async function f(a: boolean) {\n${"if (a) {\n".repeat(10_000)}setInterval(async () => { await f(a); }, 9);\n${"}\n".repeat(10_000)}}\n`;
    const huge = `export const big = [\n${"  1,\n".repeat(1_100_000)}];\n`;
    const dir = makeTree({
      "video.ts": Buffer.from([0x47, 0x40, 0x00, 0x10, 0x00, 0x00, 0xb0, 0x0d, 0x00, 0x01]),
      "bundle.min.js": minified,
      "deep.ts": deep,
      "deep-blocks.ts": deepBlocks,
      "huge.ts": huge,
      "a.ts": clean,
    });
    const result = await runCli(["lint", "--format", "json"], { cwd: dir });
    expect(result.stderr).toBe("");
    const parsed = JSON.parse(result.stdout) as EslintJson[];
    const names = parsed.map((entry) => path.basename(entry.filePath));
    expect(names).not.toContain("video.ts");
    expect(names).toContain("a.ts");
    // a minified bundle is generated code: not linted unless the config asks for it
    expect(names).not.toContain("bundle.min.js");
    const byName = Object.fromEntries(parsed.map((entry) => [path.basename(entry.filePath), entry]));
    expect(byName["deep.ts"]!.messages).toEqual([]);
    expect(byName["deep-blocks.ts"]!.messages.map((m) => [m.ruleId, m.line])).toEqual([["async-interval", 10_002]]);
    expect(byName["huge.ts"]!.messages[0]!.message).toMatch(/File skipped/);
    expect(result.exitCode).toBe(1);
    writeFileSync(path.join(dir, "asyncpat.config.json"), JSON.stringify({ roles: { generated: "lint" } }));
    const bundle = JSON.parse((await runCli(["lint", "--format", "json", "bundle.min.js"], { cwd: dir })).stdout) as EslintJson[];
    expect(bundle[0]!.messages.map((m) => m.ruleId)).toEqual(["async-interval"]);
    const stylish = await runCli(["lint", "bundle.min.js"], { cwd: dir });
    const frame = stylish.stdout.split("\n").find((line) => line.includes(" | "))!;
    expect(frame.length).toBeLessThan(160);
  });

  it("lints files named directly and skips names it cannot lint, as a pre-commit hook needs", async () => {
    const dir = makeTree({ "a.ts": overlapping, "README.md": "# hi\n", "style.css": "a{}\n" });
    const result = await runCli(["lint", "--format", "json", "README.md", "style.css", "a.ts"], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect((JSON.parse(result.stdout) as EslintJson[]).map((entry) => path.basename(entry.filePath))).toEqual(["a.ts"]);
    expect((await runCli(["lint", "README.md"], { cwd: dir })).exitCode).toBe(0);
  });

  it("expands quoted globs and skips node_modules, dist, build, coverage and .git", async () => {
    const dir = makeTree({
      "src/a.ts": overlapping,
      "src/b.js": clean,
      "node_modules/x/index.ts": overlapping,
      "dist/a.js": overlapping,
      "build/a.js": overlapping,
      "coverage/a.js": overlapping,
      ".git/hooks/a.js": overlapping,
    });
    const all = JSON.parse((await runCli(["lint", "--format", "json"], { cwd: dir })).stdout) as EslintJson[];
    expect(all.map((entry) => path.relative(dir, entry.filePath))).toEqual([path.join("src", "a.ts"), path.join("src", "b.js")]);
    const globbed = JSON.parse((await runCli(["lint", "--format", "json", "src/**/*.ts"], { cwd: dir })).stdout) as EslintJson[];
    expect(globbed.map((entry) => path.basename(entry.filePath))).toEqual(["a.ts"]);
  });
});

describe("asyncpat --version and --help", () => {
  it("prints the version without loading the TypeScript compiler or ts-morph", async () => {
    const dir = makeTree({
      "trace.mjs": `import { registerHooks } from "node:module";\n`,
      "hooks.mjs": `export async function resolve(specifier, context, next) {\n  if (specifier.includes("ts-morph") || specifier.includes("typescript") || specifier === "#compiler") process.stderr.write("LOADED " + specifier + "\\n");\n  return next(specifier, context);\n}\n`,
      "register.mjs": `import { register } from "node:module";\nregister("./hooks.mjs", import.meta.url);\n`,
    });
    const { execa } = await import("execa");
    const result = await execa(
      process.execPath,
      ["--import", path.join(dir, "register.mjs"), path.join(repoRoot, "bin/asyncpat.js"), "--version"],
      { reject: false },
    );
    expect(result.exitCode).toBe(0);
    expect(String(result.stdout).trim()).toBe(JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")).version);
    expect(String(result.stderr)).not.toContain("LOADED");
    const control = await execa(
      process.execPath,
      ["--import", path.join(dir, "register.mjs"), path.join(repoRoot, "bin/asyncpat.js"), "lint", dir],
      { reject: false },
    );
    // the TypeScript compiler comes in through #compiler (ts-morph itself only when a program is built)
    expect(String(control.stderr)).toContain("LOADED #compiler");
  });

  it("lists the rules as text and JSON", async () => {
    const dir = makeTree({});
    const text = await runCli(["rules"], { cwd: dir });
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toMatch(/^rule\s+recommended\s+strict\s+types\s+languages\s+fixes\s+description/);
    expect(text.stdout).toMatch(/^missing-timeout\s.*\bfix, suggest\s/m);
    expect(text.stdout).toMatch(/^floating-task\s.*\bts\/js, rust\s+suggest\s/m);
    const json = JSON.parse((await runCli(["rules", "--format", "json"], { cwd: dir })).stdout);
    expect(json[0]).toMatchObject({
      id: expect.any(String),
      recommended: expect.stringMatching(/warn|error/),
      needsTypes: expect.any(Boolean),
    });
    const byId = new Map((json as { id: string; fixable: boolean; hasSuggestions: boolean }[]).map((entry) => [entry.id, entry]));
    expect(byId.get("missing-timeout")).toMatchObject({ fixable: true, hasSuggestions: true });
    expect(byId.get("unbounded-channel")).toMatchObject({ fixable: false, hasSuggestions: false });
  });
});
