import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setImmediate as nextTurn } from "node:timers/promises";
import { WatchClosedError, WatchSender, watch } from "../../src/lib/watch.js";

/** Watches a promise without awaiting it yet: its outcome is handled from the start. */
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

/** Like AbortSignal.timeout, but its timer keeps the test process alive until cleared. */
function deadline(ms: number): { readonly signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException("deadline passed", "TimeoutError")), ms);
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

// `using` needs Symbol.dispose at run time (Node 20.4+); unsubscribe() covers older versions.
const noDispose = typeof Symbol.dispose !== "symbol" && "Symbol.dispose needs Node 20.4 or later";

describe("watch", () => {
  it("borrow reads the current value on both ends", () => {
    const [tx, rx] = watch("initial");
    assert.equal(tx.borrow(), "initial");
    assert.equal(rx.borrow(), "initial");
    tx.send("updated");
    assert.equal(rx.borrow(), "updated");
  });

  it("a new receiver has seen the current value", () => {
    const [tx, rx] = watch(1);
    assert.equal(rx.hasChanged(), false);
    tx.send(2);
    const late = tx.subscribe();
    assert.equal(late.hasChanged(), false);
    assert.equal(rx.hasChanged(), true);
  });

  it("changed waits for the next send and marks it seen", async () => {
    const [tx, rx] = watch(0);
    const pending = observe(rx.changed());
    await nextTurn();
    assert.equal(pending.settled, false);
    tx.send(1);
    assert.deepEqual(await pending.result, { status: "fulfilled", value: true });
    assert.equal(rx.borrow(), 1);
    assert.equal(rx.hasChanged(), false);
  });

  it("changed resolves at once when a value was sent since the last one seen", async () => {
    const [tx, rx] = watch(0);
    tx.send(1);
    assert.equal(await rx.changed(), true);
  });

  it("a busy receiver sees only the newest value: sends replace, they do not queue", async () => {
    const [tx, rx] = watch(0);
    for (let i = 1; i <= 100; i += 1) tx.send(i);
    assert.equal(tx.version, 100);
    assert.equal(await rx.changed(), true);
    assert.equal(rx.borrow(), 100);
    assert.equal(rx.hasChanged(), false);
  });

  it("wakes every waiting receiver", async () => {
    const tx = new WatchSender("a");
    const receivers = Array.from({ length: 20 }, () => tx.subscribe());
    const results: boolean[] = [];
    for (const rx of receivers) {
      rx.changed().then(
        (value) => results.push(value),
        (error: unknown) => assert.fail(String(error)),
      );
    }
    tx.send("b");
    await nextTurn();
    assert.equal(results.length, 20);
    assert.ok(results.every(Boolean));
  });

  it("borrowAndUpdate marks the value seen", () => {
    const [tx, rx] = watch({ count: 0 });
    tx.send({ count: 1 });
    assert.deepEqual(rx.borrowAndUpdate(), { count: 1 });
    assert.equal(rx.hasChanged(), false);
  });

  it("sendIfModified wakes receivers only when the value changed", () => {
    const [tx, rx] = watch(5);
    assert.equal(tx.sendIfModified((current) => ({ modified: false, value: current })), false);
    assert.equal(rx.hasChanged(), false);
    assert.equal(tx.sendIfModified((current) => ({ modified: true, value: current + 1 })), true);
    assert.equal(rx.borrow(), 6);
    assert.equal(rx.hasChanged(), true);
  });

  it("close: receivers keep the last value and changed resolves false", async () => {
    const [tx, rx] = watch("last");
    const pending = rx.changed();
    tx.close();
    assert.equal(await pending, false);
    assert.equal(rx.borrow(), "last");
    assert.equal(rx.closed, true);
    assert.equal(await rx.changed(), false);
    assert.throws(() => tx.send("more"), WatchClosedError);
    assert.equal(tx.receiverCount, 0);
  });

  it("a value sent before close is still reported as changed", async () => {
    const [tx, rx] = watch(1);
    tx.send(2);
    tx.close();
    assert.equal(await rx.changed(), true);
    assert.equal(await rx.changed(), false);
  });

  it("unsubscribe frees the receiver and resolves a pending changed with false", async () => {
    const [tx, rx] = watch(0);
    const pending = rx.changed();
    rx.unsubscribe();
    assert.equal(await pending, false);
    assert.equal(tx.receiverCount, 0);
    tx.send(1);
    assert.equal(await rx.changed(), false, "an unsubscribed receiver hears nothing more");
  });

  it("works with `using` for scoped receivers", { skip: noDispose }, () => {
    const tx = new WatchSender(1);
    {
      using scoped = tx.subscribe();
      assert.equal(tx.receiverCount, 1);
      assert.equal(scoped.borrow(), 1);
    }
    assert.equal(tx.receiverCount, 0);
  });

  it("an aborted changed rejects with the signal's reason", async () => {
    const [tx, rx] = watch(0);
    const short = deadline(10);
    try {
      await assert.rejects(rx.changed({ signal: short.signal }), { name: "TimeoutError" });
    } finally {
      short.clear();
    }
    await assert.rejects(rx.changed({ signal: AbortSignal.abort(new Error("gone")) }), /gone/);
    const long = deadline(5_000);
    try {
      const next = rx.changed({ signal: long.signal });
      tx.send(1);
      assert.equal(await next, true);
    } finally {
      long.clear();
    }
  });

  it("refuses a second concurrent changed on the same receiver", async () => {
    const [tx, rx] = watch(0);
    const first = observe(rx.changed());
    await assert.rejects(rx.changed(), /already pending/);
    tx.send(1);
    assert.deepEqual(await first.result, { status: "fulfilled", value: true });
  });

  it("waitFor resolves with the first value that matches, the current one included", async () => {
    const [tx, rx] = watch(0);
    assert.equal(await rx.waitFor((value) => value === 0), 0);
    const long = deadline(5_000);
    try {
      const ready = observe(rx.waitFor((value) => value >= 3, { signal: long.signal }));
      for (let i = 1; i <= 4; i += 1) {
        tx.send(i);
        await nextTurn();
      }
      assert.deepEqual(await ready.result, { status: "fulfilled", value: 3 });
    } finally {
      long.clear();
    }
  });

  it("waitFor rejects when the channel closes before the value matches", async () => {
    const [tx, rx] = watch("starting");
    const ready = rx.waitFor((value) => value === "ready");
    tx.send("still starting");
    tx.close();
    await assert.rejects(ready, WatchClosedError);
  });
});
