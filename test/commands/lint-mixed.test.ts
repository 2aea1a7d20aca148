import { describe, expect, it } from "vitest";
import { makeTree, runCli } from "../helpers/cli.js";

const tree = {
  "web/poller.ts": `export async function poll(): Promise<void> {}\nsetInterval(async () => {\n  await poll();\n}, 1000);\n`,
  "engine/src/pipeline.rs": `use tokio::sync::mpsc;\n\npub async fn pipeline() {\n    let (tx, _rx) = mpsc::unbounded_channel::<Vec<u8>>();\n    drop(tx);\n}\n`,
  "engine/src/ok.rs": `pub fn add(a: u32, b: u32) -> u32 { a + b }\n`,
};

describe("asyncpat lint on a mixed TypeScript + Rust repository", () => {
  it("reports both languages in stylish, json, sarif and github", async () => {
    const dir = makeTree(tree);
    const stylish = await runCli(["lint"], { cwd: dir });
    expect(stylish.exitCode).toBe(1);
    expect(stylish.stdout).toMatch(/web\/poller\.ts\n {2}2:1 {2}error .* async-interval/);
    expect(stylish.stdout).toMatch(/engine\/src\/pipeline\.rs\n {2}4:21 {2}warning .* unbounded-channel/);
    expect(stylish.stdout).toContain("       4 |     let (tx, _rx) = mpsc::unbounded_channel::<Vec<u8>>();");

    const json = JSON.parse((await runCli(["lint", "--format", "json"], { cwd: dir })).stdout) as {
      filePath: string;
      messages: { ruleId: string; line: number }[];
    }[];
    expect(json.map((file) => [file.filePath.slice(dir.length + 1), file.messages.map((m) => `${m.ruleId}:${m.line}`)])).toEqual([
      ["engine/src/ok.rs", []],
      ["engine/src/pipeline.rs", ["unbounded-channel:4"]],
      ["web/poller.ts", ["async-interval:2"]],
    ]);

    const sarif = JSON.parse((await runCli(["lint", "--format", "sarif"], { cwd: dir })).stdout);
    expect(
      sarif.runs[0].results.map((result: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) => [
        result.ruleId,
        result.locations[0]!.physicalLocation.artifactLocation.uri,
      ]),
    ).toEqual([
      ["unbounded-channel", "engine/src/pipeline.rs"],
      ["async-interval", "web/poller.ts"],
    ]);

    const github = (await runCli(["lint", "--format", "github"], { cwd: dir })).stdout.trim().split("\n");
    expect(github.map((line) => line.split("::")[1]!.split(",")[0])).toEqual([
      "warning file=engine/src/pipeline.rs",
      "error file=web/poller.ts",
    ]);
  });

  it("applies the same config, --rule and suppressions to Rust files", async () => {
    const dir = makeTree({
      ...tree,
      "engine/src/pipeline.rs": `use tokio::sync::mpsc;\n\npub async fn pipeline() {\n    // asyncpat-ignore-next-line unbounded-channel -- drained by a bounded consumer downstream\n    let (tx, _rx) = mpsc::unbounded_channel::<Vec<u8>>();\n    drop(tx);\n}\n`,
      "engine/src/strict.rs": `pub fn f() { let (a, b) = flume::unbounded::<u8>(); }\n`,
    });
    const result = await runCli(
      ["lint", "--format", "json", "--rule", "unbounded-channel=error", "--rule", "async-interval=off", "engine"],
      { cwd: dir },
    );
    const json = JSON.parse(result.stdout) as { filePath: string; messages: { ruleId: string; severity: number; line: number }[] }[];
    expect(
      json.flatMap((file) => file.messages.map((m) => `${file.filePath.slice(dir.length + 1)}:${m.line} ${m.ruleId} ${m.severity}`)),
    ).toEqual(["engine/src/strict.rs:1 unbounded-channel 2"]);
    expect(result.exitCode).toBe(1);
  });
});
