import type { TypeScriptRule } from "../src/lint/api.js";
import asyncInterval from "./async-interval/typescript.js";
import blockingInAsync from "./blocking-in-async/typescript.js";
import floatingTask from "./floating-task/typescript.js";
import ignoredBackpressure from "./ignored-backpressure/typescript.js";
import leakyTimeoutRace from "./leaky-timeout-race/typescript.js";
import lockAcrossAwait from "./lock-across-await/typescript.js";
import missingGracefulShutdown from "./missing-graceful-shutdown/typescript.js";
import missingTimeout from "./missing-timeout/typescript.js";
import unboundedChannel from "./unbounded-channel/typescript.js";
import unboundedConcurrency from "./unbounded-concurrency/typescript.js";
import unreleasedResource from "./unreleased-resource/typescript.js";

/** The TypeScript/JavaScript implementation of every rule that has one, by rule id. Imported only when a run has TypeScript or JavaScript files: it loads ts-morph. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const implementations: Readonly<Record<string, TypeScriptRule<any>>> = {
  "async-interval": asyncInterval,
  "blocking-in-async": blockingInAsync,
  "floating-task": floatingTask,
  "ignored-backpressure": ignoredBackpressure,
  "leaky-timeout-race": leakyTimeoutRace,
  "lock-across-await": lockAcrossAwait,
  "missing-graceful-shutdown": missingGracefulShutdown,
  "missing-timeout": missingTimeout,
  "unbounded-channel": unboundedChannel,
  "unbounded-concurrency": unboundedConcurrency,
  "unreleased-resource": unreleasedResource,
};
