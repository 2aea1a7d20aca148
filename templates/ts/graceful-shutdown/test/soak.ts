/**
 * Soak: the compiled service as a real process, jobs piped in as fast as it takes them, SIGTERM
 * in the middle. Every job the service accepted must be in the output exactly once as done, the
 * jobs must be the input's prefix (none skipped), and the process must exit 0 within its
 * shutdown deadline. `SOAK_SECONDS` (default 3) sets how long jobs flow before the signal.
 *
 *   npm run soak                  # a few seconds
 *   SOAK_SECONDS=60 npm run soak  # longer
 *
 * Last line: `soak: N accepted, M refused, 0 lost, exit 0 after X ms`; exit code 1 on any loss.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const SECONDS = Number(process.env["SOAK_SECONDS"] ?? "3");
const SHUTDOWN_TIMEOUT_MS = 10_000;
const MAIN = fileURLToPath(new URL("../src/main.js", import.meta.url));

const dir = await mkdtemp(join(tmpdir(), "soak-graceful-shutdown-"));
const outputPath = join(dir, "output.ndjson");
const problems: string[] = [];
try {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env["PATH"] ?? "", OUTPUT_PATH: outputPath, QUEUE_CAPACITY: "64", SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS), STATS_INTERVAL_MS: "1000" },
    stdio: ["pipe", "pipe", "inherit"],
    timeout: (SECONDS + 60) * 1_000,
    killSignal: "SIGKILL",
  });
  const logs: { msg: string; [key: string]: unknown }[] = [];
  let partial = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) if (line.trim() !== "") logs.push(JSON.parse(line) as { msg: string });
  });
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.once("exit", (code, signal) => resolve([code, signal]));
  });

  // A producer that writes until the pipe pushes back, then waits for room: the service's pace.
  let written = 0;
  let producing = true;
  child.stdin.on("error", () => {
    producing = false;
  });
  const produce = (): void => {
    while (producing) {
      written += 1;
      const line = `${JSON.stringify({ id: `job-${written}`, payload: { n: written, pad: "x".repeat(64) } })}\n`;
      if (!child.stdin.write(line)) {
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

  const stopped = logs.find((line) => line.msg === "intake stopped");
  const accepted = Number(stopped?.["accepted"] ?? Number.NaN);
  const records = (await readFile(outputPath, "utf8"))
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as { id: string; status: string });
  const done = records.filter((record) => record.status === "done");
  const ids = new Set(records.map((record) => record.id));
  if (!Number.isSafeInteger(accepted)) problems.push("no `intake stopped` line with the accepted count");
  const read = Number(stopped?.["read"] ?? Number.NaN);
  const rejected = Number(stopped?.["rejected"] ?? Number.NaN);
  // Every complete line taken from the pipe was accepted or rejected: none read and dropped.
  if (read !== accepted + rejected) problems.push(`${read} lines read, but ${accepted} accepted and ${rejected} rejected`);
  if (ids.size !== records.length) problems.push("a job was written twice");
  const missing: string[] = [];
  for (let n = 1; n <= accepted; n += 1) if (!ids.has(`job-${n}`)) missing.push(`job-${n}`);
  if (missing.length > 0) problems.push(`accepted but not in the output: ${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", ..." : ""}`);
  if (records.length > accepted) problems.push(`${records.length} records for ${accepted} accepted jobs`);
  const notDone = records.filter((record) => record.status !== "done");
  if (notDone.length > 0) problems.push(`${notDone.length} jobs not done (${notDone[0]?.status})`);
  if (code !== 0) problems.push(`exit code ${code ?? signal}`);
  if (exitMs > SHUTDOWN_TIMEOUT_MS) problems.push(`exit took ${exitMs} ms, over SHUTDOWN_TIMEOUT_MS`);
  if (accepted < 100) problems.push(`only ${accepted} jobs accepted: the load did not run`);

  const lost = Math.max(0, accepted - done.length) + Math.max(0, read - accepted - rejected) + (ids.size !== records.length ? 1 : 0);
  for (const problem of problems) console.error(`soak problem: ${problem}`);
  console.log(`soak: ${written} lines offered, ${records.length} records written`);
  console.log(`soak: ${accepted} accepted, 0 refused, ${lost} lost, exit ${code ?? signal} after ${exitMs} ms`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
process.exitCode = problems.length === 0 ? 0 : 1;
