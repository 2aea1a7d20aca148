/**
 * Tests that need a program outside npm (a real redis-server, the pre-commit framework, a Rust
 * toolchain with Debian's vendored crates, util-linux's `script`). `bash .ci/run` installs all of
 * them. Without one, `npm test` skips the tests that need it with one line naming the tool and the
 * command that installs it; under `CI=true` a missing tool is a failure instead, so CI always runs
 * everything.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, it } from "vitest";

export interface SystemTool {
  name: string;
  present(): boolean;
  /** The command that installs it on Debian/Ubuntu. */
  install: string;
}

const runs = (command: string, args: string[], env?: NodeJS.ProcessEnv) => spawnSync(command, args, { stdio: "ignore", env }).status === 0;

/** rustup installs into ~/.cargo/bin, which a non-login shell may not have on PATH. */
export const RUST_PATH = [process.env.PATH ?? "", path.join(os.homedir(), ".cargo", "bin")].filter(Boolean).join(path.delimiter);
export const DEBIAN_CRATES = "/usr/share/cargo/registry";

export const REDIS_SERVER: SystemTool = {
  name: "redis-server",
  present: () => runs("redis-server", ["--version"]),
  install: "apt-get install -y redis-server",
};
export const PRE_COMMIT: SystemTool = {
  name: "pre-commit",
  present: () => runs("pre-commit", ["--version"]),
  install: "apt-get install -y pre-commit",
};
export const GIT: SystemTool = { name: "git", present: () => runs("git", ["--version"]), install: "apt-get install -y git" };
export const SCRIPT: SystemTool = {
  name: "script (util-linux)",
  present: () => runs("script", ["--version"]),
  install: "apt-get install -y bsdutils",
};
export const CARGO: SystemTool = {
  name: "cargo with clippy",
  present: () => runs("cargo", ["clippy", "--version"], { ...process.env, PATH: RUST_PATH }),
  install: "bash .ci/install-rust-deps.sh",
};
export const DEBIAN_TOKIO: SystemTool = {
  name: `Debian's vendored Rust crates (tokio in ${DEBIAN_CRATES})`,
  present: () =>
    existsSync(DEBIAN_CRATES) &&
    spawnSync("ls", [DEBIAN_CRATES], { encoding: "utf8" })
      .stdout.split("\n")
      .some((entry) => entry.startsWith("tokio-1.")),
  install: "bash .ci/install-rust-deps.sh",
};

const checked = new Map<string, boolean>();

export function missingTools(tools: readonly SystemTool[]): SystemTool[] {
  return tools.filter((tool) => {
    if (!checked.has(tool.name)) checked.set(tool.name, tool.present());
    return !checked.get(tool.name);
  });
}

export function isCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.CI;
  return value !== undefined && value !== "" && value !== "0" && value.toLowerCase() !== "false";
}

function describeMissing(missing: readonly SystemTool[]): string {
  return missing.map((tool) => `${tool.name} is not installed (install it with: ${tool.install})`).join("; ");
}

/** Registers the tests that cannot run here: failing under CI, skipped (with one line on stderr) elsewhere. */
export function testMissingTools(title: string, missing: readonly SystemTool[]): void {
  const reason = describeMissing(missing);
  if (isCI()) {
    it(title, () => {
      throw new Error(`${reason}. CI must run every test: .ci/run installs it.`);
    });
    return;
  }
  process.stderr.write(`skipped: ${title}: ${reason}\n`);
  it.skip(`${title} (needs ${missing.map((tool) => tool.name).join(", ")})`, () => {});
}

/** `describe` when every tool is present; otherwise the missing-tools test in its place. */
export function describeWithTools(title: string, tools: readonly SystemTool[], body: () => void): void {
  const missing = missingTools(tools);
  if (missing.length === 0) describe(title, body);
  else describe(title, () => testMissingTools(title, missing));
}
