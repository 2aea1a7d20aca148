/** The real service process: publish, subscribe, SIGTERM, exit code. */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { after, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { observe } from "./support/observe.js";
import { SseClient, request } from "./support/sse-client.js";
// asyncpat-template:if broker=redis
import { startRedis } from "./support/redis-server.js";
// asyncpat-template:endif

const mainFile = new URL("../src/main.js", import.meta.url);
const env: Record<string, string> = { PORT: "0", HOST: "127.0.0.1", SHUTDOWN_DEADLINE_MS: "5000" };
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups) await cleanup();
});
// asyncpat-template:if broker=redis
const redis = await startRedis();
cleanups.push(() => redis.stop());
env["REDIS_URL"] = redis.url;
// asyncpat-template:endif

async function startService(): Promise<{ child: ChildProcess; base: string; output: () => string }> {
  const child = spawn(process.execPath, [mainFile.pathname], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    timeout: 25_000,
  });
  let output = "";
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk;
  });
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the service did not start:\n${output}`)), 15_000);
    const onData = (chunk: string): void => {
      output += chunk;
      const match = /listening on (http:\/\/[^\s"]+)/.exec(output);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.setEncoding("utf8").on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the service exited with ${code} before listening:\n${output}`));
    });
  });
  return { child, base, output: () => output };
}

describe("service process", () => {
  it("serves publish and SSE, and on SIGTERM ends streams and exits 0", async () => {
    const { child, base, output } = await startService();
    const exited = observe(once(child, "exit", { signal: AbortSignal.timeout(25_000) }));
    const stream = await SseClient.connect(`${base}/topics/news/events`);
    try {
      for (let attempt = 0; attempt < 100; attempt += 1) {
        const state = await request(`${base}/topics/news`);
        if (state.status === 200 && ((await state.json()) as { subscribers: number }).subscribers === 1) break;
        await sleep(20);
      }
      const published = await request(`${base}/topics/news`, { method: "POST", body: "breaking" });
      assert.equal(published.status, 202);
      const event = await stream.nextOf("message");
      assert.equal((JSON.parse(event?.data ?? "{}") as { data: string }).data, "breaking");

      child.kill("SIGTERM");
      assert.equal((await stream.next())?.event, "shutdown");
    } finally {
      stream.close();
    }
    const exit = await exited.result;
    assert.deepEqual(exit, { status: "fulfilled", value: [0, null] }, output());
    assert.match(output(), /SIGTERM: draining/);
    assert.match(output(), /shutdown complete/);
  });
});
