import type { RustRule } from "../src/lint/rust-api.js";
import blockingInAsync from "./blocking-in-async/rust.js";
import floatingTask from "./floating-task/rust.js";
import lockAcrossAwait from "./lock-across-await/rust.js";
import missingGracefulShutdown from "./missing-graceful-shutdown/rust.js";
import missingTimeout from "./missing-timeout/rust.js";
import unboundedChannel from "./unbounded-channel/rust.js";
import unboundedConcurrency from "./unbounded-concurrency/rust.js";

/** The Rust implementation of every rule that has one, by rule id. Imported only when a run has .rs files; it loads no TypeScript. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const implementations: Readonly<Record<string, RustRule<any>>> = {
  "blocking-in-async": blockingInAsync,
  "floating-task": floatingTask,
  "lock-across-await": lockAcrossAwait,
  "missing-graceful-shutdown": missingGracefulShutdown,
  "missing-timeout": missingTimeout,
  "unbounded-channel": unboundedChannel,
  "unbounded-concurrency": unboundedConcurrency,
};
