/**
 * The lint run, inside a worker thread with a large stack: TypeScript's parser and checker recurse
 * once per nesting level, and generated code nested 10,000 levels deep would overflow the main
 * thread's stack. Output is handed back to the main thread as strings.
 */
import { parentPort, workerData } from "node:worker_threads";
import { exitCodeOf } from "../errors.js";
import type { LintWorkerInput, LintWorkerOutput } from "./lint-protocol.js";
import { extraThreads, preloadFor, prestartPartWorkers, stopIdlePartWorkers } from "../lint/part-pool.js";
import { enableCompileCache, saveCompileCache } from "../lint/compile-cache.js";

enableCompileCache();
const input = workerData as LintWorkerInput;
const partWorker = new URL("./lint-part-worker.js", import.meta.url);
const extra = extraThreads(input.options.concurrency);
if (extra > 0) prestartPartWorkers(partWorker, extra, preloadFor(process.cwd()));
let stdout = "";
let stderr = "";
const io = {
  stdout: { write: (text: string) => void (stdout += text), isTTY: input.stdoutIsTTY },
  stderr: { write: (text: string) => void (stderr += text) },
  stdinText: input.stdinText,
};

try {
  const [{ runLint }, { lintRules }] = await Promise.all([import("../lint/run.js"), import("./rule-catalog.js")]);
  const exitCode = await runLint(input.paths, input.options, lintRules(), io, { partWorker }).finally(stopIdlePartWorkers);
  saveCompileCache();
  parentPort!.postMessage({ exitCode, stdout, stderr } satisfies LintWorkerOutput);
} catch (error) {
  const internal = !(error && typeof error === "object" && "exitCode" in error);
  const message = error instanceof Error ? (internal ? (error.stack ?? error.message) : error.message) : String(error);
  parentPort!.postMessage({
    exitCode: exitCodeOf(error),
    stdout,
    stderr,
    error: { message, exitCode: exitCodeOf(error), internal },
  } satisfies LintWorkerOutput);
}
