/**
 * One part of a `--concurrency` run, in its own worker thread: started early, it loads the engine
 * and the rules at once, then waits for its files, lints them and posts the report back.
 */
import { parentPort } from "node:worker_threads";
import type { PartInput } from "../lint/parallel.js";
import { enableCompileCache, saveCompileCache } from "../lint/compile-cache.js";

enableCompileCache();

const loaded = Promise.all([import("../lint/parallel.js"), import("./rule-catalog.js")]);
loaded.catch(() => undefined); // reported when the files arrive
parentPort!.once("message", (input: PartInput) => {
  loaded
    .then(([{ lintPart }, { lintRules }]) => lintPart(input, lintRules()))
    .finally(saveCompileCache)
    .then(
      (report) => parentPort!.postMessage({ report }),
      (error: unknown) => parentPort!.postMessage({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
});
