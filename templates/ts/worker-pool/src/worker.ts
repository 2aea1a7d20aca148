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

/** Segment size of the sieve: small enough to stay in a core's cache. */
const SEGMENT = 32_768;

/** Counts primes in [from, to) with a segmented sieve; memory is O(sqrt(to) + SEGMENT). */
export function countPrimes(from: number, to: number): number {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to < from) {
    throw new RangeError(`count-primes needs 0 <= from <= to as integers, got [${from}, ${to})`);
  }
  if (to > 1e12 || to - from > 100_000_000) {
    throw new RangeError(`count-primes range [${from}, ${to}) is too large; split it into smaller jobs`);
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
  const composite = new Uint8Array(SEGMENT);
  let count = 0;
  for (let segmentStart = low; segmentStart < to; segmentStart += SEGMENT) {
    const segmentEnd = Math.min(segmentStart + SEGMENT, to);
    composite.fill(0);
    for (const p of basePrimes) {
      if (p * p >= segmentEnd) break;
      const first = Math.max(p * p, Math.ceil(segmentStart / p) * p);
      for (let n = first; n < segmentEnd; n += p) composite[n - segmentStart] = 1;
    }
    for (let i = 0; i < segmentEnd - segmentStart; i += 1) {
      if (composite[i] === 0) count += 1;
    }
  }
  return count;
}
