import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setImmediate as tick } from "node:timers/promises";
import { oneshot, OneshotClosedError } from "../../src/lib/oneshot.js";

/** Attaches handlers at once, so a rejection is never unhandled while the test awaits something else. */
function observe<T>(promise: Promise<T>): { readonly settled: boolean; readonly result: Promise<PromiseSettledResult<T>> } {
  let settled = false;
  const result = promise.then(
    (value): PromiseSettledResult<T> => {
      settled = true;
      return { status: "fulfilled", value };
    },
    (reason: unknown): PromiseSettledResult<T> => {
      settled = true;
      return { status: "rejected", reason };
    },
  );
  return {
    get settled() {
      return settled;
    },
    result,
  };
}

describe("oneshot", () => {
  it("delivers a value sent before recv", async () => {
    const [tx, rx] = oneshot<string>();
    assert.equal(tx.send("hello"), true);
    assert.equal(await rx.recv(), "hello");
  });

  it("delivers a value sent while recv waits", async () => {
    const [tx, rx] = oneshot<number>();
    const receiving = observe(rx.recv());
    await tick();
    assert.equal(receiving.settled, false);
    tx.send(42);
    assert.deepEqual(await receiving.result, { status: "fulfilled", value: 42 });
  });

  it("accepts only the first value", async () => {
    const [tx, rx] = oneshot<number>();
    assert.equal(tx.send(1), true);
    assert.equal(tx.send(2), false);
    assert.equal(tx.closed, true);
    assert.equal(await rx.recv(), 1);
  });

  it("rejects recv when the sender closes without a value", async () => {
    const [tx, rx] = oneshot<number>();
    const receiving = observe(rx.recv());
    await tick();
    tx.close();
    const outcome = await receiving.result;
    assert.ok(outcome.status === "rejected" && outcome.reason instanceof OneshotClosedError);
    await assert.rejects(rx.recv(), OneshotClosedError);
  });

  it("tells the sender when the receiver stops waiting", async () => {
    const [tx, rx] = oneshot<number>();
    assert.equal(tx.closed, false);
    rx.close();
    assert.equal(tx.closed, true);
    assert.equal(tx.send(1), false);
    await assert.rejects(rx.recv(), OneshotClosedError);
  });

  it("keeps a sent value receivable after the receiver closes", async () => {
    const [tx, rx] = oneshot<string>();
    tx.send("kept");
    rx.close();
    assert.equal(await rx.recv(), "kept");
  });

  it("stops waiting when the signal aborts, and a later recv still gets the value", async () => {
    const [tx, rx] = oneshot<string>();
    const controller = new AbortController();
    const receiving = observe(rx.recv({ signal: controller.signal }));
    await tick();
    const reason = new Error("request deadline");
    controller.abort(reason);
    assert.deepEqual(await receiving.result, { status: "rejected", reason });
    assert.equal(tx.closed, false, "an abandoned wait does not close the channel");
    tx.send("late");
    assert.equal(await rx.recv(), "late");
  });

  it("rejects a second concurrent recv", async () => {
    const [tx, rx] = oneshot<number>();
    const first = observe(rx.recv());
    await assert.rejects(rx.recv(), /already waiting/);
    tx.send(3);
    assert.deepEqual(await first.result, { status: "fulfilled", value: 3 });
  });

  it("carries request/response through a worker", async () => {
    type Request = { readonly n: number; readonly reply: ReturnType<typeof oneshot<number>>[0] };
    const requests: Request[] = [];
    const [reply, response] = oneshot<number>();
    requests.push({ n: 20, reply });
    const worker = async (): Promise<void> => {
      await tick();
      for (const request of requests.splice(0)) request.reply.send(request.n * 2 + 2);
    };
    const [answer] = await Promise.all([response.recv(), worker()]);
    assert.equal(answer, 42);
  });
});
