import type { AnyRule } from "../src/lint/api.js";
import asyncInterval from "./async-interval.js";
import blockingInAsync from "./blocking-in-async.js";
import floatingTask from "./floating-task.js";
import ignoredBackpressure from "./ignored-backpressure.js";
import leakyTimeoutRace from "./leaky-timeout-race.js";
import lockAcrossAwait from "./lock-across-await.js";
import missingGracefulShutdown from "./missing-graceful-shutdown.js";
import missingTimeout from "./missing-timeout.js";
import unboundedChannel from "./unbounded-channel.js";
import unboundedConcurrency from "./unbounded-concurrency.js";
import unreleasedResource from "./unreleased-resource.js";

/** Every rule, in the order `asyncpat rules` lists them. Rule files are added here as they land. */
export const allRules: readonly AnyRule[] = [asyncInterval, blockingInAsync, floatingTask, ignoredBackpressure, leakyTimeoutRace, lockAcrossAwait, missingGracefulShutdown, missingTimeout, unboundedChannel, unboundedConcurrency, unreleasedResource];
