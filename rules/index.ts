import type { AnyRule } from "../src/lint/api.js";
import asyncInterval from "./async-interval/index.js";
import blockingInAsync from "./blocking-in-async/index.js";
import floatingTask from "./floating-task/index.js";
import ignoredBackpressure from "./ignored-backpressure/index.js";
import leakyTimeoutRace from "./leaky-timeout-race/index.js";
import lockAcrossAwait from "./lock-across-await/index.js";
import missingGracefulShutdown from "./missing-graceful-shutdown/index.js";
import missingTimeout from "./missing-timeout/index.js";
import unboundedChannel from "./unbounded-channel/index.js";
import unboundedConcurrency from "./unbounded-concurrency/index.js";
import unreleasedResource from "./unreleased-resource/index.js";

/** Every rule, in the order `asyncpat rules` lists them: one folder per rule, with one implementation per language. */
export const allRules: readonly AnyRule[] = [
  asyncInterval,
  blockingInAsync,
  floatingTask,
  ignoredBackpressure,
  leakyTimeoutRace,
  lockAcrossAwait,
  missingGracefulShutdown,
  missingTimeout,
  unboundedChannel,
  unboundedConcurrency,
  unreleasedResource,
];
