import { createProject, isInteractive, type NewProjectRequest, type NewProjectResult } from "./create.js";
import type { Catalog } from "./discover.js";
import { withInterruptSignal } from "./interrupt.js";
import { inquirerPrompter } from "./prompts.js";
import { execaGit, execaInstaller } from "./steps.js";

/** `asyncpat new` with the real terminal, package manager and git. */
export async function runNew(request: NewProjectRequest & { yes: boolean }, catalog: Catalog): Promise<NewProjectResult> {
  const interactive = isInteractive({
    stdinIsTTY: process.stdin.isTTY,
    stdoutIsTTY: process.stdout.isTTY,
    env: process.env,
    yes: request.yes,
  });
  return withInterruptSignal(async (signal) =>
    createProject(request, {
      cwd: process.cwd(),
      env: process.env,
      stdout: process.stdout,
      catalog,
      prompter: interactive ? await inquirerPrompter(signal) : undefined,
      installer: execaInstaller,
      git: execaGit,
      signal,
    }),
  );
}
