import { describe, expect, it } from "vitest";
import { makeTree, runCli } from "../helpers/cli.js";

// Rule options given in a config file, end to end: bad ones exit 2 naming the file and the key,
// good ones change what the rule reports.

describe("asyncpat lint: rule options in the config", () => {
  it("exits 2 on an unknown option, a wrongly typed option and an incomplete option entry, naming file and key", async () => {
    const cases: [unknown, RegExp][] = [
      [
        { rules: { "unbounded-channel": ["warn", { chanels: [] }] } },
        /asyncpat\.config\.json: rules\.unbounded-channel: unknown option "chanels" \(options of "unbounded-channel": channels\)/,
      ],
      [{ rules: { "floating-task": ["error", { allowVoid: "yes" }] } }, /rules\.floating-task: "allowVoid" must be boolean/],
      [
        { rules: { "unbounded-channel": ["warn", { channels: [{ module: "@acme/chan" }] }] } },
        /rules\.unbounded-channel: "channels\.0" must have required property/,
      ],
    ];
    for (const [config, pattern] of cases) {
      const dir = makeTree({ "asyncpat.config.json": JSON.stringify(config), "a.ts": "export const a = 1;\n" });
      const result = await runCli(["lint"], { cwd: dir });
      expect(result.exitCode, JSON.stringify(config)).toBe(2);
      expect(result.stderr, JSON.stringify(config)).toMatch(pattern);
    }
  });

  it("names package.json and its asyncpat key when the config lives there", async () => {
    const dir = makeTree({
      "package.json": JSON.stringify({ name: "app", asyncpat: { rules: { "async-interval": "bogus" } } }),
      "a.ts": "export const a = 1;\n",
    });
    const result = await runCli(["lint"], { cwd: dir });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /package\.json "asyncpat": rules\.async-interval: severity must be "off", "warn" or "error", not "bogus"/,
    );
  });

  it("a channel registered in unbounded-channel's options is reported without a capacity and quiet with one", async () => {
    const config = {
      rules: {
        "unbounded-channel": ["error", { channels: [{ module: "@acme/chan", export: "Channel", capacity: { argument: 0 } }] }],
      },
    };
    const source = [
      'import { Channel } from "@acme/chan";',
      "export const events = new Channel<string>();",
      "export const jobs = new Channel<string>(64);",
      "",
    ].join("\n");
    const dir = makeTree({ "asyncpat.config.json": JSON.stringify(config), "queues.ts": source });
    const result = await runCli(["lint", "--format", "json"], { cwd: dir });
    expect(result.exitCode, result.stderr).toBe(1);
    const [file] = JSON.parse(result.stdout) as { messages: { ruleId: string; line: number; severity: number }[] }[];
    expect(file!.messages.map((message) => [message.ruleId, message.line, message.severity])).toEqual([["unbounded-channel", 2, 2]]);
  });

  it("floating-task's allowVoid option lets `void promise` through", async () => {
    const source = [
      "async function save(entry: string) {",
      '  await fetch("https://audit.example.com", { method: "POST", body: entry, signal: AbortSignal.timeout(1000) });',
      "}",
      "export function record(entry: string) {",
      "  void save(entry);",
      "}",
      "",
    ].join("\n");
    const flagged = await runCli(["lint", "--format", "json"], { cwd: makeTree({ "audit.ts": source }) });
    expect(flagged.exitCode, flagged.stderr).toBe(1);
    expect((JSON.parse(flagged.stdout) as { messages: { ruleId: string }[] }[])[0]!.messages.map((message) => message.ruleId)).toEqual([
      "floating-task",
    ]);

    const config = { rules: { "floating-task": ["error", { allowVoid: true }] } };
    const allowed = await runCli(["lint"], { cwd: makeTree({ "asyncpat.config.json": JSON.stringify(config), "audit.ts": source }) });
    expect(allowed.exitCode, allowed.stdout + allowed.stderr).toBe(0);
  });
});
