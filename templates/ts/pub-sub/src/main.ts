/**
 * Wiring, signals and exit codes. SIGTERM or SIGINT: readiness goes to 503, the server stops
 * accepting, every SSE stream gets a `shutdown` event, in-flight requests finish, then the broker
 * loop drains and ends; sockets still open at SHUTDOWN_DEADLINE_MS are closed (exit 1). A second
 * signal exits at once with 130.
 */
import { Broker, type Publisher } from "./broker.js";
import { ConfigError, loadConfig } from "./config.js";
import { constants } from "node:os";
import { createApp } from "./http.js";
import { TopicHub } from "./hub.js";
import { createLogger } from "./log.js";
// asyncpat-template:if broker=redis
import { RedisBridge } from "./redis-bridge.js";
// asyncpat-template:endif

const log = createLogger();

async function main(): Promise<number> {
  const config = loadConfig();
  const broker = new Broker(new TopicHub({ capacity: config.topicCapacity, maxTopics: config.maxTopics }), {
    queueCapacity: config.commandQueueCapacity,
  });
  const brokerLoop = broker.run().then(
    () => true,
    (error: unknown) => {
      log.error("broker loop failed", { error });
      return false;
    },
  );
  let publisher: Publisher = broker;
  let ready = (): boolean => true;
  let flush: ((signal: AbortSignal) => Promise<void>) | undefined;
  const closeResources: (() => Promise<void>)[] = [];
  // asyncpat-template:if broker=redis
  const bridge = await RedisBridge.connect(broker, {
    url: config.redisUrl,
    channelPrefix: config.redisChannelPrefix,
    timeoutMs: config.requestTimeoutMs,
    onError: (error) => log.error("redis error", { error }),
  });
  publisher = bridge;
  ready = () => bridge.ready;
  flush = (signal) => bridge.flush({ signal });
  closeResources.push(() => bridge.close());
  // asyncpat-template:endif

  const app = createApp(config, broker, { publisher, ready, log, ...(flush === undefined ? {} : { flush }) });
  const address = await app.listen(config.port, config.host);
  log.info(`listening on http://${address.address}:${address.port}`, { host: address.address, port: address.port });

  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    let seen = 0;
    const onSignal = (signal: NodeJS.Signals): void => {
      seen += 1;
      if (seen > 1) {
        log.warn(`${signal} again: exiting now`, { signal });
        process.exit(128 + constants.signals[signal]);
      }
      resolve(signal);
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
  const signal = await signalled;
  log.info(`${signal}: draining (deadline ${config.shutdownDeadlineMs} ms)`, { signal, deadlineMs: config.shutdownDeadlineMs, ...app.metrics });

  const closedInTime = await app.close(config.shutdownDeadlineMs);
  for (const close of closeResources) await close();
  broker.close();
  const brokerDrained = await brokerLoop;
  const figures = { published: app.metrics.published, refusedShuttingDown: app.metrics.refusedShuttingDown, streamsEnded: app.metrics.streamsEnded };
  if (closedInTime) log.info("shutdown complete", figures);
  else log.error("shutdown deadline passed: closed the remaining connections", figures);
  return closedInTime && brokerDrained ? 0 : 1;
}

try {
  process.exitCode = await main();
} catch (error) {
  if (error instanceof ConfigError) log.error(`invalid configuration: ${error.message}`);
  else log.error("service failed", { error });
  process.exitCode = error instanceof ConfigError ? 2 : 1;
}
