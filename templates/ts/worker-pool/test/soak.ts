/**
 * Soak: the compiled service as a real process, prime-counting jobs piped in as fast as it takes
 * them, SIGTERM in the middle. Every line the service read must be answered exactly once: a
 * result, or a retryable refusal; the answered lines must be 1..n with none skipped; no job may
 * fail; the process must exit 0 within SHUTDOWN_DEADLINE_MS. `SOAK_SECONDS` (default 3) sets how
 * long jobs flow before the signal.
 *
 * Last line: `soak: N accepted, M refused, 0 lost, exit 0 after X ms`; exit code 1 on any loss.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const SECONDS = Number(process.env["SOAK_SECONDS"] ?? "3");
const SHUTDOWN_DEADLINE_MS = 10_000;
const MAIN = fileURLToPath(new URL("../src/main.js", import.meta.url));

interface Answer {
  readonly line: number;
  readonly ok: boolean;
  readonly refused?: boolean;
  readonly retryable?: boolean;
}

const child = spawn(process.execPath, [MAIN], {
  env: { PATH: process.env["PATH"] ?? "", POOL_THREADS: "2", POOL_MAX_QUEUE: "8", PROGRESS_INTERVAL_MS: "0", SHUTDOWN_DEADLINE_MS: String(SHUTDOWN_DEADLINE_MS) },
  stdio: ["pipe", "pipe", "pipe"],
  timeout: (SECONDS + 60) * 1_000,
  killSignal: "SIGKILL",
});
let stdout = "";
let stderr = "";
child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
  stdout += chunk;
});
child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
  stderr += chunk;
});
const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
  child.once("exit", (code, signal) => resolve([code, signal]));
});

let written = 0;
let producing = true;
child.stdin.on("error", () => {
  producing = false;
});
const produce = (): void => {
  while (producing) {
    written += 1;
    const from = (written % 1_000) * 20_000;
    if (!child.stdin.write(`${JSON.stringify({ kind: "count-primes", from, to: from + 20_000 })}\n`)) {
      child.stdin.once("drain", produce);
      return;
    }
  }
};
produce();
await new Promise((resolve) => setTimeout(resolve, SECONDS * 1_000));
const signalledAt = performance.now();
child.kill("SIGTERM");
const [code, signal] = await exited;
const exitMs = Math.round(performance.now() - signalledAt);
producing = false;
child.stdin.destroy();

const problems: string[] = [];
const answers = stdout
  .split("\n")
  .filter((line) => line !== "")
  .map((line) => JSON.parse(line) as Answer);
const numbers = answers.map((answer) => answer.line).sort((a, b) => a - b);
const skipped = numbers.filter((number, i) => number !== i + 1).length;
if (skipped > 0) problems.push(`answered lines are not 1..${numbers.length}: ${skipped} out of place (a line read and dropped, or answered twice)`);
const accepted = answers.filter((answer) => answer.refused !== true);
const refused = answers.filter((answer) => answer.refused === true);
const failed = accepted.filter((answer) => !answer.ok);
if (failed.length > 0) problems.push(`${failed.length} jobs failed`);
if (refused.some((answer) => answer.retryable !== true)) problems.push("a refusal is not marked retryable");
const drained = /drained: (\d+) job\(s\)/.exec(stderr);
if (drained === null) problems.push(`no drain report on stderr:\n${stderr}`);
else if (Number(drained[1]) !== accepted.length) problems.push(`the service accepted ${drained[1]} jobs but ${accepted.length} were answered`);
if (code !== 0) problems.push(`exit code ${code ?? signal}`);
if (exitMs > SHUTDOWN_DEADLINE_MS) problems.push(`exit took ${exitMs} ms, over SHUTDOWN_DEADLINE_MS`);
if (accepted.length < 20) problems.push(`only ${accepted.length} jobs accepted: the load did not run`);
const lost = failed.length + skipped + (drained === null ? 0 : Math.max(0, Number(drained[1]) - accepted.length));
for (const problem of problems) console.error(`soak problem: ${problem}`);
console.log(`soak: ${written} lines offered, ${answers.length} answered`);
console.log(`soak: ${accepted.length} accepted, ${refused.length} refused, ${lost} lost, exit ${code ?? signal} after ${exitMs} ms`);
process.exitCode = problems.length === 0 ? 0 : 1;
