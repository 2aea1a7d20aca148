/**
 * Starts a throwaway redis-server for the tests: loopback only, a free port, no persistence.
 * If redis-server is not installed the tests fail with a message saying how to install it;
 * they never skip silently.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;

async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, "127.0.0.1");
  await once(probe, "listening", { signal: AbortSignal.timeout(5_000) });
  const address = probe.address();
  probe.close();
  await once(probe, "close", { signal: AbortSignal.timeout(5_000) });
  if (address === null || typeof address === "string") throw new Error("could not find a free port");
  return address.port;
}

export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start within ${START_TIMEOUT_MS} ms:\n${output}`)), START_TIMEOUT_MS);
      const settle = (error?: Error): void => {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        if (error === undefined) resolve();
        else reject(error);
      };
      const onData = (chunk: Buffer): void => {
        output += chunk.toString("utf8");
        if (output.includes("Ready to accept connections")) settle();
      };
      child.stdout?.on("data", onData);
      child.once("error", (error: NodeJS.ErrnoException) => {
        settle(
          error.code === "ENOENT"
            ? new Error(
                "redis-server is not on PATH. The Redis tests need a real server: install it " +
                  "(Debian/Ubuntu: apt-get install -y redis-server; macOS: brew install redis) and run the tests again.",
              )
            : error,
        );
      });
      child.once("exit", (code) => settle(new Error(`redis-server exited with code ${code} before it was ready:\n${output}`)));
    });
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  child.stdout?.resume();
  child.stderr?.resume();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit", { signal: AbortSignal.timeout(5_000) });
      child.kill("SIGTERM");
      try {
        await exited;
      } catch {
        child.kill("SIGKILL");
      }
    },
  };
}
