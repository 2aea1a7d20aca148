/**
 * Where jobs come from: newline-delimited JSON on stdin, or generated ranges in demo mode.
 * Both are pulled one job at a time, so a producer that waits for room in the pool also stops
 * reading its input (stdin is paused by readline's iterator instead of being buffered).
 */
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import type { Job } from "./worker.js";

export class JobParseError extends Error {
  override readonly name = "JobParseError";
}

export function parseJob(line: string, lineNumber: number): Job {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new JobParseError(`line ${lineNumber}: not JSON (${(error as Error).message})`);
  }
  if (typeof value === "object" && value !== null) {
    const { kind, from, to } = value as Record<string, unknown>;
    if (kind === "count-primes" && typeof from === "number" && typeof to === "number") {
      return { kind, from, to };
    }
  }
  throw new JobParseError(`line ${lineNumber}: expected {"kind":"count-primes","from":<int>,"to":<int>}`);
}

/** Jobs read line by line from `input` until it ends or `signal` aborts. */
export async function* readJobs(input: Readable, signal: AbortSignal): AsyncGenerator<Job> {
  const lines = createInterface({ input, crlfDelay: Infinity, signal });
  let lineNumber = 0;
  try {
    for await (const line of lines) {
      lineNumber += 1;
      if (line.trim() === "") continue;
      yield parseJob(line, lineNumber);
    }
  } catch (error) {
    if (signal.aborted) return;
    throw error;
  } finally {
    lines.close();
  }
}

/** `count` prime-counting jobs over consecutive ranges of `rangeSize` numbers. */
export function* demoJobs(count: number, rangeSize = 2_000_000): Generator<Job> {
  for (let i = 0; i < count; i += 1) {
    yield { kind: "count-primes", from: i * rangeSize, to: (i + 1) * rangeSize };
  }
}
