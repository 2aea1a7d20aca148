/**
 * Soak: the compiled server as a real process on a free loopback port, keep-alive clients
 * looping POST /v1/echo, SIGTERM in the middle. Every request the server read must be answered
 * in full (200, or 503 + Retry-After), which the server's own ledger at exit confirms; no client
 * may see a reset on a kept-alive connection or a cut response; the process must exit 0 within
 * READINESS_DRAIN_DELAY_MS + SHUTDOWN_TIMEOUT_MS. A new connection refused or reset while the
 * listener closes never reached the server (the ledger proves it): counted as refused.
 * `SOAK_SECONDS` (default 3) sets how long the load runs before the signal; `SOAK_CLIENTS` (8).
 *
 * Last line: `soak: N accepted, M refused, 0 lost, exit 0 after X ms`; exit code 1 on any loss.
 */
import { spawn } from "node:child_process";
import { Agent, request } from "node:http";
import { fileURLToPath } from "node:url";

const SECONDS = Number(process.env["SOAK_SECONDS"] ?? "3");
const CLIENTS = Number(process.env["SOAK_CLIENTS"] ?? "8");
const READINESS_DRAIN_DELAY_MS = 500;
const SHUTDOWN_TIMEOUT_MS = 5_000;
const MAIN = fileURLToPath(new URL("../src/main.js", import.meta.url));

type Outcome = "answered" | "refused" | "refused-connect" | "never-accepted" | `lost: ${string}`;

function post(agent: Agent, url: URL, body: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const headers = { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) };
    const req = request(url, { method: "POST", agent, headers, timeout: 15_000 }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (chunk: string) => {
        text += chunk;
      });
      res.on("end", () => {
        if (res.statusCode === 200 && text.includes(body)) resolve("answered");
        else if (res.statusCode === 503 && res.headers["retry-after"] !== undefined) resolve("refused");
        else resolve(`lost: status ${res.statusCode}`);
      });
      res.on("error", (error: NodeJS.ErrnoException) => resolve(`lost: ${error.code ?? error.message} mid-response`));
    });
    req.on("timeout", () => req.destroy(new Error("no answer in 15 s")));
    req.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNREFUSED") resolve("refused-connect");
      else if (error.code === "ECONNRESET" && !req.reusedSocket) resolve("never-accepted");
      else resolve(`lost: ${error.code ?? error.message} reused=${req.reusedSocket}`);
    });
    req.end(body);
  });
}

const child = spawn(process.execPath, [MAIN], {
  env: {
    PATH: process.env["PATH"] ?? "",
    HOST: "127.0.0.1",
    PORT: "0",
    READINESS_DRAIN_DELAY_MS: String(READINESS_DRAIN_DELAY_MS),
    SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    MAX_CONCURRENT_REQUESTS: "64",
  },
  stdio: ["ignore", "pipe", "inherit"],
  timeout: (SECONDS + 60) * 1_000,
  killSignal: "SIGKILL",
});
const logs: { msg: string; [key: string]: unknown }[] = [];
let partial = "";
let onListening: (port: number) => void = () => undefined;
const listening = new Promise<number>((resolve) => {
  onListening = resolve;
});
child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
  const lines = (partial + chunk).split("\n");
  partial = lines.pop() ?? "";
  for (const line of lines) {
    if (line.trim() === "") continue;
    const entry = JSON.parse(line) as { msg: string; port?: number };
    if (entry.msg === "request") continue;
    logs.push(entry);
    if (entry.msg === "listening" && entry.port !== undefined) onListening(entry.port);
  }
});
const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
  child.once("exit", (code, signal) => resolve([code, signal]));
});
child.once("exit", () => onListening(Number.NaN));
const port = await listening;
if (Number.isNaN(port)) throw new Error("the server exited before it listened");
const url = new URL(`http://127.0.0.1:${port}/v1/echo`);

const tally = { answered: 0, refused: 0, refusedConnect: 0, neverAccepted: 0, lost: [] as string[] };
let stop = false;
async function client(id: number): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let n = 0; !stop; n += 1) {
      const outcome = await post(agent, url, JSON.stringify({ client: id, n }));
      if (outcome === "answered") tally.answered += 1;
      else if (outcome === "refused" || outcome === "refused-connect" || outcome === "never-accepted") {
        if (outcome === "refused") tally.refused += 1;
        else if (outcome === "refused-connect") tally.refusedConnect += 1;
        else tally.neverAccepted += 1;
        // A well-behaved client backs off before retrying.
        await new Promise((resolve) => setTimeout(resolve, 50));
      } else tally.lost.push(outcome);
    }
  } finally {
    agent.destroy();
  }
}
const clients = Array.from({ length: CLIENTS }, (_, id) => client(id));
await new Promise((resolve) => setTimeout(resolve, SECONDS * 1_000));
const signalledAt = performance.now();
child.kill("SIGTERM");
const [code, signal] = await exited;
const exitMs = Math.round(performance.now() - signalledAt);
stop = true;
await Promise.all(clients);

const problems: string[] = [];
const complete = logs.find((line) => line.msg === "shutdown complete") as { requests?: { received: number; answered: number } } | undefined;
const ledger = complete?.requests;
if (ledger === undefined) problems.push("no `shutdown complete` line with the request ledger");
// Responses clients got in full; connections refused or reset in the accept queue are not in the ledger.
const seen = tally.answered + tally.refused;
const unanswered = ledger === undefined ? 0 : Math.max(0, ledger.received - seen);
if (ledger !== undefined && ledger.received !== ledger.answered) problems.push(`the server read ${ledger.received} requests and finished ${ledger.answered} answers`);
if (unanswered > 0) problems.push(`${unanswered} requests the server read got no full answer at the client`);
if (tally.lost.length > 0) problems.push(`client errors: ${[...new Set(tally.lost)].join("; ")}`);
if (code !== 0) problems.push(`exit code ${code ?? signal}`);
if (exitMs > READINESS_DRAIN_DELAY_MS + SHUTDOWN_TIMEOUT_MS) problems.push(`exit took ${exitMs} ms`);
if (tally.answered < 100) problems.push(`only ${tally.answered} requests answered: the load did not run`);
const lost = tally.lost.length + unanswered;
const refused = tally.refused + tally.refusedConnect + tally.neverAccepted;
for (const problem of problems) console.error(`soak problem: ${problem}`);
console.log(`soak: ${CLIENTS} keep-alive clients; server ledger ${JSON.stringify(ledger)}; refused: ${tally.refused} 503 + Retry-After, ${tally.refusedConnect} connections refused, ${tally.neverAccepted} new connections reset in the accept queue`);
console.log(`soak: ${tally.answered} accepted, ${refused} refused, ${lost} lost, exit ${code ?? signal} after ${exitMs} ms`);
process.exitCode = problems.length === 0 ? 0 : 1;
