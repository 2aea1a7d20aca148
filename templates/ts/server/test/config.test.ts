import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError, loadConfig } from "../src/config.js";

describe("loadConfig", () => {
  it("has production defaults", () => {
    const config = loadConfig({});
    assert.equal(config.port, 3000);
    assert.equal(config.host, "0.0.0.0");
    assert.equal(config.requestDeadlineMs, 5_000);
    assert.equal(config.maxConcurrentRequests, 100);
    assert.equal(config.maxBodyBytes, 1_048_576);
    assert.ok(config.headersTimeoutMs <= config.requestTimeoutMs);
    assert.equal(config.upstreamUrl, undefined);
    assert.ok(config.readinessDrainDelayMs >= 1_000, "a readiness window by default: a load balancer needs time to stop routing here");
  });

  it("reads every variable", () => {
    const config = loadConfig({
      HOST: "127.0.0.1",
      PORT: "8080",
      REQUEST_DEADLINE_MS: "250",
      MAX_CONCURRENT_REQUESTS: "8",
      MAX_BODY_BYTES: "10",
      SERVER_HEADERS_TIMEOUT_MS: "1000",
      SERVER_REQUEST_TIMEOUT_MS: "2000",
      SERVER_KEEP_ALIVE_TIMEOUT_MS: "65000",
      READINESS_DRAIN_DELAY_MS: "5000",
      SHUTDOWN_TIMEOUT_MS: "20000",
      RETRY_AFTER_SECONDS: "3",
      UPSTREAM_URL: "https://quotes.internal/v1",
      MAX_UPSTREAM_BODY_BYTES: "4096",
    });
    assert.equal(config.port, 8080);
    assert.equal(config.keepAliveTimeoutMs, 65_000);
    assert.equal(config.upstreamUrl?.href, "https://quotes.internal/v1");
    assert.equal(config.maxUpstreamBodyBytes, 4096);
  });

  it("reports every invalid variable at once, by name", () => {
    try {
      loadConfig({ PORT: "http", MAX_CONCURRENT_REQUESTS: "0", REQUEST_DEADLINE_MS: "1.5", UPSTREAM_URL: "ftp://x" });
      assert.fail("expected a ConfigError");
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.problems.length, 4);
      assert.match(error.message, /PORT="http" must be an integer from 0 to 65535/);
      assert.match(error.message, /MAX_CONCURRENT_REQUESTS/);
      assert.match(error.message, /REQUEST_DEADLINE_MS/);
      assert.match(error.message, /UPSTREAM_URL="ftp:\/\/x" must be an http: or https: URL/);
    }
  });

  it("refuses a headers timeout longer than the request timeout", () => {
    assert.throws(
      () => loadConfig({ SERVER_HEADERS_TIMEOUT_MS: "5000", SERVER_REQUEST_TIMEOUT_MS: "1000" }),
      /must not exceed SERVER_REQUEST_TIMEOUT_MS/,
    );
  });
});
