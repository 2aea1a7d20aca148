import { addAbortSignal, type Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { InvalidJobError, type Job, parseJob } from "./jobs.js";
import type { Channel } from "./lib/channel.js";
import type { Logger } from "./log.js";

export interface IntakeOptions {
  /**
   * Stops intake: no further chunk is read and the input stream is destroyed. Complete lines
   * already read from the input are still queued (they left the producer's pipe, so dropping them
   * would lose them); a line cut in half by the stop is counted in `unfinished` and logged.
   */
  readonly signal: AbortSignal;
  /** Cancels everything, including queueing the lines already read: the shutdown deadline. */
  readonly cancel: AbortSignal;
  readonly maxLineBytes: number;
  readonly log: Logger;
}

export interface IntakeCounts {
  /** Complete lines taken from the input (blank ones aside): each is accepted or rejected, never dropped. */
  read: number;
  accepted: number;
  rejected: number;
}

/**
 * Reads newline-delimited JSON jobs from `input` into the bounded queue. The stream is pulled one
 * chunk at a time and `send` waits while the queue is full, so a fast producer is held back by
 * the pipe (backpressure) instead of filling memory. Resolves when the input ends or `signal`
 * aborts; either way the queue is closed, which tells the consumer to drain and stop.
 */
export async function runIntake(input: Readable, queue: Channel<Job>, counts: IntakeCounts, options: IntakeOptions): Promise<void> {
  const { signal, cancel, maxLineBytes, log } = options;
  const decoder = new StringDecoder("utf8");
  let pending = "";
  let skippingLongLine = false;

  const accept = async (line: string): Promise<void> => {
    if (line.trim() === "") return;
    counts.read += 1;
    let job: Job;
    try {
      job = parseJob(line);
    } catch (error) {
      if (!(error instanceof InvalidJobError)) throw error;
      counts.rejected += 1;
      log.warn("invalid job skipped", { reason: error.message });
      return;
    }
    // The job in hand is queued even when intake stops meanwhile: only the deadline cancels it.
    await queue.send(job, { signal: cancel });
    counts.accepted += 1;
    log.debug("job accepted", { id: job.id, queued: queue.size });
  };

  const tooLong = (text: string): boolean => {
    if (Buffer.byteLength(text) <= maxLineBytes) return false;
    counts.read += 1;
    counts.rejected += 1;
    log.warn("line longer than MAX_LINE_BYTES dropped", { maxLineBytes });
    return true;
  };

  try {
    for await (const chunk of addAbortSignal(signal, input)) {
      pending += typeof chunk === "string" ? chunk : decoder.write(chunk as Buffer);
      for (let newline = pending.indexOf("\n"); newline !== -1; newline = pending.indexOf("\n")) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        if (skippingLongLine) skippingLongLine = false;
        else if (!tooLong(line)) await accept(line);
      }
      // An unfinished line is never buffered past the limit: drop it now, and its rest when it comes.
      if (!skippingLongLine && tooLong(pending)) skippingLongLine = true;
      if (skippingLongLine) pending = "";
      if (signal.aborted) break;
    }
    if (signal.aborted) {
      if (pending.trim() !== "") log.warn("intake stopped in the middle of a line; it was not accepted", { bytes: Buffer.byteLength(pending) });
    } else {
      pending += decoder.end();
      if (!skippingLongLine && !tooLong(pending)) await accept(pending);
    }
  } catch (error) {
    if (!signal.aborted && !cancel.aborted) throw error;
  } finally {
    queue.close();
  }
}
