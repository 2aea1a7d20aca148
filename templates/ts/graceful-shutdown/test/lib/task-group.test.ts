import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { describe, it } from "node:test";
import { setTimeout as sleep, setImmediate as tick } from "node:timers/promises";
import { TaskGroup, TaskGroupCancelledError, type TaskOutcome } from "../../src/lib/task-group.js";

/** A task that runs until the group's signal aborts, like a service loop. */
async function untilCancelled(signal: AbortSignal): Promise<never> {
  await sleep(60_000, undefined, { signal });
  throw new Error("unreachable: the test would have timed out");
}

function names<T>(outcomes: readonly TaskOutcome<T>[]): string[] {
  return outcomes.map((outcome) => `${outcome.name}:${outcome.status}`);
}

describe("TaskGroup", () => {
  it("joins results in completion order", async () => {
    const group = new TaskGroup<string>();
    const releaseSlow = new AbortController();
    group.spawn("slow", async () => {
      await sleep(60_000, undefined, { signal: releaseSlow.signal }).catch(() => undefined);
      return "slow";
    });
    group.spawn("fast", () => "fast");
    assert.equal(group.size, 2);

    const first = await group.joinNext();
    assert.deepEqual(first, { name: "fast", status: "fulfilled", value: "fast" });
    releaseSlow.abort();
    assert.deepEqual(await group.joinNext(), { name: "slow", status: "fulfilled", value: "slow" });
    assert.equal(await group.joinNext(), undefined);
    assert.equal(group.size, 0);
  });

  it("answers undefined from joinNext when nothing was spawned", async () => {
    assert.equal(await new TaskGroup().joinNext(), undefined);
    assert.deepEqual(await new TaskGroup().joinAll(), []);
  });

  it("hands every task the same signal", async () => {
    const group = new TaskGroup<AbortSignal>();
    group.spawn("a", (signal) => signal);
    group.spawn("b", (signal) => signal);
    const [a, b] = await group.joinAll();
    assert.equal(a, group.signal);
    assert.equal(b, group.signal);
  });

  it("cancels the other tasks when one fails and surfaces the first failure", async () => {
    const group = new TaskGroup();
    const failure = new Error("database connection lost");
    group.spawn("loop-1", untilCancelled);
    group.spawn("loop-2", untilCancelled);
    group.spawn("faulty", async () => {
      await tick();
      throw failure;
    });

    const outcomes: TaskOutcome<unknown>[] = [];
    for (let outcome = await group.joinNext(); outcome; outcome = await group.joinNext()) outcomes.push(outcome);
    assert.deepEqual(names(outcomes), ["faulty:rejected", "loop-1:cancelled", "loop-2:cancelled"]);
    assert.equal(group.signal.aborted, true);
    assert.equal(group.signal.reason, failure);
    assert.equal(group.failure?.error, failure);
  });

  it("joinAll waits for every task and then rejects with the first failure", async () => {
    const group = new TaskGroup();
    let cleanedUp = false;
    group.spawn("loop", async (signal) => {
      try {
        await untilCancelled(signal);
      } finally {
        await tick();
        cleanedUp = true;
      }
    });
    group.spawn("first", async () => {
      throw new Error("first");
    });
    group.spawn("second", async () => {
      await tick();
      throw new Error("second");
    });
    await assert.rejects(group.joinAll(), /^Error: first$/);
    assert.equal(cleanedUp, true, "joinAll returns only after the cancelled tasks finished");
  });

  it("treats a synchronous throw in a task like a rejection", async () => {
    const group = new TaskGroup();
    group.spawn("sync", () => {
      throw new Error("thrown synchronously");
    });
    const outcome = await group.joinNext();
    assert.equal(outcome?.status, "rejected");
  });

  it("cancelAll stops running tasks and reports them as cancelled, not failed", async () => {
    const group = new TaskGroup();
    group.spawn("a", untilCancelled);
    group.spawn("b", async (signal) => {
      await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
      signal.throwIfAborted();
    });
    await tick();
    group.cancelAll(new Error("shutdown"));
    const outcomes: TaskOutcome<unknown>[] = [];
    for (let outcome = await group.joinNext(); outcome; outcome = await group.joinNext()) outcomes.push(outcome);
    assert.deepEqual(names(outcomes).sort(), ["a:cancelled", "b:cancelled"]);
    assert.equal(group.failure, undefined);
    assert.deepEqual(await group.joinAll(), []);
  });

  it("still reports a real error raised while cancelling", async () => {
    const group = new TaskGroup();
    group.spawn("close-fails", async (signal) => {
      await untilCancelled(signal).catch(() => undefined);
      throw new Error("flush failed");
    });
    await tick();
    group.cancelAll();
    const outcome = await group.joinNext();
    assert.equal(outcome?.status, "rejected");
    await assert.rejects(group.joinAll(), /flush failed/);
  });

  it("refuses to spawn once cancelled", () => {
    const group = new TaskGroup();
    group.cancelAll();
    assert.throws(() => group.spawn("late", () => 1), TaskGroupCancelledError);
  });

  it("is cancelled by its parent signal", async () => {
    const root = new AbortController();
    const group = new TaskGroup({ signal: root.signal });
    group.spawn("loop", untilCancelled);
    await tick();
    root.abort(new Error("SIGTERM"));
    assert.equal((await group.joinNext())?.status, "cancelled");
    assert.equal(group.signal.reason, root.signal.reason);
  });

  it("notices a parent that aborted while the group was idle", () => {
    const root = new AbortController();
    const group = new TaskGroup({ signal: root.signal });
    root.abort();
    assert.throws(() => group.spawn("late", () => 1), TaskGroupCancelledError);
    assert.equal(new TaskGroup({ signal: root.signal }).signal.aborted, true);
  });

  it("holds no listener on the parent signal while idle", async () => {
    const root = new AbortController();
    const group = new TaskGroup<number>({ signal: root.signal });
    for (let round = 0; round < 20; round += 1) {
      group.spawn("job", async () => {
        await tick();
        return round;
      });
      await group.joinNext();
    }
    assert.equal(getEventListeners(root.signal, "abort").length, 0);
  });

  it("wakes every waiting joiner when the last task ends", async () => {
    const group = new TaskGroup<number>();
    group.spawn("only", async () => {
      await tick();
      return 1;
    });
    const [a, b] = await Promise.all([group.joinNext(), group.joinNext()]);
    assert.deepEqual([a?.status, b], ["fulfilled", undefined]);
  });
});
