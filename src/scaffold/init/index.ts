import { mkdir, stat, writeFile } from "node:fs/promises";
import { readFileSync } from "node:fs";
import path from "node:path";
import { StepFailedError, UsageError } from "../../errors.js";
import { packageRoot, version } from "../../version.js";
import type { Prompter } from "../prompts.js";
import { detectRepository, type Detection } from "./detect.js";
import { fileReader, planInit, type CiChoice, type InitChoices, type InitPlan } from "./plan.js";

export interface InitOptions {
  dir: string;
  yes: boolean;
  dryRun: boolean;
}

export interface InitIO {
  stdout: { write(text: string): void };
  /** Whether there is a terminal to ask on. */
  interactive: boolean;
  prompter(): Promise<Prompter>;
}

function describeDetection(detection: Detection): string {
  const found: string[] = [];
  if (detection.languages.typescript) found.push("TypeScript/JavaScript");
  if (detection.languages.rust) found.push("Rust");
  if (detection.hasPackageJson) found.push(`${detection.packageManager}`);
  if (detection.asyncpatConfig) found.push(`an asyncpat config (${detection.asyncpatConfig})`);
  if (detection.preCommit) found.push(`pre-commit (${detection.preCommit})`);
  if (detection.husky) found.push("husky");
  if (detection.lefthook) found.push(`lefthook (${detection.lefthook})`);
  if (detection.lintStaged) found.push(`lint-staged (${detection.lintStaged})`);
  if (detection.githubActions) found.push("GitHub Actions");
  if (detection.gitlabCi) found.push(`GitLab CI (${detection.gitlabCi})`);
  if (detection.eslintConfig) found.push(`ESLint (${detection.eslintConfig}; asyncpat runs beside it)`);
  return found.length > 0 ? found.join(", ") : "nothing asyncpat can lint yet";
}

function hookName(detection: Detection): string | undefined {
  if (detection.preCommit) return "pre-commit";
  if (detection.lefthook) return "lefthook";
  if (detection.lintStaged === "package.json#lint-staged") return "lint-staged";
  if (detection.husky) return "husky";
  return undefined;
}

function defaultChoices(detection: Detection): InitChoices {
  return {
    script: detection.hasPackageJson && detection.languages.typescript,
    hook: true,
    ci: detection.gitlabCi && !detection.githubActions ? "gitlab" : "github",
  };
}

async function askChoices(detection: Detection, defaults: InitChoices, prompter: Prompter): Promise<InitChoices> {
  const script = defaults.script ? await prompter.confirm({ message: 'Add a "lint:async" script to package.json?', default: true }) : false;
  const hook = hookName(detection);
  const wantsHook = hook ? await prompter.confirm({ message: `Lint staged files before each commit (${hook})?`, default: true }) : true;
  const ci = (await prompter.select({
    message: "Lint in CI?",
    default: defaults.ci,
    choices: [
      { value: "github", name: "GitHub Actions, results in code scanning (SARIF)" },
      { value: "gitlab", name: "GitLab CI, SARIF kept as an artifact" },
      { value: "none", name: "No CI" },
    ],
  })) as CiChoice;
  return { script, hook: wantsHook, ci };
}

function printPlan(plan: InitPlan, out: InitIO["stdout"]): void {
  const labels = { create: "create", merge: "update", unchanged: "unchanged", "left-alone": "left alone" } as const;
  for (const file of plan.files) {
    out.write(`  ${labels[file.action].padEnd(10)}  ${file.path}  (${file.what})\n`);
    if (file.reason) out.write(`${file.reason.replace(/^/gm, "              ")}\n`);
  }
  for (const note of plan.notes) out.write(`  note: ${note}\n`);
}

function repositoryUrl(): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(path.join(packageRoot, "package.json"), "utf8")) as { repository?: string | { url?: string } };
    const url = typeof pkg.repository === "string" ? pkg.repository : pkg.repository?.url;
    return url?.replace(/^git\+/, "");
  } catch {
    return undefined;
  }
}

/**
 * `asyncpat init`: sets asyncpat up in an existing repository. Never overwrites: files asyncpat owns
 * are created when missing, files the user owns are merged only where the format allows a clean
 * merge, and everything else is reported. A second run changes nothing.
 */
export async function runInit(options: InitOptions, io: InitIO): Promise<number> {
  const root = path.resolve(options.dir);
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`${options.dir}: no such folder; run \`asyncpat init\` inside the repository to set up.`);
  const interactive = !options.yes && !options.dryRun;
  if (interactive && !io.interactive) {
    throw new UsageError("asyncpat init has no terminal to ask on: pass --yes to take the defaults, or --dry-run to see the plan.");
  }
  const detection = detectRepository(root);
  io.stdout.write(`Found: ${describeDetection(detection)}.\n`);
  const prompter = interactive ? await io.prompter() : undefined;
  const choices = prompter ? await askChoices(detection, defaultChoices(detection), prompter) : defaultChoices(detection);
  const plan = planInit(detection, choices, {
    version,
    snippetsDir: path.join(packageRoot, "templates", "_init"),
    read: fileReader(root),
    repositoryUrl: repositoryUrl(),
  });
  const writes = plan.files.filter((file) => file.action === "create" || file.action === "merge");
  io.stdout.write(options.dryRun ? "Plan (dry run, nothing is written):\n" : "Plan:\n");
  printPlan(plan, io.stdout);
  if (options.dryRun) return 0;
  if (writes.length === 0) {
    io.stdout.write("Nothing to change.\n");
    return 0;
  }
  if (prompter && !(await prompter.confirm({ message: `Write ${writes.length} file${writes.length === 1 ? "" : "s"}?`, default: true }))) {
    io.stdout.write("Nothing written.\n");
    return 0;
  }
  for (const file of writes) {
    const target = path.join(root, file.path);
    try {
      await mkdir(path.dirname(target), { recursive: true });
      // "wx": a file that appeared since the plan was made is not ours to replace
      await writeFile(target, file.text!, {
        flag: file.action === "create" ? "wx" : "w",
        mode: file.path.startsWith(".husky/") ? 0o755 : 0o644,
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new StepFailedError(
        `${file.path}: cannot write it (${reason}); nothing after it was written. Fix that and run asyncpat init again.`,
      );
    }
  }
  io.stdout.write(
    `Wrote ${writes.map((file) => file.path).join(", ")}.\nNext: \`npx asyncpat lint\`; to accept today's problems as a baseline and see only new ones, \`npx asyncpat lint --suppress-all\` and commit asyncpat-suppressions.json.\n`,
  );
  return 0;
}
