import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { describe, it } from "node:test";
import { setImmediate as tick } from "node:timers/promises";
import { Channel, ChannelClosedError } from "../../src/lib/channel.js";

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

describe("Channel", () => {
  it("rejects a capacity that is not a positive integer", () => {
    for (const capacity of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      assert.throws(() => new Channel<number>(capacity), RangeError);
    }
  });

  it("delivers values in the order they were sent", async () => {
    const channel = new Channel<number>(3);
    await channel.send(1);
    await channel.send(2);
    await channel.send(3);
    assert.equal(channel.size, 3);
    assert.equal(await channel.recv(), 1);
    assert.equal(await channel.recv(), 2);
    assert.equal(await channel.recv(), 3);
    assert.equal(channel.size, 0);
  });

  it("makes send wait while the buffer is full and resumes it when the consumer takes a value", async () => {
    const channel = new Channel<string>(1);
    await channel.send("a");
    const second = observe(channel.send("b"));
    await tick();
    assert.equal(second.settled, false, "send must wait for room instead of buffering past capacity");
    assert.equal(channel.size, 1);
    assert.equal(channel.waitingSenders, 1);

    assert.equal(await channel.recv(), "a");
    assert.deepEqual(await second.result, { status: "fulfilled", value: undefined });
    assert.equal(await channel.recv(), "b");
  });

  it("keeps waiting senders in FIFO order", async () => {
    const channel = new Channel<number>(1);
    await channel.send(0);
    const waiting = [observe(channel.send(1)), observe(channel.send(2)), observe(channel.send(3))];
    const received: number[] = [];
    for (let i = 0; i < 4; i += 1) received.push((await channel.recv()) ?? -1);
    assert.deepEqual(received, [0, 1, 2, 3]);
    for (const sender of waiting) assert.equal((await sender.result).status, "fulfilled");
  });

  it("trySend reports a full buffer instead of waiting", () => {
    const channel = new Channel<number>(2);
    assert.equal(channel.trySend(1), true);
    assert.equal(channel.trySend(2), true);
    assert.equal(channel.trySend(3), false);
    assert.equal(channel.size, 2);
  });

  it("hands a value straight to a waiting receiver", async () => {
    const channel = new Channel<{ id: number }>(1);
    const receiving = observe(channel.recv());
    await tick();
    assert.equal(receiving.settled, false);
    assert.equal(channel.trySend({ id: 7 }), true);
    assert.deepEqual(await receiving.result, { status: "fulfilled", value: { id: 7 } });
    assert.equal(channel.size, 0);
  });

  it("tryRecv returns a buffered value or undefined without waiting", async () => {
    const channel = new Channel<number>(2);
    assert.equal(channel.tryRecv(), undefined);
    await channel.send(5);
    assert.equal(channel.tryRecv(), 5);
    assert.equal(channel.tryRecv(), undefined);
  });

  it("lets the consumer drain buffered values after close, then answers undefined", async () => {
    const channel = new Channel<number>(4);
    await channel.send(1);
    await channel.send(2);
    channel.close();
    assert.equal(channel.closed, true);
    assert.equal(await channel.recv(), 1);
    assert.equal(await channel.recv(), 2);
    assert.equal(await channel.recv(), undefined);
    assert.equal(await channel.recv(), undefined);
  });

  it("refuses sends after close", async () => {
    const channel = new Channel<number>(1);
    channel.close();
    await assert.rejects(channel.send(1), ChannelClosedError);
    assert.throws(() => channel.trySend(1), ChannelClosedError);
  });

  it("rejects producers still waiting for room when the channel closes", async () => {
    const channel = new Channel<number>(1);
    await channel.send(1);
    const blocked = observe(channel.send(2));
    await tick();
    channel.close();
    const outcome = await blocked.result;
    assert.equal(outcome.status, "rejected");
    assert.ok(outcome.status === "rejected" && outcome.reason instanceof ChannelClosedError);
    assert.equal(await channel.recv(), 1, "the value accepted before close is still delivered");
    assert.equal(await channel.recv(), undefined, "the refused value is not delivered");
  });

  it("wakes a waiting receiver with undefined on close", async () => {
    const channel = new Channel<number>(1);
    const receiving = observe(channel.recv());
    await tick();
    channel.close();
    assert.deepEqual(await receiving.result, { status: "fulfilled", value: undefined });
  });

  it("abandons a send when its signal aborts and does not deliver the value", async () => {
    const channel = new Channel<number>(1);
    await channel.send(1);
    const controller = new AbortController();
    const blocked = observe(channel.send(2, { signal: controller.signal }));
    await tick();
    const reason = new Error("caller gave up");
    controller.abort(reason);
    assert.deepEqual(await blocked.result, { status: "rejected", reason });
    assert.equal(channel.waitingSenders, 0);
    assert.equal(await channel.recv(), 1);
    assert.equal(channel.tryRecv(), undefined);
  });

  it("abandons a recv when its signal aborts without losing a later value", async () => {
    const channel = new Channel<number>(1);
    const controller = new AbortController();
    const receiving = observe(channel.recv({ signal: controller.signal }));
    await tick();
    controller.abort();
    const outcome = await receiving.result;
    assert.equal(outcome.status, "rejected");
    assert.equal(outcome.status === "rejected" && (outcome.reason as Error).name, "AbortError");
    await channel.send(9);
    assert.equal(await channel.recv(), 9);
  });

  it("rejects at once when the signal is already aborted", async () => {
    const channel = new Channel<number>(1);
    const signal = AbortSignal.abort(new Error("too late"));
    await assert.rejects(channel.send(1, { signal }), /too late/);
    await assert.rejects(channel.recv({ signal }), /too late/);
    assert.equal(channel.size, 0);
  });

  it("removes its abort listeners once an operation completes", async () => {
    const channel = new Channel<number>(1);
    const controller = new AbortController();
    await channel.send(1);
    const blocked = observe(channel.send(2, { signal: controller.signal }));
    await tick();
    assert.equal(getEventListeners(controller.signal, "abort").length, 1);
    await channel.recv();
    await blocked.result;
    assert.equal(getEventListeners(controller.signal, "abort").length, 0);

    await channel.recv();
    const receiving = observe(channel.recv({ signal: controller.signal }));
    await tick();
    await channel.send(3);
    await receiving.result;
    assert.equal(getEventListeners(controller.signal, "abort").length, 0);
  });

  it("iterates until closed and drained", async () => {
    const channel = new Channel<number>(2);
    const producer = observe(
      (async () => {
        for (let i = 1; i <= 5; i += 1) await channel.send(i);
        channel.close();
      })(),
    );
    const received: number[] = [];
    for await (const value of channel) received.push(value);
    assert.deepEqual(received, [1, 2, 3, 4, 5]);
    assert.equal((await producer.result).status, "fulfilled");
  });

  it("stops iterating with the signal's reason when values() is aborted", async () => {
    const channel = new Channel<number>(2);
    const controller = new AbortController();
    await channel.send(1);
    const received: number[] = [];
    const consuming = observe(
      (async () => {
        for await (const value of channel.values({ signal: controller.signal })) received.push(value);
      })(),
    );
    await tick();
    controller.abort(new Error("shutdown"));
    const outcome = await consuming.result;
    assert.equal(outcome.status, "rejected");
    assert.deepEqual(received, [1]);
  });

  it("carries null but never confuses it with closed", async () => {
    const channel = new Channel<string | null>(1);
    await channel.send(null);
    assert.equal(await channel.recv(), null);
  });
});
