import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setImmediate as nextTurn } from "node:timers/promises";
import { Broadcast, BroadcastClosedError, broadcast, type RecvResult } from "../../src/lib/broadcast.js";

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

function message<T>(value: T): RecvResult<T> {
  return { kind: "message", value };
}

describe("broadcast", () => {
  it("rejects a capacity that is not a positive integer", () => {
    assert.throws(() => new Broadcast(0), RangeError);
    assert.throws(() => new Broadcast(1.5), RangeError);
    assert.throws(() => new Broadcast(-3), RangeError);
  });

  it("delivers every message to every receiver, in order", async () => {
    const [tx, first] = broadcast<number>(8);
    const second = tx.subscribe();
    assert.equal(tx.send(1), 2);
    assert.equal(tx.send(2), 2);
    for (const rx of [first, second]) {
      assert.deepEqual(await rx.recv(), message(1));
      assert.deepEqual(await rx.recv(), message(2));
      assert.deepEqual(rx.tryRecv(), { kind: "empty" });
    }
  });

  it("fans one message out to many waiting receivers", async () => {
    const tx = new Broadcast<string>(4);
    const receivers = Array.from({ length: 50 }, () => tx.subscribe());
    const received: RecvResult<string>[] = [];
    let settled = 0;
    for (const rx of receivers) {
      rx.recv().then(
        (result) => {
          received.push(result);
          settled += 1;
        },
        (error: unknown) => assert.fail(String(error)),
      );
    }
    await nextTurn();
    assert.equal(settled, 0, "receivers wait while the channel is empty");
    assert.equal(tx.send("hello"), 50);
    await nextTurn();
    assert.equal(received.length, 50);
    assert.ok(received.every((result) => result.kind === "message" && result.value === "hello"));
  });

  it("a subscriber sees only messages sent after it subscribed", async () => {
    const [tx, early] = broadcast<number>(4);
    tx.send(1);
    const late = tx.subscribe();
    tx.send(2);
    assert.deepEqual(await early.recv(), message(1));
    assert.deepEqual(await late.recv(), message(2));
    assert.deepEqual(late.tryRecv(), { kind: "empty" });
  });

  it("send with no receivers drops the value and reports 0", () => {
    const tx = new Broadcast<number>(2);
    assert.equal(tx.send(1), 0);
    assert.equal(tx.retained, 0);
    const rx = tx.subscribe();
    assert.deepEqual(rx.tryRecv(), { kind: "empty" });
  });

  it("a lagging receiver is told how many messages it missed, then resumes at the oldest kept", async () => {
    const [tx, slow] = broadcast<number>(3);
    const fast = tx.subscribe();
    for (let i = 1; i <= 10; i += 1) {
      tx.send(i);
      assert.deepEqual(await fast.recv(), message(i));
    }
    assert.equal(slow.pending, 3, "the ring never holds more than its capacity");
    assert.deepEqual(await slow.recv(), { kind: "lagged", skipped: 7 });
    assert.deepEqual(await slow.recv(), message(8));
    assert.deepEqual(await slow.recv(), message(9));
    assert.deepEqual(await slow.recv(), message(10));
    assert.deepEqual(slow.tryRecv(), { kind: "empty" });
  });

  it("lag is counted again if the receiver falls behind a second time", async () => {
    const [tx, rx] = broadcast<number>(2);
    for (let i = 0; i < 5; i += 1) tx.send(i);
    assert.deepEqual(await rx.recv(), { kind: "lagged", skipped: 3 });
    assert.deepEqual(await rx.recv(), message(3));
    for (let i = 5; i < 9; i += 1) tx.send(i);
    assert.deepEqual(await rx.recv(), { kind: "lagged", skipped: 3 });
    assert.deepEqual(await rx.recv(), message(7));
    assert.deepEqual(await rx.recv(), message(8));
  });

  it("releases a slot's value once every receiver has read it", async () => {
    const [tx, a] = broadcast<{ payload: string }>(4);
    const b = tx.subscribe();
    tx.send({ payload: "x" });
    assert.equal(tx.retained, 1);
    await a.recv();
    assert.equal(tx.retained, 1, "b has not read it yet");
    await b.recv();
    assert.equal(tx.retained, 0);
  });

  it("unsubscribe frees the receiver and the slots only it still held", () => {
    const [tx, reader] = broadcast<number>(4);
    const idle = tx.subscribe();
    tx.send(1);
    tx.send(2);
    assert.equal(reader.tryRecv().kind, "message");
    assert.equal(reader.tryRecv().kind, "message");
    assert.equal(tx.retained, 2, "idle still holds both slots");
    idle.unsubscribe();
    assert.equal(tx.receiverCount, 1);
    assert.equal(tx.retained, 0);
    assert.equal(idle.unsubscribed, true);
    assert.equal(idle.pending, 0);
    assert.deepEqual(idle.tryRecv(), { kind: "closed" });
    idle.unsubscribe();
    assert.equal(tx.receiverCount, 1, "unsubscribing twice is harmless");
  });

  it("unsubscribe after lagging releases only the slots still in the ring", () => {
    const [tx, slow] = broadcast<number>(2);
    const other = tx.subscribe();
    for (let i = 0; i < 6; i += 1) tx.send(i);
    slow.unsubscribe();
    assert.equal(tx.retained, 2, "other still has two unread messages");
    assert.equal(other.tryRecv().kind, "lagged");
    other.tryRecv();
    other.tryRecv();
    assert.equal(tx.retained, 0);
  });

  it("unsubscribe resolves a pending recv with closed", async () => {
    const [, rx] = broadcast<number>(2);
    const pending = rx.recv();
    rx.unsubscribe();
    assert.deepEqual(await pending, { kind: "closed" });
  });

  it("works with `using` for scoped subscriptions", { skip: noDispose }, () => {
    const tx = new Broadcast<number>(2);
    {
      using rx = tx.subscribe();
      assert.equal(tx.receiverCount, 1);
      assert.equal(rx.pending, 0);
    }
    assert.equal(tx.receiverCount, 0);
  });

  it("close lets receivers drain what they have, then reports closed", async () => {
    const [tx, rx] = broadcast<number>(4);
    tx.send(1);
    tx.close();
    assert.equal(tx.closed, true);
    assert.throws(() => tx.send(2), BroadcastClosedError);
    assert.throws(() => tx.subscribe(), BroadcastClosedError);
    assert.deepEqual(await rx.recv(), message(1));
    assert.deepEqual(await rx.recv(), { kind: "closed" });
    tx.close();
  });

  it("close wakes a waiting receiver with closed", async () => {
    const [tx, rx] = broadcast<number>(4);
    const pending = rx.recv();
    tx.close();
    assert.deepEqual(await pending, { kind: "closed" });
  });

  it("an aborted recv rejects with the signal's reason and loses no message", async () => {
    const [tx, rx] = broadcast<number>(4);
    const controller = new AbortController();
    const pending = rx.recv({ signal: controller.signal });
    controller.abort(new Error("client went away"));
    await assert.rejects(pending, /client went away/);
    tx.send(7);
    assert.deepEqual(await rx.recv(), message(7));
  });

  it("recv with an already aborted signal rejects at once unless a message is ready", async () => {
    const [tx, rx] = broadcast<number>(4);
    const signal = AbortSignal.abort(new Error("already"));
    await assert.rejects(rx.recv({ signal }), /already/);
    tx.send(1);
    assert.deepEqual(await rx.recv({ signal }), message(1), "ready messages win over the abort");
  });

  it("a recv that times out leaves no listener behind and the next recv works", async () => {
    const [tx, rx] = broadcast<number>(4);
    const short = deadline(10);
    try {
      await assert.rejects(rx.recv({ signal: short.signal }), { name: "TimeoutError" });
    } finally {
      short.clear();
    }
    const long = deadline(5_000);
    try {
      const next = rx.recv({ signal: long.signal });
      tx.send(3);
      assert.deepEqual(await next, message(3));
    } finally {
      long.clear();
    }
  });

  it("refuses a second concurrent recv on the same receiver", async () => {
    const [tx, rx] = broadcast<number>(4);
    const first = observe(rx.recv());
    await assert.rejects(rx.recv(), /already pending/);
    tx.send(1);
    assert.deepEqual(await first.result, { status: "fulfilled", value: message(1) });
  });

  it("iterates with for await until the channel closes, then unsubscribes", async () => {
    const [tx, rx] = broadcast<number>(2);
    const seen: RecvResult<number>[] = [];
    for (let i = 0; i < 4; i += 1) tx.send(i);
    tx.close();
    for await (const result of rx) seen.push(result);
    assert.deepEqual(seen, [{ kind: "lagged", skipped: 2 }, message(2), message(3)]);
    assert.equal(tx.receiverCount, 0);
  });

  it("breaking out of for await unsubscribes", async () => {
    const [tx, rx] = broadcast<number>(4);
    tx.send(1);
    for await (const result of rx) {
      assert.deepEqual(result, message(1));
      break;
    }
    assert.equal(tx.receiverCount, 0);
    assert.equal(tx.retained, 0);
  });

  it("memory stays bounded however far a receiver falls behind", () => {
    const [tx, rx] = broadcast<Uint8Array>(8);
    for (let i = 0; i < 10_000; i += 1) tx.send(new Uint8Array(16));
    assert.equal(tx.retained, 8);
    assert.equal(rx.pending, 8);
    assert.deepEqual(rx.tryRecv(), { kind: "lagged", skipped: 9_992 });
  });
});
