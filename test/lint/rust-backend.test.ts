import path from "node:path";
import { describe, expect, it } from "vitest";
import { defineRule, defineRustRule, rustCallee, rustUseMap, resolveRustPath } from "../../src/lint/api.js";
import { lintFiles } from "../../src/lint/engine.js";
import { makeTree } from "../helpers/cli.js";

const events: string[] = [];
const spawnRule = defineRule({
  id: "spawn-probe",
  meta: {
    description: "test rule reporting tokio::spawn calls",
    why: "It exists to check the Rust backend's walk, positions, suppressions and use-map resolution.",
    category: "tasks",
    severity: "error",
  },
  implementations: {
    rust: defineRustRule({
      instead: "Nothing to do.",
      messages: { spawn: "spawn of {{path}}" },
      examples: { incorrect: [], correct: [] },
      create(context) {
        const uses = rustUseMap(context.root);
        return {
          function_item: (node) => void events.push(`enter ${node.childForFieldName("name")?.text}`),
          "function_item:exit": (node) => void events.push(`exit ${node.childForFieldName("name")?.text}`),
          call_expression(node) {
            const callee = rustCallee(node);
            if (!callee.path) return;
            const full = resolveRustPath(callee.path, uses);
            if (full === "tokio::spawn" || full === "tokio::task::spawn")
              context.report({ node, messageId: "spawn", data: { path: full } });
          },
        };
      },
    }),
  },
});

async function lintRust(files: Record<string, string>) {
  const dir = makeTree(files);
  const report = await lintFiles({
    files: Object.keys(files).map((name) => path.join(dir, name)),
    rules: [{ rule: spawnRule, severity: "warn", options: {} }],
    knownRuleIds: new Set(["spawn-probe"]),
    cwd: dir,
    types: false,
  });
  return report;
}

describe("rust backend", () => {
  it("walks once with enter/exit, resolves use paths, reports UTF-16 columns and honours suppressions", async () => {
    events.length = 0;
    const report = await lintRust({
      "main.rs": [
        "use tokio::task::spawn as go;",
        "fn outer() { fn inner() {} }",
        'async fn run() { let s = "é"; go(async {}); tokio::spawn(async {}); }',
        "// asyncpat-ignore-next-line spawn-probe -- joined below",
        "async fn quiet() { tokio::spawn(async {}); }",
      ].join("\n"),
    });
    expect(report.internalErrors).toEqual([]);
    expect(events.slice(0, 4)).toEqual(["enter outer", "enter inner", "exit inner", "exit outer"]);
    const messages = report.results[0]!.messages;
    expect(messages.map((m) => [m.line, m.column, m.message])).toEqual([
      [3, 31, "spawn of tokio::task::spawn"],
      [3, 45, "spawn of tokio::spawn"],
    ]);
  });

  it("reports a file that does not parse as one fatal message", async () => {
    const report = await lintRust({ "bad.rs": "fn main( {\n", "ok.rs": "async fn f() { tokio::spawn(async {}); }\n" });
    const [bad, ok] = report.results;
    expect(bad!.messages).toHaveLength(1);
    expect(bad!.messages[0]).toMatchObject({ ruleId: null, fatal: true, severity: 2 });
    expect(ok!.messages.map((m) => m.ruleId)).toEqual(["spawn-probe"]);
  });

  it("reads the items inside item-position macros (tokio's cfg_rt! { … }) at the file's own positions", async () => {
    const report = await lintRust({
      "lib.rs": [
        "cfg_rt! {",
        "    use tokio::spawn as go;",
        "    cfg_net! {",
        "        pub async fn serve() { go(async {}); }",
        "    }",
        "}",
        "impl Server {",
        "    crate::cfg_io! {",
        "        async fn run(&self) { tokio::spawn(async {}); }",
        "    }",
        "}",
      ].join("\n"),
    });
    expect(report.internalErrors).toEqual([]);
    expect(report.results[0]!.messages.map((m) => [m.line, m.column, m.message])).toEqual([
      [4, 32, "spawn of tokio::spawn"],
      [9, 31, "spawn of tokio::spawn"],
    ]);
  });

  it("leaves a macro whose body is not plain items a token tree, and macros inside a function body alone", async () => {
    const report = await lintRust({
      "lib.rs": [
        "define_service! {",
        '    name: "api", run: async { tokio::spawn(async {}); },',
        "}",
        "cfg_if::cfg_if! {",
        "    if #[cfg(unix)] { async fn a() { tokio::spawn(async {}); } } else { async fn b() {} }",
        "}",
        "async fn f() { my_macro! { tokio::spawn(async {}); } }",
      ].join("\n"),
    });
    expect(report.results[0]!.messages).toEqual([]);
  });

  it("parses 10,000 nested blocks", async () => {
    const report = await lintRust({ "deep.rs": `fn f() {\n${"{\n".repeat(10_000)}${"}\n".repeat(10_000)}}\n` });
    expect(report.results[0]!.messages).toEqual([]);
  });
});
