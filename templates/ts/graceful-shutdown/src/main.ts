import { ConfigError, loadConfig } from "./config.js";
import { createLogger } from "./log.js";
import { createMetrics } from "./metrics.js";
import { type MetricsServer, startMetricsServer } from "./lib/metrics-server.js";
import { openFileSink } from "./sink.js";
import { Supervisor } from "./supervisor.js";

const EXIT_SIGNAL_CODES: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };

async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    createLogger().error("invalid configuration", { problems: error.problems });
    return 2;
  }
  const log = createLogger(config.logLevel);
  const sink = await openFileSink(config.outputPath);
  const supervisor = new Supervisor({ config, log, input: process.stdin, sink });
  let metricsServer: MetricsServer | undefined;
  if (config.metricsPort !== undefined) {
    metricsServer = await startMetricsServer({
      host: config.metricsHost,
      port: config.metricsPort,
      registry: createMetrics(() => supervisor.figures, config.queueCapacity),
      ready: () => supervisor.ready,
      onError: (error) => log.error("metrics scrape failed", { error }),
    });
    log.info("metrics listening", { host: metricsServer.address.address, port: metricsServer.address.port });
  }

  let signalled = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) {
      log.warn("second signal received, exiting now", { signal });
      process.exit(EXIT_SIGNAL_CODES[signal] ?? 1);
    }
    signalled = true;
    supervisor.shutdown(signal);
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);

  const exitCode = await supervisor.run();
  // Closed last, so the drain could be watched on /metrics until the end.
  await metricsServer?.close();
  log.info("shutdown complete", { exitCode });
  return exitCode;
}

main().then(
  // Exit explicitly: a task cancelled at the deadline may still hold a handle open.
  (exitCode) => process.exit(exitCode),
  (error: unknown) => {
    createLogger().error("service failed to start", { error });
    process.exit(1);
  },
);
