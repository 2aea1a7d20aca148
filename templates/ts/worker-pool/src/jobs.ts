/**
 * Where jobs come from: newline-delimited JSON on stdin, or generated ranges in demo mode.
 * Both are pulled one job at a time, so a producer that waits for room in the pool also stops
 * reading its input (stdin stays paused instead of being buffered).
 */
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
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

/** One input line: its 1-based number and its text, or why it has none. */
export type InputLine =
  | { readonly number: number; readonly kind: "line"; readonly text: string }
  /** Longer than `maxLineBytes`: never buffered whole, reported instead. */
  | { readonly number: number; readonly kind: "too-long" }
  /** Intake stopped before the end of this line arrived. */
  | { readonly number: number; readonly kind: "unfinished" };

export interface ReadLinesOptions {
  /**
   * Stops reading: no more is taken from the input, but every byte already taken out of it
   * (the stream's own buffer included) is still split and yielded, so the caller can answer
   * each of those lines (refuse them) instead of dropping them silently.
   */
  readonly signal: AbortSignal;
  readonly maxLineBytes: number;
}

/**
 * Lines of `input`, pulled one chunk at a time (a caller that stops pulling stops the reading,
 * which is the backpressure). Unlike `readline`, a line is capped at `maxLineBytes` and nothing
 * read is lost when `signal` aborts.
 */
export async function* readLines(input: Readable, options: ReadLinesOptions): AsyncGenerator<InputLine> {
  const { signal, maxLineBytes } = options;
  const decoder = new StringDecoder("utf8");
  let pending = "";
  let skipping = false;
  let number = 0;

  function* split(chunk: string | Buffer): Generator<InputLine> {
    pending += typeof chunk === "string" ? chunk : decoder.write(chunk);
    for (let newline = pending.indexOf("\n"); newline !== -1; newline = pending.indexOf("\n")) {
      const text = pending.slice(0, newline).replace(/\r$/, "");
      pending = pending.slice(newline + 1);
      if (skipping) {
        skipping = false;
        continue;
      }
      number += 1;
      if (Buffer.byteLength(text) > maxLineBytes) yield { number, kind: "too-long" };
      else if (text.trim() !== "") yield { number, kind: "line", text };
    }
    if (!skipping && Buffer.byteLength(pending) > maxLineBytes) {
      number += 1;
      skipping = true;
      pending = "";
      yield { number, kind: "too-long" };
    }
    if (skipping) pending = "";
  }

  while (!signal.aborted) {
    const chunk = input.read() as string | Buffer | null;
    if (chunk !== null) {
      yield* split(chunk);
      continue;
    }
    if (input.readableEnded || input.destroyed) break;
    await readableOrEnd(input, signal);
  }
  if (signal.aborted) {
    // Bytes the stream already holds left the producer's pipe: answer them too.
    for (let chunk = input.read() as string | Buffer | null; chunk !== null; chunk = input.read() as string | Buffer | null) {
      yield* split(chunk);
    }
    if (pending.trim() !== "" && !skipping) yield { number: number + 1, kind: "unfinished" };
    return;
  }
  if (input.errored) throw input.errored;
  pending += decoder.end();
  if (skipping || pending.trim() === "") return;
  number += 1;
  yield Buffer.byteLength(pending) > maxLineBytes ? { number, kind: "too-long" } : { number, kind: "line", text: pending };
}

function readableOrEnd(input: Readable, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      input.off("readable", done);
      input.off("end", done);
      input.off("close", done);
      input.off("error", done);
      signal.removeEventListener("abort", done);
      resolve();
    };
    input.on("readable", done);
    input.on("end", done);
    input.on("close", done);
    input.on("error", done);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** `count` prime-counting jobs over consecutive ranges of `rangeSize` numbers. */
export function* demoJobs(count: number, rangeSize = 2_000_000): Generator<Job> {
  for (let i = 0; i < count; i += 1) {
    yield { kind: "count-primes", from: i * rangeSize, to: (i + 1) * rangeSize };
  }
}
