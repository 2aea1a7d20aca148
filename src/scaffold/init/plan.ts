import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { PackageManager } from "../package-manager.js";
import type { Detection } from "./detect.js";
import { addGitlabJob, addHookLine, addJsonProperty, addLefthookCommand, addPreCommitRepo, type MergeOutcome } from "./merge.js";

export type CiChoice = "github" | "gitlab" | "none";

/** What the user chose (or `--yes` took as the defaults). */
export interface InitChoices {
  script: boolean;
  hook: boolean;
  ci: CiChoice;
}

export interface PlannedFile {
  /** Relative to the repository root, posix slashes. */
  path: string;
  action: "create" | "merge" | "unchanged" | "left-alone";
  /** What the change is, in a few words. */
  what: string;
  /** The new content, for create and merge. */
  text?: string;
  /** Why a file was left alone, and what to do by hand. */
  reason?: string;
}

export interface InitPlan {
  files: PlannedFile[];
  /** Steps asyncpat cannot take itself. */
  notes: string[];
}

export interface PlanContext {
  version: string;
  /** Folder of the workflow and job files (the package's templates/_init). */
  snippetsDir: string;
  /** The file's current text, undefined when it does not exist. */
  read(relative: string): string | undefined;
  /** asyncpat's git URL (its package.json `repository`), for a pre-commit `repos` entry using its `.pre-commit-hooks.yaml`. */
  repositoryUrl?: string;
}

export const CONFIG_FILE = "asyncpat.config.json";
export const WORKFLOW_FILE = ".github/workflows/asyncpat.yml";
export const HOOK_ID = "asyncpat-lint";
const LINT_SCRIPT = "lint:async";
const STAGED_GLOB = "*.{ts,tsx,mts,cts,js,jsx,mjs,cjs,rs}";

function installCommand(pm: PackageManager, locked: boolean): string {
  if (pm === "pnpm") return `corepack enable && pnpm install${locked ? " --frozen-lockfile" : ""}`;
  if (pm === "yarn") return "corepack enable && yarn install";
  if (pm === "bun") return `npm install --global bun && bun install${locked ? " --frozen-lockfile" : ""}`;
  return locked ? "npm ci" : "npm install";
}

/** How CI and hooks run asyncpat: from the repository's own install, or installed globally in a repo without package.json. */
function lintCommand(detection: Detection): string {
  return detection.hasPackageJson ? "npx asyncpat lint" : "asyncpat lint";
}

function configText(detection: Detection): string {
  const schema = detection.hasPackageJson
    ? "./node_modules/asyncpat/schema/asyncpat.schema.json"
    : "https://unpkg.com/asyncpat/schema/asyncpat.schema.json";
  return `${JSON.stringify({ $schema: schema, extends: "asyncpat:recommended" }, null, 2)}\n`;
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => values[name] ?? whole);
}

/** A file asyncpat owns entirely: created when missing, else unchanged when equal, else left alone. */
function owned(file: string, text: string, what: string, context: PlanContext): PlannedFile {
  const current = context.read(file);
  if (current === undefined) return { path: file, action: "create", what, text };
  if (current === text) return { path: file, action: "unchanged", what };
  return { path: file, action: "left-alone", what, reason: `${file} exists and differs; compare it with this:\n${text}` };
}

function merged(file: string, what: string, outcome: MergeOutcome, by: string): PlannedFile {
  if (outcome.kind === "changed") return { path: file, action: "merge", what, text: outcome.text };
  if (outcome.kind === "unchanged") return { path: file, action: "unchanged", what };
  return { path: file, action: "left-alone", what, reason: `${outcome.reason}; ${by}` };
}

/** The changes `asyncpat init` makes, computed from what is there; pure apart from `context.read`. */
export function planInit(detection: Detection, choices: InitChoices, outer: PlanContext): InitPlan {
  const files: PlannedFile[] = [];
  const notes: string[] = [];
  // a later step that merges into a file an earlier step changed (package.json) starts from that change
  const pending = new Map<string, string>();
  const context: PlanContext = { ...outer, read: (relative) => pending.get(relative) ?? outer.read(relative) };
  const add = (planned: PlannedFile): void => {
    const earlier = files.find((file) => file.path === planned.path);
    if (planned.text !== undefined) pending.set(planned.path, planned.text);
    if (!earlier) return void files.push(planned);
    if (planned.action === "unchanged") return;
    if (earlier.action === "unchanged" || (earlier.action === "merge" && planned.action === "merge")) {
      Object.assign(earlier, { ...planned, what: earlier.action === "merge" ? `${earlier.what}; ${planned.what}` : planned.what });
    } else files.push(planned);
  };
  const lint = lintCommand(detection);
  const jsRepo = detection.hasPackageJson && detection.languages.typescript;

  if (detection.asyncpatConfig && detection.asyncpatConfig !== CONFIG_FILE) {
    add({ path: detection.asyncpatConfig, action: "unchanged", what: "asyncpat config (already there)" });
  } else {
    add(owned(CONFIG_FILE, configText(detection), "asyncpat config with $schema", context));
  }

  // package.json: a lint:async script and asyncpat as a dev dependency, both plain key additions
  if (choices.script && jsRepo) {
    let text = context.read("package.json")!;
    const changes: string[] = [];
    const problems: string[] = [];
    let pkg: Record<string, Record<string, unknown> | undefined> = {};
    try {
      pkg = JSON.parse(text) as typeof pkg;
    } catch {
      // addJsonProperty reports the broken file below
    }
    const steps: [string, string, string | undefined, string, string][] = [
      [`"${LINT_SCRIPT}" script`, "scripts", LINT_SCRIPT, "asyncpat lint", ""],
    ];
    if (!pkg.dependencies?.asyncpat && !pkg.devDependencies?.asyncpat) {
      steps.push(["asyncpat in devDependencies", "devDependencies", "asyncpat", `^${context.version}`, ""]);
    }
    for (const [what, parent, key, value] of steps) {
      const outcome = addJsonProperty(text, parent, key!, value);
      if (outcome.kind === "changed") {
        text = outcome.text;
        changes.push(what);
      } else if (outcome.kind === "conflict") problems.push(`${what}: ${outcome.reason}`);
    }
    if (problems.length > 0) {
      add({
        path: "package.json",
        action: "left-alone",
        what: "lint:async script",
        reason: `${problems.join("; ")}; add "${LINT_SCRIPT}": "asyncpat lint" to "scripts" by hand`,
      });
    } else if (changes.length > 0) {
      add({ path: "package.json", action: "merge", what: changes.join(" and "), text });
      notes.push(`Run \`${detection.packageManager} install\` to install asyncpat.`);
    } else {
      add({ path: "package.json", action: "unchanged", what: `"${LINT_SCRIPT}" script` });
    }
  }

  if (choices.hook) for (const planned of planHook(detection, lint, context, notes)) add(planned);

  if (choices.ci !== "none") {
    const values = {
      install: detection.hasPackageJson
        ? installCommand(detection.packageManager, detection.lockfile !== undefined)
        : `npm install --global asyncpat@^${context.version}`,
      lint,
      branch: detection.defaultBranch,
    };
    if (choices.ci === "github") {
      const text = fill(readFileSync(path.join(context.snippetsDir, "github-workflow.yml"), "utf8"), values);
      add(owned(WORKFLOW_FILE, text, "GitHub workflow: lint and upload SARIF to code scanning", context));
    } else {
      const job = fill(readFileSync(path.join(context.snippetsDir, "gitlab-job.yml"), "utf8"), values);
      const file = detection.gitlabCi ?? ".gitlab-ci.yml";
      const current = context.read(file);
      add(
        current === undefined
          ? { path: file, action: "create", what: "GitLab CI job `asyncpat`", text: job.replace(/^\r?\n/, "") }
          : merged(file, "GitLab CI job `asyncpat`", addGitlabJob(current, "asyncpat", job), `add this job by hand:\n${job}`),
      );
    }
  }
  return { files, notes };
}

function planHook(detection: Detection, lint: string, context: PlanContext, notes: string[]): PlannedFile[] {
  if (detection.preCommit) {
    const remote = context.repositoryUrl && { repo: context.repositoryUrl, rev: `v${context.version}`, hooks: [{ id: HOOK_ID }] };
    const entry = remote || {
      repo: "local",
      hooks: [
        {
          id: HOOK_ID,
          name: "asyncpat lint",
          entry: lint,
          language: "system",
          types_or: ["ts", "tsx", "javascript", "jsx", "rust"],
          require_serial: true,
        },
      ],
    };
    const outcome = addPreCommitRepo(context.read(detection.preCommit)!, entry, HOOK_ID);
    return [
      merged(
        detection.preCommit,
        `pre-commit hook \`${HOOK_ID}\``,
        outcome,
        `add the \`${HOOK_ID}\` hook to \`repos\` by hand (see asyncpat's README, "pre-commit")`,
      ),
    ];
  }
  if (detection.lefthook) {
    const outcome = addLefthookCommand(context.read(detection.lefthook)!, "asyncpat", { glob: STAGED_GLOB, run: `${lint} {staged_files}` });
    return [
      merged(
        detection.lefthook,
        "lefthook pre-commit command `asyncpat`",
        outcome,
        `add a pre-commit command running \`${lint} {staged_files}\` by hand`,
      ),
    ];
  }
  if (detection.lintStaged === "package.json#lint-staged") {
    const outcome = addJsonProperty(context.read("package.json")!, "lint-staged", STAGED_GLOB, lint);
    return [
      merged("package.json", `lint-staged entry for ${STAGED_GLOB}`, outcome, `add "${STAGED_GLOB}": "${lint}" to "lint-staged" by hand`),
    ];
  }
  if (detection.husky) {
    const file = ".husky/pre-commit";
    const current = context.read(file);
    if (current === undefined) return [{ path: file, action: "create", what: "husky pre-commit hook", text: `${lint}\n` }];
    return [merged(file, "husky pre-commit line", addHookLine(current, lint, "asyncpat lint"), `add \`${lint}\` to it by hand`)];
  }
  if (detection.lintStaged) {
    notes.push(`lint-staged is configured in ${detection.lintStaged}: add "${STAGED_GLOB}": "${lint}" there.`);
    return [];
  }
  notes.push(
    `No hook manager found (pre-commit, husky, lefthook): to lint before each commit, run \`${lint}\` from .git/hooks/pre-commit, or add the \`${HOOK_ID}\` hook to a .pre-commit-config.yaml (see asyncpat's README, "pre-commit").`,
  );
  return [];
}

/** Reads files under `root` for the plan. */
export function fileReader(root: string): (relative: string) => string | undefined {
  return (relative) => {
    const target = path.join(root, relative);
    return existsSync(target) ? readFileSync(target, "utf8") : undefined;
  };
}
