import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, loadConfig } from "../src/config.js";

describe("loadConfig", () => {
  it("has production defaults", () => {
    assert.deepEqual(loadConfig({}), {
      queueCapacity: 64,
      maxLineBytes: 65_536,
      jobTimeoutMs: 5_000,
      minJobIntervalMs: 0,
      statsIntervalMs: 10_000,
      shutdownTimeoutMs: 10_000,
      outputPath: "output.ndjson",
      logLevel: "info",
      metricsPort: undefined,
      metricsHost: "0.0.0.0",
    });
  });

  it("reads every variable", () => {
    const config = loadConfig({
      QUEUE_CAPACITY: "8",
      MAX_LINE_BYTES: "1024",
      JOB_TIMEOUT_MS: "250",
      MIN_JOB_INTERVAL_MS: "100",
      STATS_INTERVAL_MS: "60000",
      SHUTDOWN_TIMEOUT_MS: "30000",
      OUTPUT_PATH: "/var/lib/app/results.ndjson",
      LOG_LEVEL: "debug",
      METRICS_PORT: "9464",
      METRICS_HOST: "127.0.0.1",
    });
    assert.equal(config.metricsPort, 9464);
    assert.equal(config.metricsHost, "127.0.0.1");
    assert.equal(config.queueCapacity, 8);
    assert.equal(config.minJobIntervalMs, 100);
    assert.equal(config.outputPath, "/var/lib/app/results.ndjson");
    assert.equal(config.logLevel, "debug");
  });

  it("reports every invalid variable at once, by name", () => {
    try {
      loadConfig({ QUEUE_CAPACITY: "0", SHUTDOWN_TIMEOUT_MS: "soon", LOG_LEVEL: "loud", METRICS_PORT: "70000" });
      assert.fail("expected a ConfigError");
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.problems.length, 4);
      assert.match(error.message, /METRICS_PORT="70000" must be an integer from 0 to 65535/);
      assert.match(error.message, /QUEUE_CAPACITY="0" must be an integer from 1 to 1000000/);
      assert.match(error.message, /SHUTDOWN_TIMEOUT_MS="soon"/);
      assert.match(error.message, /LOG_LEVEL="loud" must be one of debug, info, warn, error/);
    }
  });
});
