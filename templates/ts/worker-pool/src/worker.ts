/**
 * Runs on a worker thread: the CPU-bound half of the service. Piscina calls the default export
 * with each job. Everything here is synchronous on purpose: blocking is fine on a worker thread,
 * and it is exactly the work that must stay off the event loop (Tokio's `spawn_blocking`).
 */
import { threadId } from "node:worker_threads";

export interface PrimeCountJob {
  readonly kind: "count-primes";
  /** Inclusive lower bound. */
  readonly from: number;
  /** Exclusive upper bound. */
  readonly to: number;
}

export type Job = PrimeCountJob;

export interface JobResult {
  readonly kind: Job["kind"];
  readonly value: number;
  /** The worker thread that ran the job (a replaced worker gets a new id). */
  readonly threadId: number;
}

export default function runJob(job: Job): JobResult {
  switch (job.kind) {
    case "count-primes":
      return { kind: job.kind, value: countPrimes(job.from, job.to), threadId };
    default:
      throw new TypeError(`unknown job kind: ${String((job as { kind?: unknown }).kind)}`);
  }
}

/** Counts primes in [from, to) with a segmented sieve; memory is O(sqrt(to) + (to - from)). */
export function countPrimes(from: number, to: number): number {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to < from) {
    throw new RangeError(`count-primes needs 0 <= from <= to as integers, got [${from}, ${to})`);
  }
  if (to - from > 50_000_000) {
    throw new RangeError(`count-primes range too large (${to - from}); split it into smaller jobs`);
  }
  const low = Math.max(from, 2);
  if (to <= low) return 0;
  const limit = Math.floor(Math.sqrt(to - 1));
  const small = new Uint8Array(limit + 1);
  const basePrimes: number[] = [];
  for (let i = 2; i <= limit; i += 1) {
    if (small[i] === 0) {
      basePrimes.push(i);
      for (let j = i * i; j <= limit; j += i) small[j] = 1;
    }
  }
  const composite = new Uint8Array(to - low);
  for (const p of basePrimes) {
    const start = Math.max(p * p, Math.ceil(low / p) * p);
    for (let n = start; n < to; n += p) composite[n - low] = 1;
  }
  let count = 0;
  for (let i = 0; i < composite.length; i += 1) {
    if (composite[i] === 0) count += 1;
  }
  return count;
}
