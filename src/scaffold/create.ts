import { access } from "node:fs/promises";
import path from "node:path";
import type { Writable } from "node:stream";
import { InterruptedError, StepFailedError, UsageError } from "../errors.js";
import { packageRoot, version } from "../version.js";
import { describeAvailable, languagesOf, type Catalog, type Template } from "./discover.js";
import { checkOptionValue, type OptionValues, type TemplateOption } from "./manifest.js";
import { derivePackageName, directoryProblems, packageNameProblems } from "./names.js";
import { detectPackageManager, PACKAGE_MANAGERS, rewriteForPackageManager, type PackageManager } from "./package-manager.js";
import { inspectTarget, planWrite } from "./plan.js";
import { startProgress } from "./progress.js";
import type { Prompter } from "./prompts.js";
import { renderTemplate } from "./render.js";
import type { Git, Installer } from "./steps.js";
import { formatTree } from "./tree.js";
import { writeProject } from "./write.js";

/** What the command line said; `undefined` means "not given" (ask, or use the default). */
export interface NewProjectRequest {
  dir?: string;
  template?: string;
  lang?: string;
  name?: string;
  packageManager?: PackageManager;
  install?: boolean;
  git?: boolean;
  force: boolean;
  dryRun: boolean;
  /** Template option flags given on the command line, keyed by option key (`workerThreads`). */
  optionFlags: Record<string, string>;
}

/** Everything `asyncpat new` touches besides the file system, injected by the command (and by tests). */
export interface NewProjectContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: Writable & { isTTY?: boolean; columns?: number };
  catalog: Catalog;
  /** Present only in an interactive session. */
  prompter?: Prompter;
  installer: Installer;
  git: Git;
  /** Aborted on SIGINT/SIGTERM after the questions: the writer and the installer stop and clean up. */
  signal?: AbortSignal;
}

export interface NewProjectResult {
  target: string;
  template: Template;
  written: string[];
  skipped: string[];
  dryRun: boolean;
}

const DEFAULT_DIRECTORY = "my-async-service";

/** Whether to ask questions: both ends are terminals, CI is not set, and --yes was not passed. */
export function isInteractive(io: { stdinIsTTY?: boolean; stdoutIsTTY?: boolean; env: NodeJS.ProcessEnv; yes: boolean }): boolean {
  const ci = io.env.CI;
  const inCI = ci !== undefined && ci !== "" && ci !== "0" && ci.toLowerCase() !== "false";
  return Boolean(io.stdinIsTTY) && Boolean(io.stdoutIsTTY) && !inCI && !io.yes;
}

function quoteForShell(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}

export async function createProject(request: NewProjectRequest, context: NewProjectContext): Promise<NewProjectResult> {
  const { catalog, prompter, cwd } = context;
  const say = (text = ""): void => void context.stdout.write(`${text}\n`);

  if (request.lang !== undefined && !languagesOf(catalog).includes(request.lang)) {
    throw new UsageError(
      `--lang ${request.lang}: no templates for that language (available: ${languagesOf(catalog).join(", ") || "none"}).`,
    );
  }
  if (!prompter && request.dir === undefined) {
    throw new UsageError("missing the project directory: pass it as the first argument, e.g. `asyncpat new my-service --template server`.");
  }
  if (!prompter && request.template === undefined) {
    throw new UsageError(`missing --template <name> (available: ${describeAvailable(catalog)}).`);
  }

  // The template first when given, so a wrong name or flag fails before any question.
  let template = request.template !== undefined ? await findTemplate(catalog, request.template, request.lang, prompter) : undefined;
  if (template) checkFlagsApply(template, request.optionFlags);

  const dir = request.dir ?? (await askDirectory(prompter as Prompter, cwd, request.force));
  const dirProblems = directoryProblems(dir);
  if (dirProblems.length > 0) throw new UsageError(`invalid project directory "${dir}": ${dirProblems.join("; ")}.`);
  const target = path.resolve(cwd, dir);
  const state = await inspectTarget(target);
  if (state.kind === "nonEmpty" && !request.force) await planWrite(target, state, [], false);

  if (!template) {
    template = await askTemplate(prompter as Prompter, catalog, request.lang);
    checkFlagsApply(template, request.optionFlags);
  }
  const values = await resolveOptions(template, request.optionFlags, prompter);
  const name = await resolveName(request.name, target, template.lang, prompter);

  const isNode = template.lang === "ts";
  let packageManager: PackageManager = request.packageManager ?? detectPackageManager(context.env.npm_config_user_agent);
  if (isNode && request.packageManager === undefined && prompter) {
    packageManager = (await prompter.select({
      message: "Package manager",
      choices: PACKAGE_MANAGERS.map((pm) => ({ value: pm, name: pm })),
      default: packageManager,
    })) as PackageManager;
  }
  let install = isNode && (request.install ?? true);
  if (isNode && request.install === undefined && prompter && !request.dryRun) {
    install = await prompter.confirm({ message: `Install dependencies with ${packageManager}?`, default: true });
  }
  if (!isNode && request.install === true)
    say(`Note: ${template.lang} templates have nothing to install; cargo fetches crates on the first build.`);

  let git = request.git ?? true;
  let gitSkipReason: string | undefined;
  if (git && !request.dryRun) {
    if (!(await context.git.available())) gitSkipReason = "git is not installed";
    else if (await context.git.insideWorkTree(await nearestExisting(target))) {
      gitSkipReason = "the folder is already inside a git repository";
    }
    if (gitSkipReason) git = false;
    else if (request.git === undefined && prompter)
      git = await prompter.confirm({ message: "Initialise a git repository with a first commit?", default: true });
  }

  const asyncpatSpec = await asyncpatDependency(packageRoot, version);
  const files = await renderTemplate(template, { name, values, asyncpatSpec });
  const plan = await planWrite(target, state, files, request.force);
  const shownDir = path.relative(cwd, target) || ".";
  const skipped = plan.skipped.map((file) => file.path);

  if (request.dryRun) {
    const notes = [
      ...plan.write.map((file) => ({ path: file.path })),
      ...plan.skipped.map((file) => ({ path: file.path, note: `${file.reason}, skipped` })),
    ];
    say(`Dry run: ${template.name} (${template.lang}) into ${shownDir}; nothing is written.`);
    say(formatTree(shownDir, notes));
    say(`${plan.write.length} file(s) would be written${skipped.length ? `, ${skipped.length} skipped` : ""}.`);
    return { target, template, written: [], skipped, dryRun: true };
  }

  const result = await writeProject(target, state, plan, context.signal).catch((error: unknown) => {
    if (error && typeof error === "object" && "exitCode" in error) throw error;
    throw new StepFailedError(`could not write the project into ${shownDir}: ${(error as Error).message}. Nothing was left behind.`);
  });
  const allSkipped = [...plan.skipped, ...result.raced.map((file) => ({ path: file, reason: "appeared while writing" }))];
  const where = shownDir === "." ? "the current folder" : shownDir;
  say(`Created ${where} from template ${template.name} (${template.lang}): ${result.written.length} file(s).`);
  if (isNode && asyncpatSpec.startsWith("file:") && files.some((file) => file.path === "package.json")) {
    say(`Note: asyncpat runs from a source checkout, so the project's asyncpat devDependency is ${asyncpatSpec}.`);
  }
  if (allSkipped.length > 0) {
    say(`Skipped ${allSkipped.length} file(s) that already exist (nothing was overwritten):`);
    say(allSkipped.map((file) => `  ${file.path}  (${file.reason})`).join("\n"));
  }

  const cdStep = shownDir === "." ? undefined : `cd ${quoteForShell(shownDir)}`;
  const installStep = rewriteForPackageManager("npm install", packageManager);
  let installFailure: string | undefined;
  if (install) {
    installFailure = await runInstall(context, target, packageManager, cdStep, installStep);
  } else if (isNode) {
    say(`Skipped installing dependencies (run \`${installStep}\` in the project).`);
  }

  let gitFailure: string | undefined;
  if (git) {
    try {
      await context.git.initialCommit(target, `Initial commit from asyncpat new --template ${template.name}`);
      say("Initialised a git repository with a first commit.");
    } catch (error) {
      const detail = (error as { all?: string }).all ?? (error as Error).message;
      gitFailure = `git init or the first commit failed in ${shownDir}; the project files are in place.\n${detail}`;
    }
  } else if (gitSkipReason) {
    say(`Skipped git init: ${gitSkipReason}.`);
  }

  const steps = [cdStep, isNode && (!install || installFailure) ? installStep : undefined, ...nextStepsOf(template, packageManager)].filter(
    (step): step is string => step !== undefined,
  );
  say();
  say("Next steps:");
  if (steps.length > 0) say(steps.map((step) => `  ${step}`).join("\n"));

  const failures = [installFailure, gitFailure].filter((failure): failure is string => failure !== undefined);
  if (failures.length > 0) throw new StepFailedError(failures.join("\n"));
  return { target, template, written: result.written, skipped: allSkipped.map((file) => file.path), dryRun: false };
}

/**
 * The `asyncpat` devDependency of a generated project: `^<version>` when asyncpat runs from an
 * installed package (npx, a global or local install), `file:<checkout>` when it runs from a source
 * checkout, whose version is not on the registry yet, so the README's clone-and-run command works.
 */
export async function asyncpatDependency(root: string, currentVersion: string): Promise<string> {
  const installed = root.split(path.sep).includes("node_modules");
  const exists = (file: string) =>
    access(path.join(root, file)).then(
      () => true,
      () => false,
    );
  const checkout = !installed && (await exists(".git")) && (await exists("src"));
  return checkout ? `file:${root}` : `^${currentVersion}`;
}

function nextStepsOf(template: Template, pm: PackageManager): string[] {
  const fallback: Record<string, string> =
    template.lang === "rust" ? { test: "cargo test", run: "cargo run" } : { dev: "npm run dev", test: "npm test", start: "npm start" };
  const steps = template.manifest.nextSteps ?? fallback;
  return Object.values(steps).map((command) => (template.lang === "ts" ? rewriteForPackageManager(command, pm) : command));
}

/** Returns the failure message (project kept) or undefined; throws InterruptedError on Ctrl-C. */
async function runInstall(
  context: NewProjectContext,
  target: string,
  packageManager: PackageManager,
  cdStep: string | undefined,
  installStep: string,
): Promise<string | undefined> {
  const started = Date.now();
  const progress = startProgress(context.stdout, `Installing dependencies with ${packageManager}`);
  const outcome = await context.installer({ cwd: target, packageManager, signal: context.signal, onLine: (line) => progress.line(line) });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const retry = [cdStep, installStep].filter(Boolean).join(" && ");
  if (outcome.ok) {
    progress.done(`Installed dependencies with ${packageManager} (${seconds}s).`);
    return undefined;
  }
  progress.done(`Installing dependencies failed after ${seconds}s: ${outcome.reason}.`);
  if (outcome.interrupted || context.signal?.aborted) {
    throw new InterruptedError(`Interrupted during the install. The project is complete; to install, run: ${retry}`);
  }
  const tail = outcome.output.split("\n").slice(-40).join("\n").trim();
  return `installing dependencies failed: ${outcome.reason}. The project is kept; to retry, run: ${retry}${tail ? `\n--- ${packageManager} output (last lines) ---\n${tail}` : ""}`;
}

/** The deepest existing folder at or above `target`, where git can be asked about a work tree. */
async function nearestExisting(target: string): Promise<string> {
  let dir = target;
  while (
    path.dirname(dir) !== dir &&
    !(await access(dir).then(
      () => true,
      () => false,
    ))
  )
    dir = path.dirname(dir);
  return dir;
}

async function findTemplate(catalog: Catalog, name: string, lang: string | undefined, prompter: Prompter | undefined): Promise<Template> {
  const matches = catalog.templates.filter((template) => template.name === name && (lang === undefined || template.lang === lang));
  if (matches.length === 0) {
    const broken = catalog.broken.find((template) => template.name === name && (lang === undefined || template.lang === lang));
    if (broken) throw new UsageError(`template "${name}" (${broken.lang}) has an invalid manifest: ${broken.problem}`);
    const where = lang === undefined ? "" : ` for --lang ${lang}`;
    throw new UsageError(
      `unknown template "${name}"${where}. Available templates: ${describeAvailable(catalog)}. Run \`asyncpat templates\` for details.`,
    );
  }
  if (matches.length === 1) return matches[0] as Template;
  const ts = matches.find((template) => template.lang === "ts");
  if (!prompter) return ts ?? (matches[0] as Template);
  const chosen = await prompter.select({
    message: `Template "${name}" exists in several languages; which one?`,
    choices: matches.map((template) => ({ value: template.lang, name: template.lang })),
    default: ts?.lang,
  });
  return matches.find((template) => template.lang === chosen) as Template;
}

/** Template option flags are registered for every template; each must belong to the chosen one. */
function checkFlagsApply(template: Template, optionFlags: Record<string, string>): void {
  for (const [key, value] of Object.entries(optionFlags)) {
    const option = template.manifest.options.find((candidate) => candidate.key === key);
    const flag = `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
    if (!option) {
      const own = template.manifest.options.map((candidate) => `--${candidate.flag}`);
      throw new UsageError(
        `${flag} does not apply to template "${template.name}" (${template.lang}); its options are: ${own.length ? own.join(", ") : "none"}.`,
      );
    }
    const problem = checkOptionValue(option, value);
    if (problem) throw new UsageError(`${flag} ${value}: ${problem} (template "${template.name}").`);
  }
}

async function askDirectory(prompter: Prompter, cwd: string, force: boolean): Promise<string> {
  return prompter.text({
    message: "Project directory",
    default: DEFAULT_DIRECTORY,
    validate: async (value) => {
      const problems = directoryProblems(value);
      if (problems.length > 0) return `Invalid directory: ${problems.join("; ")}`;
      try {
        const state = await inspectTarget(path.resolve(cwd, value));
        if (state.kind === "nonEmpty" && !force) return `${value} is not empty; pick another directory (or rerun with --force).`;
      } catch (error) {
        return (error as Error).message;
      }
      return true;
    },
  });
}

async function askTemplate(prompter: Prompter, catalog: Catalog, lang: string | undefined): Promise<Template> {
  const languages = languagesOf(catalog);
  if (languages.length === 0) throw new UsageError("no templates found; the asyncpat installation looks incomplete.");
  let chosenLang = lang;
  if (chosenLang === undefined) {
    chosenLang =
      languages.length === 1
        ? languages[0]
        : await prompter.select({
            message: "Language",
            choices: languages.map((language) => ({
              value: language,
              name: language === "ts" ? "TypeScript (Node)" : language === "rust" ? "Rust (Tokio)" : language,
            })),
            default: "ts",
          });
  }
  const candidates = catalog.templates.filter((template) => template.lang === chosenLang);
  const chosen = await prompter.select({
    message: "Template",
    choices: candidates.map((template) => ({ value: template.name, name: template.name, description: template.manifest.description })),
  });
  return candidates.find((template) => template.name === chosen) as Template;
}

async function resolveOptions(
  template: Template,
  optionFlags: Record<string, string>,
  prompter: Prompter | undefined,
): Promise<OptionValues> {
  const values: OptionValues = {};
  for (const option of template.manifest.options) {
    const given = optionFlags[option.key];
    if (given !== undefined) values[option.key] = option.kind === "integer" ? Number(given) : given;
    else if (prompter) values[option.key] = await askOption(prompter, option);
    else values[option.key] = option.default;
  }
  return values;
}

function askOption(prompter: Prompter, option: TemplateOption): Promise<string | number> {
  const message = `${option.description} (--${option.flag})`;
  if (option.kind === "choice") {
    return prompter.select({
      message,
      choices: option.choices.map((choice) => ({ value: choice, name: choice })),
      default: option.default,
    });
  }
  return prompter.integer({ message, default: option.default, min: option.min, max: option.max });
}

async function resolveName(given: string | undefined, target: string, lang: string, prompter: Prompter | undefined): Promise<string> {
  const rules = lang === "rust" ? "npm and cargo package-name rules" : "npm package-name rules";
  if (given !== undefined) {
    const problems = packageNameProblems(given, lang);
    if (problems.length > 0) throw new UsageError(`--name "${given}" breaks the ${rules}: ${problems.join("; ")}.`);
    return given;
  }
  const derived = derivePackageName(target);
  const problems = derived === undefined ? ["nothing usable is left of the folder name"] : packageNameProblems(derived, lang);
  if (problems.length === 0) return derived as string;
  if (!prompter) {
    throw new UsageError(
      `cannot use "${derived ?? path.basename(target)}" (from the folder name) as the package name: ${problems.join("; ")}. Pass --name <package-name>.`,
    );
  }
  return prompter.text({
    message: "Package name",
    validate: (value) => {
      const found = packageNameProblems(value, lang);
      return found.length === 0 ? true : `Invalid package name: ${found.join("; ")}`;
    },
  });
}
