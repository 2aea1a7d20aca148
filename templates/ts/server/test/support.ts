import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import type { Logger } from "../src/log.js";

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

/** A logger that keeps lines in memory so the tests stay quiet and can inspect them. */
export function memoryLogger(): { readonly log: Logger; readonly lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const push = (level: string) => (msg: string, fields: Readonly<Record<string, unknown>> = {}) => {
    lines.push({ level, msg, ...fields });
  };
  return { log: { info: push("info"), warn: push("warn"), error: push("error") }, lines };
}

export interface JsonResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

export async function request(url: string | URL, init: RequestInit = {}): Promise<JsonResponse> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(PATIENCE_MS) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === "" ? undefined : JSON.parse(text) };
}

/** Resolves when `count` events have been recorded, counting those already seen. */
class Counter {
  #count = 0;
  #waiters: { readonly target: number; readonly resolve: () => void }[] = [];

  get count(): number {
    return this.#count;
  }

  increment(): void {
    this.#count += 1;
    this.#waiters = this.#waiters.filter((waiter) => {
      if (waiter.target > this.#count) return true;
      waiter.resolve();
      return false;
    });
  }

  reach(target: number): Promise<void> {
    if (this.#count >= target) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ target, resolve }));
  }
}

export interface Upstream {
  readonly url: URL;
  /** Requests received so far; `received.reach(n)` waits for the n-th. */
  readonly received: Counter;
  /** The `x-request-id` header of each request received. */
  readonly requestIds: (string | undefined)[];
  /** Requests whose client went away before an answer (the outbound call was cancelled). */
  readonly abandoned: Counter;
  /** Answers every held request, and every later one at once. */
  release(): void;
  close(): Promise<void>;
}

/** A slow upstream service: it holds each request until `release()` is called. */
export async function startUpstream(): Promise<Upstream> {
  const received = new Counter();
  const abandoned = new Counter();
  const held = new Set<ServerResponse>();
  const requestIds: (string | undefined)[] = [];
  let released = false;
  const answer = (res: ServerResponse): void => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ quote: "ok" }));
  };
  const server = createServer((req, res) => {
    const id = req.headers["x-request-id"];
    requestIds.push(typeof id === "string" ? id : undefined);
    received.increment();
    if (released) {
      answer(res);
      return;
    }
    held.add(res);
    res.once("close", () => {
      if (held.delete(res)) abandoned.increment();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: new URL(`http://127.0.0.1:${port}/quote`),
    received,
    requestIds,
    abandoned,
    release() {
      released = true;
      for (const res of held) {
        held.delete(res);
        answer(res);
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface LogLine {
  readonly level: string;
  readonly msg: string;
  readonly [field: string]: unknown;
}

export interface ServiceProcess {
  readonly child: ChildProcess;
  readonly logs: LogLine[];
  readonly exit: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
  waitForLog(msg: string): Promise<LogLine>;
}

const MAIN = fileURLToPath(new URL("../src/main.js", import.meta.url));

/** Runs the compiled service as a real process, with its JSON log lines parsed. */
export function spawnService(env: Readonly<Record<string, string>>): ServiceProcess {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env["PATH"] ?? "", HOST: "127.0.0.1", PORT: "0", ...env },
    stdio: ["ignore", "pipe", "inherit"],
    timeout: 4 * PATIENCE_MS,
    killSignal: "SIGKILL",
  });
  const logs: LogLine[] = [];
  const waiters: { readonly msg: string; readonly resolve: (line: LogLine) => void }[] = [];
  let partial = "";
  child.stdout?.setEncoding("utf8");
  child.stdout?.on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop() ?? "";
    for (const part of parts) {
      if (part.trim() === "") continue;
      const line = JSON.parse(part) as LogLine;
      logs.push(line);
      for (const waiter of waiters.filter((w) => w.msg === line.msg)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
  });
  return {
    child,
    logs,
    exit,
    waitForLog(msg) {
      const seen = logs.find((line) => line.msg === msg);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ msg, resolve }));
    },
  };
}

/** Index of each message in the log, for checking the order of shutdown steps. */
export function order(logs: readonly LogLine[], ...messages: string[]): number[] {
  return messages.map((msg) => logs.findIndex((line) => line.msg === msg));
}
