import { type ChildProcess, spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import type { Logger } from "../src/log.js";
import type { Sink } from "../src/sink.js";

/** Test steps wait at most this long for anything; a healthy run needs a small fraction of it. */
export const PATIENCE_MS = 8_000;

export interface Settled<T> {
  readonly settled: boolean;
  readonly result: Promise<PromiseSettledResult<T>>;
}

/** Attaches handlers at once, so a rejection is never unhandled while the test awaits something else. */
export function observe<T>(promise: Promise<T>): Settled<T> {
  let settled = false;
  const result = promise.then(
    (value): PromiseSettledResult<T> => {
      settled = true;
      return { status: "fulfilled", value };
    },
    (reason: unknown): PromiseSettledResult<T> => {
      settled = true;
      return { status: "rejected", reason };
    },
  );
  return {
    get settled() {
      return settled;
    },
    result,
  };
}

export async function valueOf<T>(pending: Settled<T>): Promise<T> {
  const outcome = await pending.result;
  if (outcome.status === "rejected") throw outcome.reason;
  return outcome.value;
}

/** Polls `condition` until it holds; fails after PATIENCE_MS. */
export async function eventually(condition: () => boolean, what: string): Promise<void> {
  const giveUp = Date.now() + PATIENCE_MS;
  while (!condition()) {
    if (Date.now() > giveUp) throw new Error(`Timed out waiting for ${what}.`);
    await sleep(5);
  }
}

export interface LogLine {
  readonly level: string;
  readonly msg: string;
  readonly [field: string]: unknown;
}

/** Index of each message in the log, for checking the order of shutdown steps. */
export function order(logs: readonly LogLine[], ...messages: string[]): number[] {
  return messages.map((msg) => logs.findIndex((line) => line.msg === msg));
}

export function isAscending(indexes: readonly number[]): boolean {
  return indexes.every((index, i) => index !== -1 && (i === 0 || index > (indexes[i - 1] ?? -1)));
}

/** A logger that keeps lines in memory so the tests stay quiet and can inspect them. */
export function memoryLogger(): { readonly log: Logger; readonly lines: LogLine[] } {
  const lines: LogLine[] = [];
  const push = (level: string) => (msg: string, fields: Readonly<Record<string, unknown>> = {}) => {
    lines.push({ ...fields, level, msg });
  };
  return { log: { debug: push("debug"), info: push("info"), warn: push("warn"), error: push("error") }, lines };
}

/** A sink in memory; `hold()` makes writes wait until `release()`, `failWith()` makes them fail. */
export class MemorySink implements Sink {
  readonly records: unknown[] = [];
  closed = false;
  #gate: Promise<void> | undefined;
  #open: () => void = () => undefined;
  #failure: Error | undefined;

  hold(): void {
    this.#gate = new Promise((resolve) => {
      this.#open = resolve;
    });
  }

  release(): void {
    this.#gate = undefined;
    this.#open();
  }

  failWith(error: Error): void {
    this.#failure = error;
  }

  async write(record: unknown): Promise<void> {
    await this.#gate;
    if (this.#failure !== undefined) throw this.#failure;
    this.records.push(record);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

export function jobLines(count: number, from = 1): string {
  let text = "";
  for (let i = from; i < from + count; i += 1) text += `${JSON.stringify({ id: `job-${i}`, payload: { n: i } })}\n`;
  return text;
}

export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly logs: LogLine[];
  readonly exit: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
  /** Waits until `count` lines with this message have been logged. */
  waitForLog(msg: string, count?: number): Promise<void>;
}

const MAIN = fileURLToPath(new URL("../src/main.js", import.meta.url));

/** Runs the compiled service as a real process with piped stdin, its JSON log lines parsed. */
export function spawnService(env: Readonly<Record<string, string>>): ServiceProcess {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env["PATH"] ?? "", ...env },
    stdio: ["pipe", "pipe", "inherit"],
    timeout: 4 * PATIENCE_MS,
    killSignal: "SIGKILL",
  });
  const logs: LogLine[] = [];
  const waiters: { readonly msg: string; readonly count: number; readonly resolve: () => void }[] = [];
  const seen = (msg: string): number => logs.filter((line) => line.msg === msg).length;
  let partial = "";
  child.stdout?.setEncoding("utf8");
  child.stdout?.on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop() ?? "";
    for (const part of parts) {
      if (part.trim() !== "") logs.push(JSON.parse(part) as LogLine);
    }
    for (const waiter of waiters.filter((w) => seen(w.msg) >= w.count)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  });
  // The service may close stdin before the test is done writing; that is not a test failure.
  child.stdin?.on("error", () => undefined);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  return {
    child,
    logs,
    exit,
    waitForLog(msg, count = 1) {
      if (seen(msg) >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ msg, count, resolve }));
    },
  };
}
