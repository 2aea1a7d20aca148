import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, expect, it } from "vitest";
import { discoverTemplates } from "../../src/scaffold/discover.js";
import { renderTemplate } from "../../src/scaffold/render.js";
import { assertBuilt, cliPath, listFiles, tempDir } from "../scaffold/helpers.js";
import { cleanEnv } from "../helpers/cli.js";
import { describeWithTools, SCRIPT } from "../helpers/system-tools.js";

// util-linux `script` gives the CLI a pseudo-terminal on stdin and stdout (no native module needed);
// we type into its stdin and read the screen from its stdout.
const catalog = discoverTemplates();
const firstTs = catalog.templates.find((t) => t.lang === "ts");

const strip = (text: string): string => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r/g, "");

class Session {
  readonly child: ChildProcessWithoutNullStreams;
  screen = "";
  readonly exited: Promise<number | null>;
  hasExited = false;

  constructor(cwd: string, args: string[], env: Record<string, string> = {}) {
    const command = [process.execPath, cliPath, ...args].map((word) => `'${word.replace(/'/g, "'\\''")}'`).join(" ");
    this.child = spawn("script", ["-qfec", command, "/dev/null"], { cwd, env: { ...cleanEnv(env), TERM: "xterm-256color" } });
    this.child.stdout.on("data", (chunk: Buffer) => (this.screen += chunk.toString("utf8")));
    this.child.stderr.on("data", (chunk: Buffer) => (this.screen += chunk.toString("utf8")));
    this.exited = new Promise((resolve) =>
      this.child.on("exit", (code) => {
        this.hasExited = true;
        resolve(code);
      }),
    );
  }

  get text(): string {
    return strip(this.screen);
  }

  /** Number of answered prompts: inquirer marks each with ✔ once it is done. */
  get answered(): number {
    return (this.text.match(/✔ /g) ?? []).length;
  }

  /** The question on screen that has not been answered yet, if any. */
  pendingQuestion(): string | undefined {
    const text = this.text;
    const lastDone = text.lastIndexOf("✔ ");
    const after = lastDone === -1 ? text : text.slice(text.indexOf("\n", lastDone) === -1 ? text.length : text.indexOf("\n", lastDone));
    return /\? ([^\n]+)/.exec(after)?.[1];
  }

  async waitFor(predicate: () => boolean, what: string, ms = 15_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!predicate()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${this.text}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  type(keys: string): void {
    this.child.stdin.write(keys);
  }

  /** Answers every question with `answer(question)` until the process exits; returns the questions. */
  async answerAll(answer: (question: string) => string): Promise<string[]> {
    const questions: string[] = [];
    for (;;) {
      const before = this.answered;
      await this.waitFor(() => this.hasExited || this.pendingQuestion() !== undefined, "a question");
      if (this.hasExited) return questions;
      const question = this.pendingQuestion() as string;
      questions.push(question);
      this.type(answer(question));
      await this.waitFor(() => this.hasExited || this.answered > before, `the answer to "${question}" to be accepted`);
    }
  }
}

beforeAll(assertBuilt);

describeWithTools("asyncpat new in a terminal (pseudo-terminal through `script`)", firstTs ? [SCRIPT] : [], () => {
  it("asks for directory, language, template, options, package manager, install and git, then writes the project", async () => {
    const cwd = await tempDir();
    const session = new Session(cwd, ["new"]);
    const questions = await session.answerAll((question) => {
      if (question.startsWith("Project directory")) return "my-app\r";
      if (question.startsWith("Install dependencies")) return "n\r";
      if (question.startsWith("Initialise a git repository")) return "n\r";
      return "\r"; // the default: TypeScript, the first template, each option's default, npm
    });
    expect(await session.exited, session.text).toBe(0);
    const asked = questions.map((question) => question.replace(/ \(.*$|\?.*$/, ""));
    expect(asked[0]).toBe("Project directory");
    expect(asked).toContain("Template");
    expect(asked).toContain("Package manager");
    expect(asked).toContain("Install dependencies with npm");
    expect(asked.at(-1)).toBe("Initialise a git repository with a first commit");
    if (new Set(catalog.templates.map((t) => t.lang)).size > 1) expect(asked[1]).toBe("Language");

    expect(await readdir(cwd)).toEqual(["my-app"]);
    const files = await listFiles(path.join(cwd, "my-app"));
    expect(files).toContain("package.json");
    expect(files).not.toContain(".git/HEAD");
    expect(JSON.parse(await readFile(path.join(cwd, "my-app", "package.json"), "utf8")).name).toBe("my-app");
    expect(session.text).toMatch(/Next steps:\n {2}cd my-app\n {2}npm install\n/);
  }, 60_000);

  const withChoice = catalog.templates.find(
    (t) => t.lang === "ts" && t.manifest.options.some((o) => o.kind === "choice" && o.choices.length > 1),
  );
  it.runIf(withChoice)(
    "answers a template option with the arrow keys",
    async () => {
      const template = withChoice!;
      const option = template.manifest.options.find((o) => o.kind === "choice" && o.choices.length > 1)!;
      const second = (option.kind === "choice" ? option.choices[1] : undefined) as string;
      const cwd = await tempDir();
      const session = new Session(cwd, [
        "new",
        "--template",
        template.name,
        "--lang",
        "ts",
        "--no-install",
        "--no-git",
        "--package-manager",
        "npm",
      ]);
      // Long questions wrap on the terminal, so match the start of the option's description.
      const isOption = (question: string): boolean => question.startsWith(option.description.slice(0, 30));
      const questions = await session.answerAll((question) => {
        if (question.startsWith("Project directory")) return "svc\r";
        if (isOption(question)) return "\x1b[B\r"; // ↓ then ⏎: the second choice
        return "\r";
      });
      expect(await session.exited, session.text).toBe(0);
      expect(questions.filter(isOption)).toHaveLength(1);
      const values = Object.fromEntries(template.manifest.options.map((o) => [o.key, o.key === option.key ? second : o.default]));
      const expected = (await renderTemplate(template, { name: "svc", values })).map((file) => file.path).sort();
      expect(await listFiles(path.join(cwd, "svc"))).toEqual(expected);
    },
    60_000,
  );

  it("re-asks when the directory is not empty instead of failing", async () => {
    const cwd = await tempDir();
    const { mkdir, writeFile } = await import("node:fs/promises");
    await mkdir(path.join(cwd, "taken"));
    await writeFile(path.join(cwd, "taken", "notes.txt"), "mine");
    const session = new Session(cwd, [
      "new",
      "--template",
      (firstTs as { name: string }).name,
      "--lang",
      "ts",
      "--no-install",
      "--no-git",
      "--package-manager",
      "npm",
    ]);
    await session.waitFor(() => session.pendingQuestion()?.startsWith("Project directory") ?? false, "the directory question");
    session.type("taken\r");
    await session.waitFor(() => session.text.includes("taken is not empty"), "the refusal");
    session.type("\x7f".repeat(5) + "fresh\r");
    await session.answerAll(() => "\r");
    expect(await session.exited, session.text).toBe(0);
    expect((await readdir(cwd)).sort()).toEqual(["fresh", "taken"]);
    expect(await readdir(path.join(cwd, "taken"))).toEqual(["notes.txt"]);
  }, 60_000);

  it("shows a spinner while installing on a terminal and keeps the project when the install fails", async () => {
    const cwd = await tempDir();
    // An unreachable registry makes the real npm fail fast, as it would offline.
    const session = new Session(
      cwd,
      ["new", "app", "--template", (firstTs as { name: string }).name, "--lang", "ts", "--yes", "--no-git", "--package-manager", "npm"],
      {
        npm_config_registry: "http://127.0.0.1:9/",
        npm_config_fetch_retries: "0",
        npm_config_cache: path.join(cwd, ".npm-cache"),
      },
    );
    const code = await session.exited;
    expect(code, session.text).toBe(1);
    expect(session.text).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] Installing dependencies with npm/);
    expect(session.text).toContain("to retry, run: cd app && npm install");
    expect(await listFiles(path.join(cwd, "app"))).toContain("package.json");
  }, 120_000);

  it.each([
    ["the template question", (q: string) => q.startsWith("Template") || q.startsWith("Language")],
    ["the last question (git)", (q: string) => q.startsWith("Initialise a git repository")],
  ])(
    "Ctrl-C at %s exits 130 and writes nothing",
    async (_where, isTarget) => {
      const cwd = await tempDir();
      const session = new Session(cwd, ["new"]);
      await session.answerAll((question) => {
        if (isTarget(question)) return "\x03";
        if (question.startsWith("Project directory")) return "app\r";
        if (question.startsWith("Install dependencies")) return "n\r";
        return "\r";
      });
      expect(await session.exited, session.text).toBe(130);
      expect(session.text).toContain("Interrupted; nothing was written.");
      expect(await readdir(cwd)).toEqual([]);
    },
    60_000,
  );
});
