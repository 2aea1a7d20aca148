/**
 * Throughput of the pool with one thread versus every core, on the same batch of CPU-bound jobs.
 * The producer submits with backpressure, exactly as the service does.
 */
import { availableParallelism, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { JoinSet } from "../src/join-set.js";
import { demoJobs } from "../src/jobs.js";
import { JobPool } from "../src/pool.js";
import type { Job, JobResult } from "../src/worker.js";

const JOBS = Number(process.env["BENCH_JOBS"] ?? 48);
const RANGE = Number(process.env["BENCH_RANGE"] ?? 4_000_000);
const workerFile = new URL("../src/worker.js", import.meta.url);

async function measure(threads: number): Promise<{ jobsPerSecond: number; seconds: number }> {
  const pool = new JobPool<Job, JobResult>({ filename: workerFile, threads, maxQueue: threads * 2, jobTimeoutMs: 60_000 });
  try {
    await pool.run({ kind: "count-primes", from: 0, to: 1_000 });
    const results = new JoinSet<JobResult>();
    const started = performance.now();
    for (const job of demoJobs(JOBS, RANGE)) await pool.submit(job, results);
    const outcomes = await results.joinAll();
    const seconds = (performance.now() - started) / 1_000;
    const failed = outcomes.filter((outcome) => !outcome.ok).length;
    if (failed > 0) throw new Error(`${failed} benchmark job(s) failed`);
    return { jobsPerSecond: JOBS / seconds, seconds };
  } finally {
    await pool.shutdown({ deadlineMs: 10_000 });
  }
}

const cores = availableParallelism();
console.log(`${JOBS} jobs, each counting primes in a range of ${RANGE.toLocaleString("en")} numbers`);
const single = await measure(1);
console.log(`1 thread:    ${single.jobsPerSecond.toFixed(1)} jobs/s (${single.seconds.toFixed(2)} s)`);
const all = await measure(cores);
console.log(`${cores} threads:${" ".repeat(Math.max(1, 4 - String(cores).length))}${all.jobsPerSecond.toFixed(1)} jobs/s (${all.seconds.toFixed(2)} s)`);
console.log(`speed-up:    ${(all.jobsPerSecond / single.jobsPerSecond).toFixed(2)}x on ${cores} core(s)`);
const [load] = loadavg();
if (load !== undefined && load > 0.5) {
  console.log(`load average before/while measuring: ${load.toFixed(2)}; other processes on the cores lower the speed-up`);
}
