/**
 * Lint throughput: `npm run bench`. Generates a 1,000-file TypeScript project and a 1,000-file Rust
 * crate in a temp folder, then times `asyncpat lint` (the built CLI, end to end, as a user runs it)
 * on them with and without type information, and on this repository; then a Rust service module at
 * 250, 1,000 and 2,000 files, to show time per file stays flat. Prints medians of N runs and
 * ratios; the machine's noise shows in the min–max spread printed beside each median.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = path.join(repoRoot, "bin", "asyncpat.js");
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
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

async function main(): Promise<void> {
  const root = mkdtempSync(path.join(os.tmpdir(), "asyncpat-bench-"));
  try {
    const { ts, rust } = generate(root);
    console.log(
      `asyncpat lint throughput, ${RUNS} runs each, ${os.cpus().length} cores, node ${process.version}; whole CLI process timed (start-up included)\n`,
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
