/**
 * The work itself. Replace `parseJob` and `processJob` with your own; the supervisor around them
 * (intake, queue, consumer, shutdown) stays as it is.
 */

export interface Job {
  readonly id: string;
  readonly payload: unknown;
}

export interface JobResult {
  readonly id: string;
  readonly status: "done";
  /** Size of the payload's JSON text, standing in for whatever your processing produces. */
  readonly payloadBytes: number;
}

export class InvalidJobError extends Error {
  override readonly name = "InvalidJobError";
}

/** One input line is one job: `{"id": "...", "payload": ...}`. */
export function parseJob(line: string): Job {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new InvalidJobError("The line is not valid JSON.");
  }
  if (typeof value !== "object" || value === null) throw new InvalidJobError("A job must be a JSON object.");
  const { id, payload } = value as { id?: unknown; payload?: unknown };
  if (typeof id !== "string" || id === "") throw new InvalidJobError('A job needs a non-empty string "id".');
  return { id, payload: payload ?? null };
}

/**
 * Processes one job. `signal` aborts at the job deadline (JOB_TIMEOUT_MS) or when the service is
 * cancelled: pass it to every call that waits (fetch, database drivers, timers).
 */
export async function processJob(job: Job, signal: AbortSignal): Promise<JobResult> {
  signal.throwIfAborted();
  return { id: job.id, status: "done", payloadBytes: Buffer.byteLength(JSON.stringify(job.payload)) };
}
