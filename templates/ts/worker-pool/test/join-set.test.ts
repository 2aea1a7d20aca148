import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setImmediate as tick } from "node:timers/promises";
import { JoinSet } from "../src/join-set.js";

function deferred<T>(): { promise: Promise<T>; resolve(value: T): void; reject(error: unknown): void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("JoinSet", () => {
  it("joins outcomes in the order tasks finish, not the order they were spawned", async () => {
    const set = new JoinSet<string>();
    const slow = deferred<string>();
    const fast = deferred<string>();
    const slowId = set.spawn(slow.promise);
    const fastId = set.spawn(fast.promise);
    fast.resolve("fast");
    slow.resolve("slow");
    assert.deepEqual(await set.joinNext(), { id: fastId, ok: true, value: "fast" });
    assert.deepEqual(await set.joinNext(), { id: slowId, ok: true, value: "slow" });
    assert.equal(await set.joinNext(), undefined, "an empty set joins to undefined");
  });

  it("keeps a failure as an outcome, without an unhandled rejection", async () => {
    const set = new JoinSet<number>();
    const failing = deferred<number>();
    set.spawn(failing.promise);
    failing.reject(new Error("boom"));
    await tick();
    assert.equal(set.size, 1);
    const outcome = set.tryJoinNext();
    assert.ok(outcome !== undefined && !outcome.ok);
    assert.match(String(outcome.error), /boom/);
    assert.equal(set.size, 0);
  });

  it("joinNext waits for a running task", async () => {
    const set = new JoinSet<number>();
    const task = deferred<number>();
    set.spawn(task.promise);
    const next = set.joinNext();
    assert.equal(set.tryJoinNext(), undefined);
    task.resolve(7);
    assert.equal((await next)?.ok, true);
  });

  it("joinNext stops waiting when its signal aborts", async () => {
    const set = new JoinSet<number>();
    const task = deferred<number>();
    set.spawn(task.promise);
    const controller = new AbortController();
    const next = set.joinNext({ signal: controller.signal });
    controller.abort(new Error("stop waiting"));
    await assert.rejects(next, /stop waiting/);
    task.resolve(1);
    assert.equal((await set.joinNext())?.ok, true, "the outcome is not lost");
  });

  it("joinAll returns every outcome", async () => {
    const set = new JoinSet<number>();
    for (let i = 0; i < 5; i += 1) set.spawn(Promise.resolve(i));
    const outcomes = await set.joinAll();
    assert.equal(outcomes.length, 5);
    assert.equal(set.size, 0);
  });
});
