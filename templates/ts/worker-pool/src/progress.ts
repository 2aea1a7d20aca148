import { setInterval as every } from "node:timers/promises";
import type { Logger } from "./log.js";
import type { PoolStats } from "./pool.js";

export function formatProgress(stats: PoolStats): string {
  const done = stats.succeeded + stats.failed + stats.timedOut + stats.cancelled;
  return (
    `progress: ${done}/${stats.accepted} done (${stats.succeeded} ok, ${stats.failed} failed, ` +
    `${stats.timedOut} timed out, ${stats.cancelled} cancelled), ${stats.running} running, ` +
    `${stats.queued} queued, ${stats.waitingProducers} producer(s) waiting for room`
  );
}

/** Logs the pool's figures: the line for people, the fields for machines. */
export function logProgress(log: Logger, stats: PoolStats): void {
  const { accepted, queued, running, succeeded, failed, timedOut, cancelled, waitingProducers } = stats;
  log.info(formatProgress(stats), { accepted, queued, running, succeeded, failed, timedOut, cancelled, waitingProducers });
}

/**
 * Logs a progress line every `intervalMs` until `signal` aborts. A tick never overlaps the
 * previous one (a loop over `timers/promises` setInterval, like Tokio's `interval`).
 */
export async function reportProgress(read: () => PoolStats, log: Logger, intervalMs: number, signal: AbortSignal): Promise<void> {
  if (intervalMs === 0) return;
  try {
    for await (const _tick of every(intervalMs, undefined, { signal })) logProgress(log, read());
  } catch (error) {
    if (!signal.aborted) throw error;
  }
}
