/**
 * Soak: the compiled broker as a real process on a free loopback port, SSE subscribers on a few
 * topics, keep-alive publishers looping POST /topics/:name, SIGTERM in the middle. Every publish
 * answered 202 must reach every subscriber of its topic before that stream's `shutdown` event;
 * every other publish must be refused in a way a client can retry (503 + Retry-After, or a
 * connection that was never accepted); no kept-alive connection may be reset; the process must
 * exit 0 within SHUTDOWN_DEADLINE_MS. `SOAK_SECONDS` (default 3) sets how long the load runs.
 *
 * Last line: `soak: N accepted, M refused, 0 lost, exit 0 after X ms`; exit code 1 on any loss.
 */
import { spawn } from "node:child_process";
import { Agent, request } from "node:http";
import { fileURLToPath } from "node:url";
// asyncpat-template:if broker=redis
import { startRedis } from "./support/redis-server.js";
// asyncpat-template:endif

const SECONDS = Number(process.env["SOAK_SECONDS"] ?? "3");
const TOPICS = ["soak-a", "soak-b"];
const SUBSCRIBERS_PER_TOPIC = 3;
const PUBLISHERS = 4;
const SHUTDOWN_DEADLINE_MS = 10_000;
const MAIN = fileURLToPath(new URL("../src/main.js", import.meta.url));

type Outcome = "accepted" | "refused" | "never-accepted" | `lost: ${string}`;

function publish(agent: Agent, url: URL, body: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = request(url, { method: "POST", agent, headers: { "content-type": "text/plain", "content-length": String(Buffer.byteLength(body)) }, timeout: 15_000 }, (res) => {
      res.resume();
      res.on("end", () => {
        if (res.statusCode === 202) resolve("accepted");
        else if (res.statusCode === 503 && res.headers["retry-after"] !== undefined) resolve("refused");
        else resolve(`lost: status ${res.statusCode}`);
      });
      res.on("error", (error: NodeJS.ErrnoException) => resolve(`lost: ${error.code ?? error.message} mid-response`));
    });
    req.on("timeout", () => req.destroy(new Error("no answer in 15 s")));
    req.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNREFUSED") resolve("refused");
      else if (error.code === "ECONNRESET" && !req.reusedSocket) resolve("never-accepted");
      else resolve(`lost: ${error.code ?? error.message} reused=${req.reusedSocket}`);
    });
    req.end(body);
  });
}

interface Subscriber {
  readonly topic: string;
  readonly received: Set<string>;
  lagged: number;
  shutdownEvent: boolean;
  done: Promise<void>;
}

async function subscribe(base: string, topic: string): Promise<Subscriber> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), (SECONDS + 30) * 1_000);
  const response = await fetch(`${base}/topics/${topic}/events`, { headers: { accept: "text/event-stream" }, signal: controller.signal });
  if (response.body === null || response.status !== 200) throw new Error(`subscribing to ${topic}: ${response.status}`);
  const reader = response.body.getReader();
  // The first chunk (the `subscribed` comment) means the subscription exists.
  const first = await reader.read();
  const decoder = new TextDecoder();
  const subscriber: Subscriber = { topic, received: new Set(), lagged: 0, shutdownEvent: false, done: Promise.resolve() };
  subscriber.done = (async () => {
      let text = first.done ? "" : decoder.decode(first.value, { stream: true });
      try {
        for (;;) {
          for (let boundary = text.indexOf("\n\n"); boundary !== -1; boundary = text.indexOf("\n\n")) {
            const block = text.slice(0, boundary);
            text = text.slice(boundary + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (event === "message" && data !== undefined) subscriber.received.add((JSON.parse(data) as { data: string }).data);
            else if (event === "lagged" && data !== undefined) subscriber.lagged += (JSON.parse(data) as { skipped: number }).skipped;
            else if (event === "shutdown") subscriber.shutdownEvent = true;
          }
          const chunk = await reader.read();
          if (chunk.done) return;
          text += decoder.decode(chunk.value, { stream: true });
        }
      } catch {
        // The stream was cut: the checks below count what it missed.
      } finally {
        clearTimeout(timer);
      }
    })();
  return subscriber;
}

const env: Record<string, string> = {
  PATH: process.env["PATH"] ?? "",
  HOST: "127.0.0.1",
  PORT: "0",
  SHUTDOWN_DEADLINE_MS: String(SHUTDOWN_DEADLINE_MS),
};
const cleanups: (() => Promise<void>)[] = [];
// asyncpat-template:if broker=redis
const redis = await startRedis();
cleanups.push(() => redis.stop());
env["REDIS_URL"] = redis.url;
// asyncpat-template:endif

const problems: string[] = [];
try {
  const child = spawn(process.execPath, [MAIN], { env, stdio: ["ignore", "pipe", "inherit"], timeout: (SECONDS + 60) * 1_000, killSignal: "SIGKILL" });
  let output = "";
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.once("exit", (code, signal) => resolve([code, signal]));
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
      const match = /listening on http:\/\/[^:]+:(\d+)/.exec(output);
      if (match !== null) resolve(Number(match[1]));
    });
    child.once("exit", () => reject(new Error(`the broker exited before it listened:\n${output}`)));
  });
  const base = `http://127.0.0.1:${port}`;

  const subscribers: Subscriber[] = [];
  for (const topic of TOPICS) {
    for (let i = 0; i < SUBSCRIBERS_PER_TOPIC; i += 1) subscribers.push(await subscribe(base, topic));
  }

  const accepted: { topic: string; data: string }[] = [];
  const tally = { refused: 0, neverAccepted: 0, lost: [] as string[] };
  let stop = false;
  const publisher = async (id: number): Promise<void> => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let n = 0; !stop; n += 1) {
        const topic = TOPICS[n % TOPICS.length] ?? "soak-a";
        const data = `p${id}-${n}`;
        const outcome = await publish(agent, new URL(`${base}/topics/${topic}`), data);
        if (outcome === "accepted") accepted.push({ topic, data });
        else if (outcome === "refused" || outcome === "never-accepted") {
          if (outcome === "refused") tally.refused += 1;
          else tally.neverAccepted += 1;
          await new Promise((resolve) => setTimeout(resolve, 50));
        } else tally.lost.push(outcome);
      }
    } finally {
      agent.destroy();
    }
  };
  const publishers = Array.from({ length: PUBLISHERS }, (_, id) => publisher(id));
  await new Promise((resolve) => setTimeout(resolve, SECONDS * 1_000));
  const signalledAt = performance.now();
  child.kill("SIGTERM");
  const [code, signal] = await exited;
  const exitMs = Math.round(performance.now() - signalledAt);
  stop = true;
  await Promise.all(publishers);
  await Promise.all(subscribers.map((subscriber) => subscriber.done));

  let missing = 0;
  for (const subscriber of subscribers) {
    const expected = accepted.filter((message) => message.topic === subscriber.topic);
    const absent = expected.filter((message) => !subscriber.received.has(message.data));
    missing += absent.length;
    if (absent.length > 0) problems.push(`a subscriber of ${subscriber.topic} missed ${absent.length} accepted messages (first: ${absent[0]?.data})`);
    if (subscriber.lagged > 0) problems.push(`a subscriber of ${subscriber.topic} lagged by ${subscriber.lagged}`);
    if (!subscriber.shutdownEvent) problems.push(`a subscriber of ${subscriber.topic} got no shutdown event`);
  }
  if (tally.lost.length > 0) problems.push(`publisher errors: ${[...new Set(tally.lost)].join("; ")}`);
  if (code !== 0) problems.push(`exit code ${code ?? signal}`);
  if (exitMs > SHUTDOWN_DEADLINE_MS) problems.push(`exit took ${exitMs} ms`);
  if (accepted.length < 100) problems.push(`only ${accepted.length} publishes accepted: the load did not run`);
  const lost = missing + tally.lost.length;
  for (const problem of problems) console.error(`soak problem: ${problem}`);
  console.log(`soak: ${PUBLISHERS} publishers, ${subscribers.length} SSE subscribers on ${TOPICS.length} topics; ${tally.neverAccepted} new connections reset in the accept queue`);
  console.log(`soak: ${accepted.length} accepted, ${tally.refused + tally.neverAccepted} refused, ${lost} lost, exit ${code ?? signal} after ${exitMs} ms`);
} finally {
  for (const cleanup of cleanups) await cleanup();
}
process.exitCode = problems.length === 0 ? 0 : 1;
