import type { OptionSchema } from "../../src/lint/rust-api.js";

/** Read by both implementations: the same names, written in each language's case. */
export const DEFAULT_WRAPPERS = ["withTimeout", "pTimeout", "promiseTimeout", "timeoutPromise", "withDeadline"];

export const timeoutWrappersOption: OptionSchema = {
  description:
    "Names of functions that apply a deadline to what they are given. TypeScript: the promise or callback passed in (`withTimeout(fetch(url), 5_000)`, `withTimeout(() => fetch(url), 5_000)`); `p-timeout` (any local name) and `Promise.race` with two or more entries always count. Rust: the future passed in, besides `tokio::time::timeout`/`timeout_at`; each name also counts in snake_case (`withTimeout` → `with_timeout`).",
  type: "array",
  items: { type: "string" },
  default: DEFAULT_WRAPPERS,
};

export const DEFAULT_FIX_TIMEOUT_MS = 10_000;

export const fixTimeoutMsOption: OptionSchema = {
  description:
    "The deadline, in milliseconds, that `--fix` and suggestions write (`AbortSignal.timeout(ms)`, a `timeout: ms` option, `tokio::time::timeout(Duration::from_millis(ms), …)`). Pick one your slowest healthy call stays well under.",
  type: "integer",
  minimum: 1,
  default: DEFAULT_FIX_TIMEOUT_MS,
};
