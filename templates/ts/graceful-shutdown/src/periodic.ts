import { setInterval } from "node:timers/promises";

/**
 * Runs `tick` every `intervalMs` until `signal` aborts, like a loop over `tokio::time::interval`.
 * Each run is awaited before the next one starts, so runs never overlap however long one takes
 * (a callback-style `setInterval(async () => ...)` would start a new run on top of a slow one and
 * lose its errors). Ticks missed during a slow run are delivered back to back afterwards, like
 * Tokio's default `MissedTickBehavior::Burst`.
 */
export async function runPeriodic(intervalMs: number, signal: AbortSignal, tick: (signal: AbortSignal) => Promise<void> | void): Promise<void> {
  try {
    for await (const _ of setInterval(intervalMs, undefined, { signal })) {
      // Ticks that piled up during a slow run are yielded even after an abort: check first.
      if (signal.aborted) return;
      await tick(signal);
    }
  } catch (error) {
    if (!signal.aborted) throw error;
  }
}
