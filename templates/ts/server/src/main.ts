import { ConfigError, loadConfig } from "./config.js";
import { createLogger } from "./log.js";
import { createService } from "./server.js";

const EXIT_SIGNAL_CODES: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };

async function main(): Promise<void> {
  const log = createLogger();
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    log.error("invalid configuration", { problems: error.problems });
    process.exitCode = 2;
    return;
  }

  const service = createService(config, { log });
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) {
      log.warn("second signal received, exiting now", { signal });
      process.exit(EXIT_SIGNAL_CODES[signal] ?? 1);
    }
    signalled = true;
    log.info("signal received, shutting down gracefully", { signal });
    service.shutdown().then(
      (outcome) => {
        log.info("shutdown complete", { outcome, requests: service.requests });
        process.exit(outcome === "clean" ? 0 : 1);
      },
      (error: unknown) => {
        log.error("shutdown failed", { error });
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);

  const address = await service.listen();
  log.info("listening", { host: address.address, port: address.port });
}

main().catch((error: unknown) => {
  createLogger().error("server failed to start", { error });
  process.exitCode = 1;
});
