import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  addGitlabJob,
  addHookLine,
  addJsonProperty,
  addLefthookCommand,
  addPreCommitRepo,
  type MergeOutcome,
} from "../../../src/scaffold/init/merge.js";

function changed(outcome: MergeOutcome): string {
  expect(outcome.kind).toBe("changed");
  return (outcome as { text: string }).text;
}

describe("addJsonProperty (package.json)", () => {
  it("adds a key to an existing object in the file's own indentation, keeping everything else byte for byte", () => {
    const text = `{\n    "name": "svc",\n    "scripts": {\n        "test": "vitest"\n    }\n}\n`;
    expect(changed(addJsonProperty(text, "scripts", "lint:async", "asyncpat lint"))).toBe(
      `{\n    "name": "svc",\n    "scripts": {\n        "test": "vitest",\n        "lint:async": "asyncpat lint"\n    }\n}\n`,
    );
  });

  it("creates the parent object when missing, with tabs and CRLF line ends as the file has them", () => {
    const text = `{\r\n\t"name": "svc"\r\n}`;
    expect(changed(addJsonProperty(text, "scripts", "lint:async", "asyncpat lint"))).toBe(
      `{\r\n\t"name": "svc",\r\n\t"scripts": {\r\n\t\t"lint:async": "asyncpat lint"\r\n\t}\r\n}`,
    );
  });

  it("fills an empty object and keeps a one-line object on one line", () => {
    expect(changed(addJsonProperty(`{\n  "scripts": {}\n}\n`, "scripts", "a", "b"))).toBe(`{\n  "scripts": {\n    "a": "b"\n  }\n}\n`);
    expect(changed(addJsonProperty(`{"scripts":{"x":"y"}}`, "scripts", "a", "b"))).toBe(`{"scripts":{"x":"y", "a": "b"}}`);
  });

  it("leaves the same value unchanged and never replaces a different one", () => {
    const text = `{\n  "scripts": { "lint:async": "asyncpat lint --quiet" }\n}\n`;
    expect(addJsonProperty(text, "scripts", "lint:async", "asyncpat lint --quiet")).toEqual({ kind: "unchanged" });
    expect(addJsonProperty(text, "scripts", "lint:async", "asyncpat lint")).toEqual({
      kind: "conflict",
      reason: expect.stringContaining(`already sets "scripts"."lint:async"`),
    });
  });

  it("reports a file that is not JSON or whose parent is not an object", () => {
    expect(addJsonProperty(`{ name: 1 }`, "scripts", "a", "b").kind).toBe("conflict");
    expect(addJsonProperty(`{ "scripts": [] }`, "scripts", "a", "b")).toEqual({ kind: "conflict", reason: `"scripts" is not an object` });
  });

  it("handles strings with braces and escapes before the insertion point", () => {
    const text = `{\n  "description": "a {tricky} \\"one\\" }",\n  "scripts": {\n    "x": "echo }"\n  }\n}\n`;
    const next = changed(addJsonProperty(text, "scripts", "a", "b"));
    expect(JSON.parse(next)).toEqual({ description: 'a {tricky} "one" }', scripts: { x: "echo }", a: "b" } });
  });
});

describe("addPreCommitRepo (.pre-commit-config.yaml)", () => {
  const entry = { repo: "local", hooks: [{ id: "asyncpat-lint", entry: "npx asyncpat lint", language: "system" }] };

  it("appends a repos entry in the list's own style (pre-commit's sample: four spaces after the dash), keeping comments", () => {
    const text = `# hooks\nrepos:\n-   repo: https://github.com/pre-commit/pre-commit-hooks\n    rev: v4.6.0\n    hooks:\n    -   id: trailing-whitespace # keep\nexclude: ^vendor/\n`;
    const next = changed(addPreCommitRepo(text, entry, "asyncpat-lint"));
    expect(next.startsWith(text.slice(0, text.indexOf("exclude")))).toBe(true);
    expect(next).toContain("# keep\n-   repo: local\n");
    expect(next.endsWith("exclude: ^vendor/\n")).toBe(true);
    expect(parse(next).repos).toEqual([
      { repo: "https://github.com/pre-commit/pre-commit-hooks", rev: "v4.6.0", hooks: [{ id: "trailing-whitespace" }] },
      entry,
    ]);
  });

  it("appends under an indented list too, and is unchanged once the hook is there", () => {
    const text = `repos:\n  - repo: https://example.com/x\n    rev: v1\n    hooks:\n      - id: x\n`;
    const next = changed(addPreCommitRepo(text, entry, "asyncpat-lint"));
    expect(next.startsWith(text)).toBe(true);
    expect(parse(next).repos[1]).toEqual(entry);
    expect(addPreCommitRepo(next, entry, "asyncpat-lint")).toEqual({ kind: "unchanged" });
  });

  it("leaves a flow list and a broken file alone", () => {
    expect(addPreCommitRepo(`repos: []\n`, entry, "asyncpat-lint").kind).toBe("conflict");
    expect(addPreCommitRepo(`repos:\n  - repo: [\n`, entry, "asyncpat-lint")).toEqual({
      kind: "conflict",
      reason: expect.stringContaining("does not parse as YAML"),
    });
  });
});

describe("addLefthookCommand (lefthook.yml)", () => {
  const command = { glob: "*.{ts,rs}", run: "npx asyncpat lint {staged_files}" };

  it("adds a command under pre-commit.commands in the file's indentation", () => {
    const text = `pre-commit:\n    parallel: true\n    commands:\n        eslint:\n            run: npx eslint {staged_files}\npre-push:\n    commands: {}\n`;
    const next = changed(addLefthookCommand(text, "asyncpat", command));
    expect(next).toContain(`            run: npx eslint {staged_files}\n        asyncpat:\n`);
    expect(parse(next)["pre-commit"].commands).toEqual({ eslint: { run: "npx eslint {staged_files}" }, asyncpat: command });
    expect(parse(next)["pre-push"]).toEqual({ commands: {} });
    expect(addLefthookCommand(next, "asyncpat", command)).toEqual({ kind: "unchanged" });
  });

  it("adds pre-commit when the file has none, and commands when pre-commit has none", () => {
    expect(parse(changed(addLefthookCommand(`pre-push:\n  commands: {}\n`, "asyncpat", command)))["pre-commit"]).toEqual({
      commands: { asyncpat: command },
    });
    expect(parse(changed(addLefthookCommand(`pre-commit:\n  parallel: true\n`, "asyncpat", command)))["pre-commit"]).toEqual({
      parallel: true,
      commands: { asyncpat: command },
    });
  });
});

describe("addGitlabJob (.gitlab-ci.yml)", () => {
  const job = `\nasyncpat:\n  stage: test\n  script:\n    - npx asyncpat lint\n`;

  it("appends a top-level job and is unchanged the second time", () => {
    const text = `stages: [build, test]\nbuild:\n  script: make\n`;
    const next = changed(addGitlabJob(text, "asyncpat", job));
    expect(next).toBe(text + job);
    expect(addGitlabJob(next, "asyncpat", job)).toEqual({ kind: "unchanged" });
  });

  it("leaves the file alone when its stages have no stage for the job", () => {
    expect(addGitlabJob(`stages: [build, deploy]\n`, "asyncpat", job)).toEqual({
      kind: "conflict",
      reason: expect.stringContaining("no `test` stage"),
    });
  });
});

describe("addHookLine (.husky/pre-commit)", () => {
  it("appends a line once", () => {
    const next = changed(addHookLine("npx lint-staged", "npx asyncpat lint", "asyncpat lint"));
    expect(next).toBe("npx lint-staged\nnpx asyncpat lint\n");
    expect(addHookLine(next, "npx asyncpat lint", "asyncpat lint")).toEqual({ kind: "unchanged" });
  });
});
