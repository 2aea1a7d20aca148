/**
 * Worker threads for `--concurrency`, started before the run has found its files: each spends its
 * first half second loading TypeScript and the rules, and that happens while this thread loads its
 * own copy and walks the folders, instead of after. A leaf module (it must not load TypeScript).
 */
import os from "node:os";
import { Worker } from "node:worker_threads";

/** Stack for part workers, as for the lint worker: deeply nested code must not overflow it. */
const WORKER_STACK_MB = 256;

const started: { url: string; worker: Worker }[] = [];

/**
 * The most threads `--concurrency auto` lints with: half the cores. Each lint thread pays for itself
 * (loading the compiler and the rules, warming V8 up: measured 0.7 s of CPU before its first file, and
 * 1.5x the CPU of one thread for the same 1,000 files on 2 threads), and one thread already keeps
 * another core busy with V8's compiler and garbage collector threads (3.65 s of CPU in 2.3 s), so on
 * 2 cores a second lint thread costs more than it saves and auto keeps one.
 */
export function autoThreads(): number {
  return Math.max(1, Math.floor(os.availableParallelism() / 2));
}

/** The threads `--concurrency` may start besides the current one (which lints a share too). */
export function extraThreads(concurrency: number | "auto" | "off" | undefined): number {
  if (concurrency === undefined || concurrency === "off") return 0;
  return (concurrency === "auto" ? autoThreads() : concurrency) - 1;
}

function spawn(url: URL): Worker {
  const worker = new Worker(url, { resourceLimits: { stackSizeMb: WORKER_STACK_MB } });
  // a thread that dies while idle is noticed when it is handed work (its exit rejects that part)
  worker.on("error", () => undefined);
  return worker;
}

/** Starts `count` part workers now, to be handed their files later with `takePartWorker`. */
export function prestartPartWorkers(url: URL, count: number): void {
  for (let index = 0; index < count; index++) started.push({ url: url.href, worker: spawn(url) });
}

/** A started worker of this script, or a new one. */
export function takePartWorker(url: URL): Worker {
  const index = started.findIndex((entry) => entry.url === url.href);
  if (index === -1) return spawn(url);
  return started.splice(index, 1)[0]!.worker;
}

/** Stops the started workers the run did not need. */
export async function stopIdlePartWorkers(): Promise<void> {
  const idle = started.splice(0);
  await Promise.all(idle.map(({ worker }) => worker.terminate().catch(() => undefined)));
}
