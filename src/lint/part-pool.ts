/**
 * Worker threads for `--concurrency`, started before the run has found its files: each spends its
 * first half second loading TypeScript and the rules, and that happens while this thread loads its
 * own copy and walks the folders, instead of after. A leaf module (it must not load TypeScript).
 */
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";

/** Stack for part workers, as for the lint worker: deeply nested code must not overflow it. */
const WORKER_STACK_MB = 256;

const started: { url: string; worker: Worker }[] = [];

/** What a part worker loads while it waits for its files (its `workerData`). */
export interface PartWorkerData {
  /** `typescript`: the compiler, the TypeScript backend and the TypeScript rules. */
  preload: "typescript"[];
}

/**
 * What started part workers load before the files are known: the TypeScript side (half a second of
 * CPU per thread), unless the folder looks like a Rust-only project (a Cargo.toml beside no
 * package.json or tsconfig.json), where it would be loaded for nothing.
 */
export function preloadFor(cwd: string): PartWorkerData["preload"] {
  const has = (name: string) => existsSync(path.join(cwd, name));
  return has("Cargo.toml") && !has("package.json") && !has("tsconfig.json") ? [] : ["typescript"];
}

/**
 * The most threads `--concurrency auto` lints with: half the cores. Each lint thread pays for itself:
 * loading the compiler and the rules and warming V8 up. Measured on the bench's generated corpus
 * (--no-types, one thread): the lint thread used 0.7 / 1.25 / 1.9 / 2.75 s of CPU for 10 / 100 / 500 /
 * 1,000 files, and V8's compiler and garbage-collector threads 0.1 / 0.5 / 1.2 / 1.6 s more. So two
 * threads of 500 files spend about 1 s more in the lint threads and 0.8 s more in the background
 * than one of 1,000, and one thread already keeps a second core half busy: on 2 cores a second lint
 * thread costs more than it saves (the whole run is bound by its CPU) and auto keeps one.
 */
export function autoThreads(): number {
  return Math.max(1, Math.floor(os.availableParallelism() / 2));
}

/** The threads `--concurrency` may start besides the current one (which lints a share too). */
export function extraThreads(concurrency: number | "auto" | "off" | undefined): number {
  if (concurrency === undefined || concurrency === "off") return 0;
  return (concurrency === "auto" ? autoThreads() : concurrency) - 1;
}

/**
 * The CPU time this thread has used, in milliseconds (user and system, from Linux's
 * /proc/thread-self/stat in clock ticks of 10 ms); undefined elsewhere. Node 20 has no per-thread
 * figure of its own (`process.cpuUsage()` sums every thread).
 */
export function threadCpuMs(): number | undefined {
  try {
    const stat = readFileSync("/proc/thread-self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10 : undefined;
  } catch {
    return undefined;
  }
}

function spawn(url: URL, data: PartWorkerData = { preload: [] }): Worker {
  const worker = new Worker(url, { workerData: data, resourceLimits: { stackSizeMb: WORKER_STACK_MB } });
  // a thread that dies while idle is noticed when it is handed work (its exit rejects that part)
  worker.on("error", () => undefined);
  return worker;
}

/** Starts `count` part workers now, to be handed their files later with `takePartWorker`. */
export function prestartPartWorkers(url: URL, count: number, preload: PartWorkerData["preload"] = []): void {
  for (let index = 0; index < count; index++) started.push({ url: url.href, worker: spawn(url, { preload }) });
}

/** A started worker of this script, or a new one. */
export function takePartWorker(url: URL): Worker {
  const index = started.findIndex((entry) => entry.url === url.href);
  if (index === -1) return spawn(url);
  return started.splice(index, 1)[0]!.worker;
}

/** Stops the started workers not taken yet, now, without waiting for them to end. */
export function releaseIdlePartWorkers(): void {
  for (const { worker } of started.splice(0)) worker.terminate().catch(() => undefined);
}

/** Stops the started workers the run did not need. */
export async function stopIdlePartWorkers(): Promise<void> {
  const idle = started.splice(0);
  await Promise.all(idle.map(({ worker }) => worker.terminate().catch(() => undefined)));
}
