import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";

const mainFile = new URL("../src/main.js", import.meta.url);

interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function startService(env: Record<string, string>): { child: ChildProcess; finished: Promise<Finished> } {
  const child = spawn(process.execPath, [mainFile.pathname], {
    env: { ...process.env, ...env },
    stdio: ["pipe", "pipe", "pipe"],
    timeout: 25_000,
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  // The service closes its stdin when it stops reading; a write after that is not a test failure.
  child.stdin?.on("error", () => undefined);
  const finished = once(child, "exit", { signal: AbortSignal.timeout(30_000) }).then(([code]) => ({ code: code as number | null, stdout, stderr }));
  return { child, finished };
}

interface Answer {
  readonly line: number;
  readonly ok: boolean;
  readonly refused?: boolean;
  readonly retryable?: boolean;
  readonly error?: { readonly name: string; readonly message: string };
}

/** Resolves once the service's stderr has printed a line matching `pattern` (10 s at most). */
async function progressShowing(child: ChildProcess, pattern: RegExp): Promise<void> {
  let seen = "";
  const signal = AbortSignal.timeout(10_000);
  while (!pattern.test(seen)) {
    const [chunk] = (await once(child.stderr!, "data", { signal })) as [Buffer];
    seen += chunk.toString("utf8");
  }
}

/** Resolves with the match once the service's stderr matches `pattern` (10 s at most). */
async function stderrMatching(child: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  let seen = "";
  const signal = AbortSignal.timeout(10_000);
  for (let match = pattern.exec(seen); ; match = pattern.exec(seen)) {
    if (match !== null) return match;
    const [chunk] = (await once(child.stderr!, "data", { signal })) as [Buffer];
    seen += chunk.toString("utf8");
  }
}

function resultLines(stdout: string): Answer[] {
  return stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Answer);
}

const byLine = (answers: Answer[]): Answer[] => [...answers].sort((a, b) => a.line - b.line);
const primes = (i: number, size = 1_000): string => `${JSON.stringify({ kind: "count-primes", from: i * size, to: (i + 1) * size })}\n`;

describe("service process", () => {
  it("runs NDJSON jobs from stdin and writes one result per line, numbered", async () => {
    const { child, finished } = startService({ POOL_THREADS: "2", PROGRESS_INTERVAL_MS: "0" });
    for (let i = 0; i < 20; i += 1) child.stdin?.write(primes(i));
    child.stdin?.end();
    const { code, stdout, stderr } = await finished;
    assert.equal(code, 0, stderr);
    const results = byLine(resultLines(stdout));
    assert.equal(results.length, 20);
    assert.ok(results.every((result) => result.ok));
    assert.deepEqual(results.map((result) => result.line), Array.from({ length: 20 }, (_, i) => i + 1));
    assert.match(stderr, /drained: 20 job\(s\), 0 failed/);
    const logs = stderr.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as { level?: unknown; time?: unknown; msg?: unknown });
    assert.ok(logs.length > 0 && logs.every((line) => typeof line.level === "string" && typeof line.time === "string" && typeof line.msg === "string"), stderr);
    assert.ok(!stderr.includes("metrics listening"), "no metrics listener unless METRICS_PORT is set");
  });

  it("serves /metrics, /healthz and /readyz on METRICS_PORT, and reports the drain there until it ends", async () => {
    const { child, finished } = startService({ POOL_THREADS: "1", POOL_MAX_QUEUE: "8", PROGRESS_INTERVAL_MS: "0", METRICS_PORT: "0", METRICS_HOST: "127.0.0.1" });
    const listening = await stderrMatching(child, /"port":(\d+)[^\n]*"msg":"metrics listening"|"msg":"metrics listening"[^\n]*"port":(\d+)/);
    const port = listening[1] ?? listening[2];
    const get = async (path: string) => {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(10_000) });
      return { status: response.status, text: await response.text() };
    };
    const figure = (text: string, name: string): number => Number(new RegExp(`^${name} (\\d+)$`, "m").exec(text)?.[1] ?? Number.NaN);
    // six jobs of about 0.4 s on one thread: one runs, the rest wait in the queue
    for (let i = 0; i < 6; i += 1) child.stdin?.write(primes(i, 60_000_000));
    let metrics = "";
    const giveUp = Date.now() + 10_000;
    while (figure(metrics, "jobs_accepted_total") !== 6) {
      assert.ok(Date.now() < giveUp, `six jobs never showed as accepted:\n${metrics}`);
      metrics = (await get("/metrics")).text;
    }
    assert.equal(figure(metrics, "jobs_running"), 1, metrics);
    assert.equal(figure(metrics, "jobs_queued") + figure(metrics, "jobs_running") + figure(metrics, "jobs_succeeded_total"), 6, metrics);
    assert.equal(figure(metrics, "pool_threads"), 1);
    assert.equal(figure(metrics, "shutdown_phase"), 0);
    assert.match(metrics, /^nodejs_eventloop_lag_seconds /m, "event-loop lag is reported");
    assert.equal((await get("/healthz")).status, 200);
    assert.equal((await get("/readyz")).status, 200);

    child.kill("SIGTERM");
    await stderrMatching(child, /SIGTERM: accepting no new jobs/);
    assert.equal((await get("/readyz")).status, 503, "not ready once the shutdown began");
    const draining = (await get("/metrics")).text;
    assert.ok(figure(draining, "shutdown_phase") >= 1, draining);
    assert.equal((await get("/healthz")).status, 200, "still alive while it drains");
    child.stdin?.end();
    const { code, stdout, stderr } = await finished;
    assert.equal(code, 0, stderr);
    assert.equal(resultLines(stdout).filter((answer) => answer.ok).length, 6, "the drain finished every accepted job");
  });

  it("answers a line that is not a job with an error and keeps reading: one bad line does not stop intake", async () => {
    const { child, finished } = startService({ POOL_THREADS: "1", PROGRESS_INTERVAL_MS: "0" });
    child.stdin?.end(`${primes(0)}not json\n${primes(1)}`);
    const { code, stdout } = await finished;
    assert.equal(code, 1, "a bad line still makes the run fail");
    const answers = byLine(resultLines(stdout));
    assert.deepEqual(answers.map((answer) => [answer.line, answer.ok]), [[1, true], [2, false], [3, true]]);
    assert.match(answers[1]?.error?.message ?? "", /line 2: not JSON/);
  });

  it("answers a line longer than MAX_LINE_BYTES with an error without buffering it, then carries on", async () => {
    const { child, finished } = startService({ POOL_THREADS: "1", PROGRESS_INTERVAL_MS: "0", MAX_LINE_BYTES: "1024" });
    child.stdin?.write(`{"kind":"count-primes","from":0,"to":10,"pad":"${"x".repeat(200_000)}"}\n`);
    child.stdin?.end(primes(1));
    const { stdout } = await finished;
    const answers = byLine(resultLines(stdout));
    assert.deepEqual(answers.map((answer) => [answer.line, answer.ok, answer.error?.name]), [[1, false, "LineTooLong"], [2, true, undefined]]);
  });

  it("writes a job's result as soon as it finishes, not when the next line arrives", async () => {
    const { child, finished } = startService({ POOL_THREADS: "1", PROGRESS_INTERVAL_MS: "0" });
    // stdin stays open and no second line follows: the answer must come without one (the old
    // intake wrote it only when the next line arrived, so this waited until the timeout).
    child.stdin?.write(primes(0));
    const [chunk] = (await once(child.stdout!, "data", { signal: AbortSignal.timeout(15_000) })) as [string];
    assert.deepEqual(resultLines(chunk).map((answer) => [answer.line, answer.ok]), [[1, true]]);
    child.stdin?.end();
    assert.equal((await finished).code, 0);
  });

  it("SIGTERM stops intake, answers every line it read (result or retryable refusal, none dropped) and exits 0", async () => {
    const { child, finished } = startService({ POOL_THREADS: "1", POOL_MAX_QUEUE: "2", PROGRESS_INTERVAL_MS: "0" });
    // An endless producer: the pool's backpressure is what keeps this from buffering.
    let written = 0;
    const feed = (): void => {
      while (written < 100_000) {
        written += 1;
        if (!child.stdin?.write(primes(written, 200_000))) {
          child.stdin?.once("drain", feed);
          return;
        }
      }
    };
    feed();
    await once(child.stdout!, "data", { signal: AbortSignal.timeout(15_000) });
    child.kill("SIGTERM");
    const { code, stdout, stderr } = await finished;
    assert.equal(code, 0, stderr);
    assert.match(stderr, /SIGTERM: accepting no new jobs/);
    const drained = /drained: (\d+) job\(s\), 0 failed, (\d+) refused/.exec(stderr);
    assert.ok(drained, stderr);
    const answers = resultLines(stdout);
    const numbers = answers.map((answer) => answer.line).sort((a, b) => a - b);
    assert.deepEqual(numbers, numbers.map((_, i) => i + 1), "lines 1..n each answered exactly once: none read and dropped");
    assert.equal(answers.filter((answer) => answer.ok).length, Number(drained[1]), "every accepted job produced a result");
    const refused = answers.filter((answer) => answer.refused === true);
    assert.equal(refused.length, Number(drained[2]));
    assert.ok(refused.length >= 1, "the job in hand and the lines read behind it were refused, not dropped");
    assert.ok(refused.every((answer) => answer.retryable === true && !answer.ok));
    assert.ok(answers.length < written, "it stopped reading input instead of buffering all of it");
  });

  for (const [signal, expected] of [["SIGTERM", 143], ["SIGINT", 130]] as const) {
    it(`a second ${signal} exits ${expected} (128 + the signal number)`, async () => {
      const { child, finished } = startService({ POOL_THREADS: "1", PROGRESS_INTERVAL_MS: "100", SHUTDOWN_DEADLINE_MS: "60000" });
      // several long jobs (about 0.4 s each on one thread): the drain outlasts the gap between the signals
      for (let i = 0; i < 8; i += 1) child.stdin?.write(primes(i, 60_000_000));
      // A progress line with the job running: the handlers are installed and the drain has work to
      // wait for (an earlier line may come before the job is read, and then a first signal ends it at once).
      await progressShowing(child, /\b1 running\b/);
      child.kill(signal);
      await sleep(200);
      child.kill(signal);
      assert.equal((await finished).code, expected);
    });
  }

  it("refuses a bad setting with exit code 2 and names the variable", async () => {
    const { child, finished } = startService({ POOL_THREADS: "zero" });
    child.stdin?.end();
    const { code, stderr } = await finished;
    assert.equal(code, 2);
    assert.match(stderr, /POOL_THREADS must be an integer/);
  });
});
