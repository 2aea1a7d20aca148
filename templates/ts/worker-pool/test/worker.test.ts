import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseJob, JobParseError } from "../src/jobs.js";
import runJob, { countPrimes } from "../src/worker.js";

describe("worker", () => {
  it("counts primes in a range", () => {
    assert.equal(countPrimes(0, 10), 4);
    assert.equal(countPrimes(0, 100), 25);
    assert.equal(countPrimes(10, 20), 4);
    assert.equal(countPrimes(0, 1_000_000), 78_498);
    assert.equal(countPrimes(999_000, 1_000_000) + countPrimes(0, 999_000), 78_498);
    assert.equal(countPrimes(2, 3), 1);
    assert.equal(countPrimes(5, 5), 0);
  });

  it("rejects ranges it cannot count", () => {
    assert.throws(() => countPrimes(10, 5), RangeError);
    assert.throws(() => countPrimes(-1, 5), RangeError);
    assert.throws(() => countPrimes(0, 100_000_001), /split it/);
    assert.equal(countPrimes(1_000_000, 1_100_000), 7_216, "spans several sieve segments");
  });

  it("runs a job and names its thread", () => {
    const result = runJob({ kind: "count-primes", from: 0, to: 100 });
    assert.equal(result.value, 25);
    assert.equal(typeof result.threadId, "number");
  });

  it("parses NDJSON job lines and names the line of a bad one", () => {
    assert.deepEqual(parseJob('{"kind":"count-primes","from":0,"to":10}', 1), { kind: "count-primes", from: 0, to: 10 });
    assert.throws(() => parseJob("{", 3), (error: unknown) => error instanceof JobParseError && /line 3/.test(error.message));
    assert.throws(() => parseJob('{"kind":"other"}', 4), /line 4/);
  });
});
