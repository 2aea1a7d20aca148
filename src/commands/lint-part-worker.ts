/**
 * One part of a `--concurrency` run, in its own worker thread: started before the run has found its
 * files, it loads the engine, the rules and (unless told the run is Rust only) the TypeScript
 * compiler, the backend and the TypeScript rules while it waits, so it starts linting as soon as its
 * files arrive; then it lints them and posts the report back with its moments (for `--stats`).
 */
import { parentPort, workerData } from "node:worker_threads";
import type { PartInput, PartOutput } from "../lint/parallel.js";
import { enableCompileCache, saveCompileCache } from "../lint/compile-cache.js";
import { threadCpuMs, type PartWorkerData } from "../lint/part-pool.js";

enableCompileCache();

const started = performance.timeOrigin;
const now = () => performance.timeOrigin + performance.now();
let ready = 0;
const preload = (workerData as PartWorkerData | undefined)?.preload ?? [];
const loaded = Promise.all([
  import("../lint/parallel.js"),
  import("./rule-catalog.js"),
  ...(preload.includes("typescript") ? [import("../lint/typescript/backend.js"), import("../../rules/typescript.js")] : []),
] as const).then((modules) => {
  ready = now();
  return modules;
});
loaded.catch(() => undefined); // reported when the files arrive
parentPort!.once("message", (input: PartInput) => {
  const handed = now();
  loaded
    .then(([{ lintPart }, { lintRules }]) => lintPart(input, lintRules()))
    .finally(saveCompileCache)
    .then(
      (report) =>
        parentPort!.postMessage({
          report,
          times: { started, ready: Math.max(ready, started), handed, done: now(), cpu: threadCpuMs() },
        } satisfies PartOutput),
      (error: unknown) =>
        parentPort!.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies PartOutput),
    );
});
