import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { describe, it } from "node:test";
import { setImmediate as tick } from "node:timers/promises";
import { type Permit, Semaphore, SemaphoreClosedError } from "../../src/lib/semaphore.js";

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

async function permitOf(pending: { readonly result: Promise<PromiseSettledResult<Permit>> }): Promise<Permit> {
  const outcome = await pending.result;
  assert.equal(outcome.status, "fulfilled");
  if (outcome.status !== "fulfilled") throw new Error("unreachable");
  return outcome.value;
}

describe("Semaphore", () => {
  it("rejects a permit count that is not a positive integer", () => {
    for (const permits of [0, -2, 0.5, Number.NaN]) assert.throws(() => new Semaphore(permits), RangeError);
  });

  it("tryAcquire hands out permits until none is left, for load shedding", () => {
    const semaphore = new Semaphore(2);
    const first = semaphore.tryAcquire();
    const second = semaphore.tryAcquire();
    assert.ok(first && second);
    assert.equal(semaphore.tryAcquire(), undefined);
    assert.equal(semaphore.available, 0);
    first.release();
    assert.equal(semaphore.available, 1);
    assert.ok(semaphore.tryAcquire());
  });

  it("release is idempotent", () => {
    const semaphore = new Semaphore(1);
    const permit = semaphore.tryAcquire();
    assert.ok(permit);
    permit.release();
    permit.release();
    permit[Symbol.dispose]();
    assert.equal(permit.released, true);
    assert.equal(semaphore.available, 1, "releasing twice must not mint a second permit");
  });

  it("makes acquire wait for a release and serves waiters first come first served", async () => {
    const semaphore = new Semaphore(1);
    const held = await semaphore.acquire();
    const order: string[] = [];
    const a = observe(semaphore.acquire().then((permit) => (order.push("a"), permit)));
    const b = observe(semaphore.acquire().then((permit) => (order.push("b"), permit)));
    await tick();
    assert.equal(a.settled, false);
    assert.equal(semaphore.waiting, 2);

    held.release();
    const permitA = await permitOf(a);
    await tick();
    assert.equal(b.settled, false, "one release wakes exactly one waiter");
    permitA.release();
    (await permitOf(b)).release();
    assert.deepEqual(order, ["a", "b"]);
    assert.equal(semaphore.available, 1);
  });

  it("does not let tryAcquire jump ahead of a waiter", async () => {
    const semaphore = new Semaphore(1);
    const held = await semaphore.acquire();
    const waiter = observe(semaphore.acquire());
    await tick();
    held.release();
    assert.equal(semaphore.tryAcquire(), undefined, "the released permit belongs to the waiter");
    (await permitOf(waiter)).release();
  });

  it("gives up waiting when the signal aborts, and the permit goes to the next waiter", async () => {
    const semaphore = new Semaphore(1);
    const held = await semaphore.acquire();
    const controller = new AbortController();
    const abandoned = observe(semaphore.acquire({ signal: controller.signal }));
    const patient = observe(semaphore.acquire());
    await tick();
    const reason = new Error("deadline");
    controller.abort(reason);
    assert.deepEqual(await abandoned.result, { status: "rejected", reason });
    assert.equal(semaphore.waiting, 1);
    assert.equal(getEventListeners(controller.signal, "abort").length, 0);
    held.release();
    (await permitOf(patient)).release();
    assert.equal(semaphore.available, 1);
  });

  it("rejects at once with an already aborted signal", async () => {
    const semaphore = new Semaphore(1);
    await assert.rejects(semaphore.acquire({ signal: AbortSignal.abort(new Error("gone")) }), /gone/);
    assert.equal(semaphore.available, 1);
  });

  it("removes its abort listener once the permit is granted", async () => {
    const semaphore = new Semaphore(1);
    const held = await semaphore.acquire();
    const controller = new AbortController();
    const waiting = observe(semaphore.acquire({ signal: controller.signal }));
    await tick();
    held.release();
    (await permitOf(waiting)).release();
    assert.equal(getEventListeners(controller.signal, "abort").length, 0);
  });

  it("withPermit releases the permit when the callback throws", async () => {
    const semaphore = new Semaphore(1);
    await assert.rejects(
      semaphore.withPermit(async () => {
        await tick();
        throw new Error("boom");
      }),
      /boom/,
    );
    assert.equal(semaphore.available, 1);
    assert.equal(await semaphore.withPermit(() => 42), 42);
    assert.equal(semaphore.available, 1);
  });

  // `using` needs Symbol.dispose at run time (Node 20.4+); `withPermit` covers older versions.
  const noDispose = typeof Symbol.dispose !== "symbol" && "Symbol.dispose needs Node 20.4 or later";
  it("releases a permit held with `using` on every way out of the block", { skip: noDispose }, async () => {
    const semaphore = new Semaphore(1);
    const work = async (fail: boolean): Promise<string> => {
      using permit = await semaphore.acquire();
      assert.equal(permit.released, false);
      assert.equal(semaphore.available, 0);
      if (fail) throw new Error("failed while holding the permit");
      return "done";
    };
    assert.equal(await work(false), "done");
    assert.equal(semaphore.available, 1);
    await assert.rejects(work(true), /failed while holding/);
    assert.equal(semaphore.available, 1);
  });

  it("close rejects waiters and refuses new acquisitions but accepts releases", async () => {
    const semaphore = new Semaphore(1);
    const held = await semaphore.acquire();
    const waiter = observe(semaphore.acquire());
    await tick();
    semaphore.close();
    const outcome = await waiter.result;
    assert.ok(outcome.status === "rejected" && outcome.reason instanceof SemaphoreClosedError);
    await assert.rejects(semaphore.acquire(), SemaphoreClosedError);
    assert.throws(() => semaphore.tryAcquire(), SemaphoreClosedError);
    held.release();
    assert.equal(semaphore.available, 1);
  });

  it("never lets more than `permits` callers run at once", async () => {
    const semaphore = new Semaphore(3);
    let active = 0;
    let peak = 0;
    const worker = async (): Promise<void> => {
      for (let i = 0; i < 5; i += 1) {
        await semaphore.withPermit(async () => {
          active += 1;
          peak = Math.max(peak, active);
          await tick();
          active -= 1;
        });
      }
    };
    await Promise.all([worker(), worker(), worker(), worker(), worker(), worker()]);
    assert.equal(peak, 3);
    assert.equal(semaphore.available, 3);
  });
});
