import type { PackageManager } from "./package-manager.js";
import { installCommand } from "./package-manager.js";

/** Side effects of `asyncpat new` after the files are written; injected so tests can replace them. */
export interface InstallRequest {
  cwd: string;
  packageManager: PackageManager;
  signal?: AbortSignal;
  /** Each line of the package manager's output, as it arrives. */
  onLine?: (line: string) => void;
}

export type InstallOutcome = { ok: true; output: string } | { ok: false; output: string; reason: string; interrupted: boolean };

export type Installer = (request: InstallRequest) => Promise<InstallOutcome>;

export interface Git {
  /** Whether `git` can be run at all. */
  available(): Promise<boolean>;
  /** Whether `cwd` is already inside a git work tree (then we do not create a nested repository). */
  insideWorkTree(cwd: string): Promise<boolean>;
  /** `git init`, `git add -A`, and a first commit; rejects with the failing command's output. */
  initialCommit(cwd: string, message: string): Promise<void>;
}

/** Runs the package manager through execa, streaming its output lines and keeping all of it. */
export const execaInstaller: Installer = async ({ cwd, packageManager, signal, onLine }) => {
  const { execa } = await import("execa");
  const { file, args } = installCommand(packageManager);
  const lines: string[] = [];
  const child = execa(file, args, {
    cwd,
    all: true,
    reject: false,
    stdin: "ignore",
    cancelSignal: signal,
    env: { npm_config_fund: "false", npm_config_update_notifier: "false" },
  });
  let pending = "";
  child.all?.on("data", (chunk: Buffer) => {
    pending += chunk.toString("utf8");
    const parts = pending.split(/\r?\n/);
    pending = parts.pop() ?? "";
    for (const line of parts) {
      lines.push(line);
      if (line.trim() !== "") onLine?.(line);
    }
  });
  const result = await child;
  if (pending !== "") lines.push(pending);
  const output = lines.join("\n");
  if (result.exitCode === 0 && !result.failed) return { ok: true, output };
  const interrupted = Boolean(result.isCanceled) || result.signal === "SIGINT" || result.signal === "SIGTERM";
  const notFound = (result as { code?: string }).code === "ENOENT";
  const reason = notFound
    ? `${file} is not installed (or not on PATH)`
    : interrupted
      ? "it was interrupted"
      : result.signal
        ? `it was killed by ${result.signal}`
        : `\`${file} ${args.join(" ")}\` exited with code ${result.exitCode}`;
  return { ok: false, output, reason, interrupted };
};

export const execaGit: Git = {
  async available() {
    const { execa } = await import("execa");
    const result = await execa("git", ["--version"], { reject: false, stdin: "ignore" });
    return result.exitCode === 0;
  },
  async insideWorkTree(cwd) {
    const { execa } = await import("execa");
    const result = await execa("git", ["rev-parse", "--is-inside-work-tree"], { cwd, reject: false, stdin: "ignore" });
    return result.exitCode === 0 && result.stdout.trim() === "true";
  },
  async initialCommit(cwd, message) {
    const { execa } = await import("execa");
    const run = (args: string[]) => execa("git", args, { cwd, all: true, stdin: "ignore" });
    await run(["init", "--quiet"]);
    await run(["add", "-A"]);
    // Only when the user has no identity configured: a commit must not fail for that on a fresh machine.
    const name = await execa("git", ["config", "user.name"], { cwd, reject: false, stdin: "ignore" });
    const email = await execa("git", ["config", "user.email"], { cwd, reject: false, stdin: "ignore" });
    const identity = [
      ...(name.stdout.trim() === "" ? ["-c", "user.name=asyncpat"] : []),
      ...(email.stdout.trim() === "" ? ["-c", "user.email=asyncpat@users.noreply.localhost"] : []),
    ];
    await run([...identity, "commit", "--quiet", "-m", message]);
  },
};
