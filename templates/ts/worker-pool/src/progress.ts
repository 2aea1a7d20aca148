import { setInterval as every } from "node:timers/promises";
import type { Writable } from "node:stream";
import type { PoolStats } from "./pool.js";

export function formatProgress(stats: PoolStats): string {
  const done = stats.succeeded + stats.failed + stats.timedOut + stats.cancelled;
  return (
    `progress: ${done}/${stats.accepted} done (${stats.succeeded} ok, ${stats.failed} failed, ` +
    `${stats.timedOut} timed out, ${stats.cancelled} cancelled), ${stats.running} running, ` +
    `${stats.queued} queued, ${stats.waitingProducers} producer(s) waiting for room\n`
  );
}

/**
 * Writes a progress line every `intervalMs` until `signal` aborts. A tick never overlaps the
 * previous one (a loop over `timers/promises` setInterval, like Tokio's `interval`), and a line is
 * skipped rather than queued while `out` is not draining.
 */
export async function reportProgress(
  read: () => PoolStats,
  out: Writable,
  intervalMs: number,
  signal: AbortSignal,
): Promise<void> {
  if (intervalMs === 0) return;
  let blocked = false;
  const unblock = (): void => {
    blocked = false;
  };
  try {
    for await (const _tick of every(intervalMs, undefined, { signal })) {
      if (blocked) continue;
      if (!out.write(formatProgress(read()))) {
        blocked = true;
        out.once("drain", unblock);
      }
    }
  } catch (error) {
    if (!signal.aborted) throw error;
  } finally {
    out.off("drain", unblock);
  }
}
