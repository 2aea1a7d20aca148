/**
 * Every Rust template, rendered by the real scaffolder renderer (src/scaffold/render.ts) the way
 * `asyncpat new --lang rust` renders it, must pass `cargo test`, its soak
 * (`cargo test --test soak`: the real binary under load, SIGTERM mid-flight, "0 lost", exit 0) and
 * `cargo clippy --all-targets -- -D warnings` offline against Debian's vendored crates
 * (.ci/install-rust-deps.sh installs them), and `asyncpat lint` (the built CLI: `npm test` builds
 * it first) must find nothing in it.
 *
 * The projects share one target directory so tokio and hyper compile once. Target, projects and
 * CARGO_HOME live in one cache folder in the OS temp folder (ASYNCPAT_RUST_CACHE_DIR moves it);
 * files are rewritten only when their content changed, so a second run reuses every build.
 *
 * Without cargo (and clippy) or Debian's crates, the build tests are skipped with a line naming
 * `bash .ci/install-rust-deps.sh`; under CI=true that is a failure (test/helpers/system-tools.ts).
 */
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { discoverTemplates, type Template } from "../../src/scaffold/discover.js";
import type { OptionValues } from "../../src/scaffold/manifest.js";
import { renderTemplate } from "../../src/scaffold/render.js";
import { runCli } from "../helpers/cli.js";
import { CARGO, DEBIAN_TOKIO, describeWithTools, RUST_PATH } from "../helpers/system-tools.js";

const TEMPLATE_NAMES = ["server", "worker-pool", "pub-sub", "graceful-shutdown"] as const;
import { DEBIAN_CRATES as DEBIAN_REGISTRY } from "../helpers/system-tools.js";
const TEMPLATES_ROOT = fileURLToPath(new URL("../../templates", import.meta.url));
const CACHE_DIR = process.env.ASYNCPAT_RUST_CACHE_DIR ?? path.join(os.tmpdir(), "asyncpat-rust-templates");
const PROJECTS_DIR = path.join(CACHE_DIR, "projects");
/** A cold build of tokio + hyper on two cores takes a minute or two; leave room for a slow CI. */
const CARGO_TIMEOUT_MS = 15 * 60_000;

const catalog = discoverTemplates(TEMPLATES_ROOT);
const rustTemplate = (name: string): Template => {
  const template = catalog.templates.find((candidate) => candidate.lang === "rust" && candidate.name === name);
  if (!template) throw new Error(`templates/rust/${name} is not a valid template: ${JSON.stringify(catalog.broken)}`);
  return template;
};
const defaults = (template: Template): OptionValues =>
  Object.fromEntries(template.manifest.options.map((option) => [option.key, option.default]));

let cargoEnv: NodeJS.ProcessEnv;

/** Files of a generated project that cargo writes, not the renderer. */
const CARGO_OUTPUTS = new Set(["Cargo.lock", "target"]);

async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const entries = await readdir(path.join(dir, prefix), { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries) {
    const relative = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (prefix === "" && CARGO_OUTPUTS.has(entry.name)) continue;
    if (entry.isDirectory()) files.push(...(await listFiles(dir, relative)));
    else files.push(relative);
  }
  return files;
}

/**
 * Renders a template into the cache's project folder `name`, exactly as `asyncpat new` would
 * write it. Unchanged files keep their mtime (cargo then reuses its build); stale files go.
 */
async function generate(template: Template, name: string, values: OptionValues): Promise<string> {
  const dir = path.join(PROJECTS_DIR, name);
  const files = await renderTemplate(template, { name, values });
  const rendered = new Set(files.map((file) => file.path));
  for (const stale of (await listFiles(dir)).filter((file) => !rendered.has(file))) {
    await rm(path.join(dir, stale));
  }
  for (const file of files) {
    const target = path.join(dir, file.path);
    const current = await readFile(target).catch(() => undefined);
    if (current?.equals(file.content)) continue;
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, file.content, { mode: file.mode });
  }
  return dir;
}

async function cargo(dir: string, args: string[]): Promise<{ exitCode: number; output: string; seconds: number }> {
  const started = performance.now();
  const result = await execa("cargo", args, { cwd: dir, env: cargoEnv, reject: false, all: true, timeout: CARGO_TIMEOUT_MS });
  return { exitCode: result.exitCode ?? -1, output: result.all ?? "", seconds: (performance.now() - started) / 1000 };
}

/** Sums `test result: ok. N passed; M failed` over every test binary. */
function testCounts(output: string): { passed: number; failed: number } {
  let passed = 0;
  let failed = 0;
  for (const match of output.matchAll(/test result: \w+\. (\d+) passed; (\d+) failed/g)) {
    passed += Number(match[1]);
    failed += Number(match[2]);
  }
  return { passed, failed };
}

const tail = (output: string): string => output.slice(-6000);

async function expectCargoTestAndClippy(dir: string, label: string): Promise<void> {
  const test = await cargo(dir, ["test", "--offline"]);
  expect(test.exitCode, `cargo test failed for ${label}:\n${tail(test.output)}`).toBe(0);
  const counts = testCounts(test.output);
  expect(counts.failed).toBe(0);
  expect(counts.passed, `no tests ran for ${label}`).toBeGreaterThan(0);
  const clippy = await cargo(dir, ["clippy", "--offline", "--all-targets", "--", "-D", "warnings"]);
  expect(clippy.exitCode, `cargo clippy failed for ${label}:\n${tail(clippy.output)}`).toBe(0);
  console.log(
    `${label}: ${counts.passed} Rust tests passed; cargo test ${test.seconds.toFixed(1)} s, clippy ${clippy.seconds.toFixed(1)} s`,
  );
}

async function readText(dir: string, file: string): Promise<string> {
  return readFile(path.join(dir, file), "utf8");
}

describe("Rust templates: manifests", () => {
  it("lists the four Rust templates with the runtime and workerThreads options", () => {
    expect(catalog.broken.filter((broken) => broken.lang === "rust")).toEqual([]);
    for (const name of TEMPLATE_NAMES) {
      const options = rustTemplate(name).manifest.options;
      expect(options.find((option) => option.key === "runtime")).toMatchObject({
        kind: "choice",
        choices: ["multi-thread", "current-thread"],
        default: "multi-thread",
      });
      expect(options.find((option) => option.key === "workerThreads")).toMatchObject({ kind: "integer", default: 4 });
    }
  });
});

describeWithTools("Rust templates: generated projects build and pass their tests offline", [CARGO, DEBIAN_TOKIO], () => {
  beforeAll(async () => {
    const searchPath = RUST_PATH;
    // A private CARGO_HOME whose config points crates-io at Debian's registry: nothing is fetched,
    // and the user's own ~/.cargo is left alone. The templates themselves stay crates.io projects.
    const cargoHome = path.join(CACHE_DIR, "cargo-home");
    await mkdir(cargoHome, { recursive: true });
    await writeFile(
      path.join(cargoHome, "config.toml"),
      [
        "[source.crates-io]",
        'replace-with = "debian"',
        "[source.debian]",
        `directory = "${DEBIAN_REGISTRY}"`,
        "[net]",
        "offline = true",
        "",
      ].join("\n"),
    );
    cargoEnv = {
      ...process.env,
      PATH: searchPath,
      CARGO_HOME: cargoHome,
      CARGO_TARGET_DIR: path.join(CACHE_DIR, "target"),
      CARGO_BUILD_JOBS: "2",
      CARGO_TERM_COLOR: "never",
      RUST_BACKTRACE: "0",
    };
  }, 60_000);

  for (const name of TEMPLATE_NAMES) {
    it(
      `${name}: renders with the defaults, lints clean, then cargo test and clippy pass`,
      async () => {
        const template = rustTemplate(name);
        const crate = `demo-${name}`;
        const dir = await generate(template, crate, defaults(template));

        expect(existsSync(path.join(dir, ".gitignore"))).toBe(true);
        expect(existsSync(path.join(dir, "_gitignore"))).toBe(false);
        expect(existsSync(path.join(dir, "template.json"))).toBe(false);
        expect(await readText(dir, "Cargo.toml")).toContain(`name = "${crate}"`);
        const main = await readText(dir, "src/main.rs");
        expect(main).toContain("Builder::new_multi_thread()");
        expect(main).toContain("builder.worker_threads(4);");
        expect(main).not.toContain("new_current_thread");
        expect(main).not.toContain("asyncpat-template:");
        const rendered = await renderTemplate(template, { name: crate, values: defaults(template) });
        for (const file of rendered) {
          expect(file.content.toString("utf8"), `${file.path} still names the template crate`).not.toContain(`asyncpat-${name}`);
        }
        expect(rendered.some((file) => file.path.startsWith("tests/") && file.content.includes(`CARGO_BIN_EXE_${crate}`))).toBe(true);

        // The generated CI runs `asyncpat lint`; a template must not fail its own users' CI.
        const lint = await runCli(["lint", "."], { cwd: dir });
        expect(lint.exitCode, `asyncpat lint found problems in ${name}:\n${lint.stdout}${lint.stderr}`).toBe(0);

        await expectCargoTestAndClippy(dir, `${name} (multi-thread)`);

        // The soak: the real binary under load, SIGTERM mid-flight, nothing lost, exit 0.
        const soak = await cargo(dir, ["test", "--offline", "--test", "soak", "--", "--nocapture"]);
        expect(soak.exitCode, `the soak failed for ${name}:\n${tail(soak.output)}`).toBe(0);
        const verdict = soak.output.split("\n").filter((line) => line.startsWith("soak: ")).at(-1) ?? "";
        expect(verdict).toMatch(/^soak: \d+ accepted, \d+ refused, 0 lost, exit 0 after \d+ ms$/);
        expect(Number(/^soak: (\d+) accepted/.exec(verdict)?.[1])).toBeGreaterThan(0);
        console.log(`${name}: soak ${soak.seconds.toFixed(1)} s: ${verdict}`);
      },
      CARGO_TIMEOUT_MS,
    );
  }

  for (const name of TEMPLATE_NAMES) {
    it(
      `${name}: --runtime current-thread renders a current-thread runtime that passes cargo test and clippy`,
      async () => {
        const template = rustTemplate(name);
        const dir = await generate(template, `demo-${name}-current`, { ...defaults(template), runtime: "current-thread" });
        const main = await readText(dir, "src/main.rs");
        expect(main).toContain("Builder::new_current_thread()");
        expect(main).not.toContain("worker_threads");
        expect(main).not.toContain("new_multi_thread");
        await expectCargoTestAndClippy(dir, `${name} (current-thread)`);
      },
      CARGO_TIMEOUT_MS,
    );
  }

  it("--worker-threads sets the multi-thread runtime's worker count", async () => {
    for (const name of TEMPLATE_NAMES) {
      const template = rustTemplate(name);
      const files = await renderTemplate(template, { name: `demo-${name}`, values: { ...defaults(template), workerThreads: 8 } });
      const main = files.find((file) => file.path === "src/main.rs");
      expect(main?.content.toString("utf8")).toContain("builder.worker_threads(8);");
    }
  });
});
