/**
 * Lint throughput: `npm run bench`. First start-up against `node -e 0`, then asyncpat vs ESLint +
 * typescript-eslint vs `tsc --noEmit` (cold, warm, 1 thread and one per core) on a generated
 * project and on real npm packages (BENCH_REAL, tarballs cached in BENCH_CACHE). Then it generates
 * crate in a temp folder, then times `asyncpat lint` (the built CLI, end to end, as a user runs it)
 * on them with and without type information, and on this repository; then a Rust service module at
 * 250, 1,000 and 2,000 files, to show time per file stays flat. Prints medians of N runs and
 * ratios; the machine's noise shows in the min–max spread printed beside each median. First of all,
 * `--concurrency` off / 2 / auto side by side on the generated project (BENCH_THREADS_ONLY=1: only that).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { loadCorpus, materialize } from "./accuracy-corpus.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = path.join(repoRoot, "bin", "asyncpat.js");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
/**
 * The real package set: tuning-half packages of the accuracy corpus with service code, as published
 * on npm (`npm pack`, cached in BENCH_CACHE). BENCH_REAL=0 skips it (no network); BENCH_REAL=a,b picks others.
 */
const REAL_PACKAGES =
  process.env.BENCH_REAL && process.env.BENCH_REAL !== "0"
    ? process.env.BENCH_REAL.split(",")
    : ["undici", "fastify", "mysql2", "@strapi/core"];
const FILES = Number(process.env.BENCH_FILES ?? 1000);

function tsModule(index: number): string {
  return `import { Mutex } from "async-mutex";
import axios from "axios";
import { readFile } from "node:fs/promises";
import { helper${(index + 1) % FILES} } from "./module-${(index + 1) % FILES}.js";

const lock = new Mutex();
const client = axios.create({ timeout: 5_000 });

export interface Order${index} {
  id: string;
  amount: number;
  tags: string[];
}

export async function load${index}(id: string, signal: AbortSignal): Promise<Order${index}> {
  const response = await fetch(\`https://orders.internal/\${id}\`, { signal });
  if (!response.ok) throw new Error(\`order \${id}: \${response.status}\`);
  return (await response.json()) as Order${index};
}

export async function update${index}(order: Order${index}): Promise<void> {
  const release = await lock.acquire();
  try {
    order.amount = Math.round(order.amount * 100) / 100;
  } finally {
    release();
  }
  await client.post("/orders", order);
}

export async function config${index}(file: string): Promise<Record<string, unknown>> {
  const text = await readFile(file, "utf8");
  return JSON.parse(text) as Record<string, unknown>;
}

export function helper${index}(values: number[]): number {
  let total = 0;
  for (const value of values) {
    if (value > 0) total += value;
    else if (value < -100) total -= 1;
  }
  return total;
}

export function summarize${index}(orders: Order${index}[]): string {
  return orders
    .filter((order) => order.tags.includes("priority"))
    .map((order) => \`\${order.id}:\${helper${(index + 1) % FILES}([order.amount])}\`)
    .join(",");
}
${index % 10 === 0 ? `\nsetInterval(async () => {\n  await load${index}("x", AbortSignal.timeout(1000));\n}, 1000);\n` : ""}`;
}

function rustModule(index: number): string {
  return `use std::time::Duration;
use tokio::sync::{mpsc, Mutex};
use tokio::time::timeout;

pub struct Order${index} {
    pub id: String,
    pub amount: u64,
}

pub async fn consume${index}(mut rx: mpsc::Receiver<Order${index}>, total: &Mutex<u64>) {
    while let Some(order) = rx.recv().await {
        let mut guard = total.lock().await;
        *guard += order.amount;
        drop(guard);
    }
}

pub async fn fetch${index}(addr: &str) -> std::io::Result<tokio::net::TcpStream> {
    timeout(Duration::from_secs(5), tokio::net::TcpStream::connect(addr))
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "connect"))?
}

pub fn checksum${index}(values: &[u64]) -> u64 {
    values.iter().fold(0u64, |acc, v| acc.wrapping_mul(31).wrapping_add(*v))
}
${index % 10 === 0 ? `\npub async fn pipeline${index}() {\n    let (tx, _rx) = mpsc::unbounded_channel::<u64>();\n    let _ = tx.send(1);\n    std::thread::sleep(Duration::from_millis(1));\n}\n` : ""}`;
}

/**
 * A connection-handling module as services write them (accept loop with a shutdown branch, a
 * deadline on reads, a lock, a socket write with no deadline that sends missing-timeout looking
 * for callers in other files). `suffix` makes its function names unique per file; without one,
 * every file defines the same names, the worst case for lookups across files.
 */
function rustServiceModule(suffix: string): string {
  return `use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, Mutex};
use tokio::time::timeout;

pub struct Session${suffix} {
    pub peer: String,
    pub seen: Arc<Mutex<u64>>,
}

async fn read_request${suffix}(stream: &mut BufReader<TcpStream>) -> std::io::Result<String> {
    let mut line = String::new();
    stream.read_line(&mut line).await?;
    Ok(line)
}

async fn handle${suffix}(socket: TcpStream, session: Session${suffix}) -> std::io::Result<()> {
    let mut reader = BufReader::new(socket);
    let request = timeout(Duration::from_secs(5), read_request${suffix}(&mut reader))
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "read"))??;
    let mut count = session.seen.lock().await;
    *count += 1;
    drop(count);
    reply${suffix}(reader.get_mut(), request.as_bytes()).await?;
    Ok(())
}

async fn reply${suffix}(socket: &mut TcpStream, body: &[u8]) -> std::io::Result<()> {
    socket.write_all(body).await
}

pub async fn fetch${suffix}(addr: &str) -> std::io::Result<TcpStream> {
    timeout(Duration::from_secs(3), TcpStream::connect(addr))
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "connect"))?
}

pub async fn ping${suffix}(addr: &str) -> std::io::Result<()> {
    let mut stream: TcpStream = fetch${suffix}(addr).await?;
    stream.write_all(b"ping\n").await
}

pub async fn forward${suffix}(tx: mpsc::Sender<String>, lines: Vec<String>) {
    for line in lines {
        if tx.send(line).await.is_err() {
            break;
        }
    }
}

pub async fn serve${suffix}(listener: TcpListener, seen: Arc<Mutex<u64>>) -> std::io::Result<()> {
    let shutdown = tokio::signal::ctrl_c();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (socket, addr) = accepted?;
                let session = Session${suffix} { peer: addr.to_string(), seen: seen.clone() };
                tokio::spawn(async move {
                    if let Err(error) = handle${suffix}(socket, session).await {
                        eprintln!("connection failed: {error}");
                    }
                });
            }
            _ = &mut shutdown => break,
        }
    }
    Ok(())
}

pub fn checksum${suffix}(values: &[u64]) -> u64 {
    values.iter().fold(0u64, |acc, v| acc.wrapping_mul(31).wrapping_add(*v))
}
`;
}

/** Rust lint time must grow with the file count, not its square: the same module at three sizes. */
const RUST_SCALING = [250, 1000, 2000];

function generateRustScaling(root: string, files: number, unique: boolean): string {
  const crate = path.join(root, `rust-scaling-${files}-${unique ? "unique" : "identical"}`);
  mkdirSync(path.join(crate, "src"), { recursive: true });
  for (let index = 0; index < files; index++)
    writeFileSync(path.join(crate, "src", `module_${index}.rs`), rustServiceModule(unique ? String(index) : ""));
  return crate;
}

function generate(root: string): { ts: string; rust: string } {
  const ts = path.join(root, "ts-project");
  const rust = path.join(root, "rust-crate");
  mkdirSync(path.join(ts, "src"), { recursive: true });
  mkdirSync(path.join(rust, "src"), { recursive: true });
  writeFileSync(
    path.join(ts, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true },
      include: ["src"],
    }),
  );
  for (let index = 0; index < FILES; index++) {
    writeFileSync(path.join(ts, "src", `module-${index}.ts`), tsModule(index));
    writeFileSync(path.join(rust, "src", `module_${index}.rs`), rustModule(index));
  }
  return { ts, rust };
}

interface Sample {
  ms: number;
  files: number;
  lines: number;
  checkerMs: number;
}

async function timeLint(cwd: string, args: string[]): Promise<Sample[]> {
  const samples: Sample[] = [];
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now();
    const result = await execa(process.execPath, [bin, "lint", "--format", "json", "--stats", ...args], { cwd, reject: false });
    const ms = performance.now() - started;
    if (result.exitCode === 2) throw new Error(`lint failed in ${cwd}: ${String(result.stderr)}`);
    const stats = /asyncpat: (\d+) files?, (\d+) lines? in \d+ ms \(type checker (\d+) ms\)/.exec(String(result.stderr));
    samples.push({ ms, files: Number(stats?.[1] ?? 0), lines: Number(stats?.[2] ?? 0), checkerMs: Number(stats?.[3] ?? 0) });
  }
  return samples;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function row(label: string, samples: Sample[]): { label: string; ms: number; text: string } {
  const times = samples.map((sample) => sample.ms);
  const ms = median(times);
  const { files, lines } = samples[0]!;
  const text = `${label.padEnd(44)} ${String(files).padStart(5)} files ${String(lines).padStart(7)} lines  median ${(ms / 1000).toFixed(2)} s (min ${(Math.min(...times) / 1000).toFixed(2)}, max ${(Math.max(...times) / 1000).toFixed(2)})  ${Math.round(files / (ms / 1000))} files/s  ${Math.round(lines / (ms / 1000))} lines/s  (type checker ${(median(samples.map((sample) => sample.checkerMs)) / 1000).toFixed(2)} s)`;
  return { label, ms, text };
}

/** One timed process: wall time and, where GNU time is installed, peak resident memory. */
interface Measured {
  ms: number;
  peakMb?: number;
  /** User plus system CPU time of the process and its threads (GNU time). */
  cpuMs?: number;
}

const GNU_TIME = "/usr/bin/time";

async function measure(cwd: string, command: string, args: string[]): Promise<Measured> {
  const withTime = existsSync(GNU_TIME);
  const started = performance.now();
  const result = await execa(withTime ? GNU_TIME : command, withTime ? ["-f", "peak-kb %M cpu-s %U %S", command, ...args] : args, {
    cwd,
    reject: false,
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  const ms = performance.now() - started;
  const peak = /peak-kb (\d+)/.exec(String(result.stderr));
  const cpu = /cpu-s ([\d.]+) ([\d.]+)/.exec(String(result.stderr));
  if (result.exitCode === 2 && command === process.execPath && args[0] === bin) {
    throw new Error(`lint failed in ${cwd}: ${String(result.stderr)}`);
  }
  return { ms, peakMb: peak ? Number(peak[1]) / 1024 : undefined, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : undefined };
}

async function measureMedian(cwd: string, command: string, args: string[], prepare?: () => void): Promise<Measured> {
  const samples: Measured[] = [];
  for (let run = 0; run < RUNS; run++) {
    prepare?.();
    samples.push(await measure(cwd, command, args));
  }
  samples.sort((a, b) => a.ms - b.ms);
  return samples[Math.floor(samples.length / 2)]!;
}

const ESLINT_CONFIG = `import tseslint from "typescript-eslint";
export default tseslint.config(
  { ignores: ["node_modules/**"] },
  ...tseslint.configs.recommendedTypeChecked,
  { languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } } },
);
`;

/**
 * asyncpat beside ESLint + typescript-eslint's typed rules and \`tsc --noEmit\` on the same files, in one
 * run: cold (no cache) and warm (a cache from the previous run, nothing changed; and one file
 * changed), at one thread and on every core. Ratios compare within this run only.
 */
async function compareTools(project: string, label: string): Promise<void> {
  const eslintBin = path.join(repoRoot, "node_modules", "eslint", "bin", "eslint.js");
  const tscBin = path.join(repoRoot, "node_modules", "typescript", "bin", "tsc");
  const haveEslint = existsSync(eslintBin) && existsSync(path.join(repoRoot, "node_modules", "typescript-eslint"));
  if (haveEslint) {
    writeFileSync(path.join(project, "eslint.config.mjs"), ESLINT_CONFIG);
    if (!existsSync(path.join(project, "node_modules")))
      symlinkSync(path.join(repoRoot, "node_modules"), path.join(project, "node_modules"), "dir");
  }
  const cores = os.availableParallelism();
  const lint = (...args: string[]) => [
    bin,
    "lint",
    "--format",
    "json",
    "--output-file",
    path.join(project, ".asyncpat-report.json"),
    ...args,
  ];
  const asyncpatCache = path.join(project, ".asyncpatcache");
  const eslintCache = path.join(project, ".eslintcache");
  const clear = () => {
    rmSync(asyncpatCache, { force: true });
    rmSync(eslintCache, { force: true });
  };
  const touched = readdirFirst(project);
  const touch = () => {
    if (touched) writeFileSync(touched, `${readFileSync(touched, "utf8")}\n`);
  };
  const rows: { name: string; m: Measured }[] = [];
  const add = async (name: string, command: string, args: string[], prepare?: () => void) => {
    rows.push({ name, m: await measureMedian(project, command, args, prepare) });
  };
  const node = process.execPath;
  const loadBefore = os.loadavg()[0]!.toFixed(2);
  await add("tsc --noEmit", node, [tscBin, "--noEmit", "-p", "tsconfig.json"]);
  await add("asyncpat --no-types, 1 thread, cold", node, lint("--no-types", "--concurrency", "off"));
  await add(`asyncpat --no-types, ${cores} threads, cold`, node, lint("--no-types", "--concurrency", String(cores)));
  await add("asyncpat --no-types, --concurrency auto, cold", node, lint("--no-types", "--concurrency", "auto"));
  await add("asyncpat types, 1 thread, cold", node, lint("--types", "--concurrency", "off"));
  await add(`asyncpat types, ${cores} threads, cold`, node, lint("--types", "--concurrency", String(cores)));
  await add("asyncpat types, --concurrency auto, cold", node, lint("--types", "--concurrency", "auto"));
  clear();
  await measure(project, node, lint("--types", "--cache"));
  await add("asyncpat types, warm (--cache, no change)", node, lint("--types", "--cache"));
  await add("asyncpat types, warm (--cache, one file changed)", node, lint("--types", "--cache"), touch);
  if (haveEslint) {
    const eslint = (...args: string[]) => [
      eslintBin,
      "--format",
      "json",
      "--output-file",
      path.join(project, ".eslint-report.json"),
      ".",
      ...args,
    ];
    await add("ESLint + typescript-eslint typed, 1 thread, cold", node, eslint());
    await add(`ESLint + typescript-eslint typed, ${cores} threads, cold`, node, eslint("--concurrency", String(cores)));
    clear();
    await measure(project, node, eslint("--cache", "--cache-location", eslintCache));
    await add("ESLint + typescript-eslint typed, warm (--cache, no change)", node, eslint("--cache", "--cache-location", eslintCache));
  }
  clear();
  const eslintCold = rows.find((row) => row.name.startsWith("ESLint") && row.name.includes("1 thread"))?.m;
  const tsc = rows[0]!.m;
  console.log(`\n${label}: ${RUNS} run(s) each (median), ${cores} cores, node ${process.version}; whole processes timed`);
  console.log(
    `${"".padEnd(58)} ${"wall".padStart(8)} ${"CPU".padStart(8)} ${"peak".padStart(8)} ${"× ESLint".padStart(9)} ${"× tsc".padStart(7)} ${"mem × ESLint".padStart(13)}`,
  );
  for (const { name, m } of rows) {
    const ratio = (a: number, b: number | undefined) => (b ? `${(a / b).toFixed(2)}` : "–");
    console.log(
      `${name.padEnd(58)} ${`${(m.ms / 1000).toFixed(2)} s`.padStart(8)} ${(m.cpuMs ? `${(m.cpuMs / 1000).toFixed(2)} s` : "–").padStart(8)} ${m.peakMb ? `${m.peakMb.toFixed(0)} MB`.padStart(8) : "–".padStart(8)} ${ratio(m.ms, eslintCold?.ms).padStart(9)} ${ratio(m.ms, tsc.ms).padStart(7)} ${(m.peakMb ? ratio(m.peakMb, eslintCold?.peakMb) : "–").padStart(13)}`,
    );
  }
  const speedUp = (types: string, threads: string) => {
    const one = rows.find((row) => row.name === `asyncpat ${types}, 1 thread, cold`)!.m;
    const many = rows.find((row) => row.name === `asyncpat ${types}, ${threads}, cold`)!.m;
    const cpu = one.cpuMs && many.cpuMs ? ` (CPU ${(many.cpuMs / one.cpuMs).toFixed(2)}x)` : "";
    return `${(one.ms / many.ms).toFixed(2)}x${cpu}`;
  };
  for (const types of ["--no-types", "types"])
    console.log(
      `${types}: off over --concurrency auto ${speedUp(types, "--concurrency auto")}, over --concurrency ${cores} ${speedUp(types, `${cores} threads`)} (wall: higher is faster; CPU: user+sys of the threads over off's)`,
    );
  console.log(
    `load average while these ran: ${loadBefore} before, ${os.loadavg()[0]!.toFixed(2)} after (wall ratios mean little above ${cores / 2})`,
  );
  if (!haveEslint) console.log("(ESLint rows need the dev dependencies eslint, typescript-eslint and @eslint/js: npm ci)");
}

/**
 * `--concurrency` side by side: off, 2 threads and auto, with and without types, the runs of each
 * setting interleaved (off, 2, auto, off, 2, auto, …) so that a machine's changing load hits them
 * alike. Prints the median wall and CPU (user+sys of every thread) and the ratios over off, and
 * checks the three give byte-identical JSON reports. BENCH_THREADS_ONLY=1 runs only this table.
 */
async function threadsTable(project: string, label: string): Promise<void> {
  const node = process.execPath;
  const settings = ["off", "2", "auto"];
  const loadBefore = os.loadavg()[0]!.toFixed(2);
  console.log(
    `\n--concurrency on ${label}: ${RUNS} run(s) of each setting, interleaved; ${os.availableParallelism()} cores, node ${process.version}`,
  );
  console.log(
    `${"".padEnd(30)} ${"wall".padStart(8)} ${"CPU".padStart(8)} ${"off/this wall".padStart(14)} ${"this/off CPU".padStart(13)}  (min–max wall)`,
  );
  for (const types of ["--no-types", "--types"]) {
    const samples = new Map<string, Measured[]>(settings.map((setting) => [setting, []]));
    const reports = new Map<string, string>();
    for (let run = 0; run < RUNS; run++) {
      for (const setting of settings) {
        const output = path.join(project, `.asyncpat-threads-${setting}.json`);
        samples
          .get(setting)!
          .push(await measure(project, node, [bin, "lint", "--format", "json", "--output-file", output, types, "--concurrency", setting]));
        reports.set(setting, readFileSync(output, "utf8"));
        rmSync(output, { force: true });
      }
    }
    const off = samples.get("off")!;
    const offWall = median(off.map((m) => m.ms));
    const offCpu = off.every((m) => m.cpuMs !== undefined) ? median(off.map((m) => m.cpuMs!)) : undefined;
    for (const setting of settings) {
      const taken = samples.get(setting)!;
      const wall = median(taken.map((m) => m.ms));
      const cpu = taken.every((m) => m.cpuMs !== undefined) ? median(taken.map((m) => m.cpuMs!)) : undefined;
      const walls = taken.map((m) => m.ms / 1000);
      console.log(
        `${`${types} --concurrency ${setting}`.padEnd(30)} ${`${(wall / 1000).toFixed(2)} s`.padStart(8)} ${(cpu ? `${(cpu / 1000).toFixed(2)} s` : "–").padStart(8)} ${`${(offWall / wall).toFixed(2)}x`.padStart(14)} ${(cpu && offCpu ? `${(cpu / offCpu).toFixed(2)}x` : "–").padStart(13)}  (${Math.min(...walls).toFixed(2)}–${Math.max(...walls).toFixed(2)})`,
      );
    }
    const same = settings.every((setting) => reports.get(setting) === reports.get("off"));
    console.log(`${"".padEnd(30)} reports byte-identical to off: ${same ? "yes" : "NO"}`);
    if (!same) process.exitCode = 1;
  }
  console.log(
    `off/this wall: higher is faster; this/off CPU: the threads' extra work. Load average ${loadBefore} before, ${os.loadavg()[0]!.toFixed(2)} after (wall ratios mean little above ${os.availableParallelism() / 2})`,
  );
}

/** The file the warm run changes: a module of the generated project, else the first source file found. */
function readdirFirst(project: string): string | undefined {
  const candidate = path.join(project, "src", "module-1.ts");
  if (existsSync(candidate)) return candidate;
  const walk = (dir: string): string | undefined => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        const found = walk(full);
        if (found) return found;
      } else if (/\.(ts|js|mjs|cjs)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) return full;
    }
    return undefined;
  };
  return walk(project);
}

/**
 * The real package set in one project: each package in its own folder with its package.json (so
 * asyncpat splits by package), one tsconfig over all of them for tsc and typescript-eslint. The
 * packages' dependencies are not installed: tsc reports unresolved imports, which costs it nothing.
 */
async function realProject(root: string): Promise<string> {
  const corpus = loadCorpus(path.join(repoRoot, "accuracy", "corpus.json"));
  const project = path.join(root, "real-packages");
  mkdirSync(project, { recursive: true });
  const cacheDir = process.env.BENCH_CACHE ?? path.join(os.tmpdir(), "asyncpat-bench-cache");
  const folders: string[] = [];
  for (const name of REAL_PACKAGES) {
    const entry = corpus.packages.find((candidate) => candidate.name === name);
    if (!entry || entry.source !== "npm") throw new Error(`BENCH_REAL: ${name} is not an npm package of accuracy/corpus.json`);
    const dir = await materialize(entry, path.join(project, "packages"), cacheDir);
    folders.push(path.relative(project, dir));
  }
  writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "bench-real", private: true }));
  writeFileSync(
    path.join(project, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        allowJs: true,
        checkJs: false,
        noEmit: true,
        skipLibCheck: true,
      },
      include: folders.flatMap((folder) => ["ts", "tsx", "mts", "cts", "js", "mjs", "cjs"].map((ext) => `${folder}/**/*.${ext}`)),
      exclude: ["**/node_modules", "**/*.d.ts"],
    }),
  );
  return project;
}

/** Start-up against Node's own (`node -e 0`, the floor): commands that load no TypeScript, and one-file lints. */
async function startUp(root: string, ts: string, rust: string): Promise<void> {
  const node = process.execPath;
  const floor = await measureMedian(root, node, ["-e", "0"]);
  const rows: [string, Measured][] = [["node -e 0 (the floor)", floor]];
  const add = async (label: string, cwd: string, args: string[]) => rows.push([label, await measureMedian(cwd, node, [bin, ...args])]);
  await add("asyncpat --version", root, ["--version"]);
  await add("asyncpat --help", root, ["--help"]);
  await add("asyncpat rules", root, ["rules"]);
  await add("asyncpat lint one TS file --no-types", ts, ["lint", "--no-types", "src/module-1.ts"]);
  await add("asyncpat lint one TS file, types", ts, ["lint", "--types", "src/module-1.ts"]);
  await add("asyncpat lint one Rust file", rust, ["lint", "src/module_1.rs"]);
  console.log(`\nstart-up, ${RUNS} run(s) each (median)`);
  for (const [label, m] of rows)
    console.log(`${label.padEnd(44)} ${`${m.ms.toFixed(0)} ms`.padStart(9)}  ${(m.ms / floor.ms).toFixed(2)}x the floor`);
}

async function main(): Promise<void> {
  const root = mkdtempSync(path.join(os.tmpdir(), "asyncpat-bench-"));
  try {
    const { ts, rust } = generate(root);
    await threadsTable(ts, `generated TypeScript project, ${FILES} files`);
    if (process.env.BENCH_THREADS_ONLY) return;
    await startUp(root, ts, rust);
    await compareTools(ts, `generated TypeScript project, ${FILES} files`);
    if (process.env.BENCH_REAL !== "0")
      await compareTools(await realProject(root), `real packages (${REAL_PACKAGES.join(", ")}), as published on npm`);
    if (process.env.BENCH_PROJECT)
      await compareTools(path.resolve(process.env.BENCH_PROJECT), `BENCH_PROJECT ${process.env.BENCH_PROJECT}`);
    if (process.env.BENCH_COMPARE_ONLY) return;
    console.log(
      `\nasyncpat lint throughput, ${RUNS} runs each, ${os.cpus().length} cores, node ${process.version}; whole CLI process timed (start-up included)\n`,
    );
    const rows = [
      row(`generated TS, ${FILES} files, --no-types`, await timeLint(ts, ["--no-types"])),
      row(`generated TS, ${FILES} files, with types`, await timeLint(ts, [])),
      row(`generated Rust, ${FILES} files`, await timeLint(rust, [])),
      row(
        "this repository (src rules scripts test bin)",
        await timeLint(repoRoot, ["src", "rules", "scripts", "bin", "test/lint", "test/rules"]),
      ),
    ];
    for (const entry of rows) console.log(entry.text);
    console.log(
      `\nratio with types / --no-types: ${(rows[1]!.ms / rows[0]!.ms).toFixed(2)}x; Rust / TS (--no-types): ${(rows[2]!.ms / rows[0]!.ms).toFixed(2)}x`,
    );
    console.log("\nRust scaling (a 77-line service module copied N times; time per file should stay flat)");
    for (const unique of [true, false]) {
      const scaling = [];
      for (const files of RUST_SCALING) {
        const entry = row(
          `Rust service module, ${unique ? "unique names" : "identical copies"}`,
          await timeLint(generateRustScaling(root, files, unique), []),
        );
        console.log(entry.text);
        scaling.push(entry.ms / files);
      }
      console.log(
        `  time per file at ${RUST_SCALING.at(-1)} / at ${RUST_SCALING[0]} files: ${(scaling.at(-1)! / scaling[0]!).toFixed(2)}x`,
      );
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
