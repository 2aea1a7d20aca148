/** One part of a `--concurrency` run, in its own worker thread: lints its files and posts the report back. */
import { parentPort, workerData } from "node:worker_threads";
import type { PartInput } from "../lint/parallel.js";

try {
  const [{ lintPart }, { allRules }] = await Promise.all([import("../lint/parallel.js"), import("../../rules/index.js")]);
  parentPort!.postMessage({ report: await lintPart(workerData as PartInput, allRules) });
} catch (error) {
  parentPort!.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
}
