import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { describe, it } from "node:test";

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
  const finished = once(child, "exit", { signal: AbortSignal.timeout(30_000) }).then(([code]) => ({ code: code as number | null, stdout, stderr }));
  return { child, finished };
}

function resultLines(stdout: string): { id: number; ok: boolean }[] {
  return stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as { id: number; ok: boolean });
}

describe("service process", () => {
  it("runs NDJSON jobs from stdin and writes one result per job", async () => {
    const { child, finished } = startService({ POOL_THREADS: "2", PROGRESS_INTERVAL_MS: "0" });
    for (let i = 0; i < 20; i += 1) {
      child.stdin?.write(`${JSON.stringify({ kind: "count-primes", from: i * 1_000, to: (i + 1) * 1_000 })}\n`);
    }
    child.stdin?.end();
    const { code, stdout, stderr } = await finished;
    assert.equal(code, 0, stderr);
    const results = resultLines(stdout);
    assert.equal(results.length, 20);
    assert.ok(results.every((result) => result.ok));
    assert.match(stderr, /drained: 20 job\(s\), 0 failed/);
  });

  it("exits 1 and names the line when the input is not a job", async () => {
    const { child, finished } = startService({ POOL_THREADS: "1", PROGRESS_INTERVAL_MS: "0" });
    child.stdin?.end('{"kind":"count-primes","from":0,"to":100}\nnot json\n');
    const { code, stdout, stderr } = await finished;
    assert.equal(code, 1);
    assert.match(stderr, /line 2: not JSON/);
    assert.equal(resultLines(stdout).length, 1, "the job accepted before the bad line still ran");
  });

  it("SIGTERM stops intake, drains accepted jobs and exits 0", async () => {
    const { child, finished } = startService({ POOL_THREADS: "1", POOL_MAX_QUEUE: "2", PROGRESS_INTERVAL_MS: "0" });
    // An endless producer: the pool's backpressure is what keeps this from buffering.
    let written = 0;
    const feed = (): void => {
      while (written < 100_000) {
        written += 1;
        const job = { kind: "count-primes", from: written * 200_000, to: (written + 1) * 200_000 };
        if (!child.stdin?.write(`${JSON.stringify(job)}\n`)) {
          child.stdin?.once("drain", feed);
          return;
        }
      }
    };
    child.stdin?.on("error", () => {
      // the service closes its stdin when it stops reading
    });
    feed();
    await once(child.stdout!, "data", { signal: AbortSignal.timeout(15_000) });
    child.kill("SIGTERM");
    const { code, stdout, stderr } = await finished;
    assert.equal(code, 0, stderr);
    assert.match(stderr, /SIGTERM: accepting no new jobs/);
    const drained = /drained: (\d+) job\(s\), 0 failed/.exec(stderr);
    assert.ok(drained, stderr);
    const results = resultLines(stdout);
    assert.equal(results.length, Number(drained[1]), "every accepted job produced a result");
    assert.ok(results.length < written, "it stopped reading input instead of buffering all of it");
  });

  it("refuses a bad setting with exit code 2 and names the variable", async () => {
    const { child, finished } = startService({ POOL_THREADS: "zero" });
    child.stdin?.end();
    const { code, stderr } = await finished;
    assert.equal(code, 2);
    assert.match(stderr, /POOL_THREADS must be an integer/);
  });
});
