import assert from "node:assert/strict";
import { getEventListeners } from "node:events";
import { describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { runPeriodic } from "../src/periodic.js";
import { TimeoutError, withDeadline } from "../src/signals.js";
import { observe, PATIENCE_MS } from "./support.js";

const TEST = { timeout: PATIENCE_MS };

describe("runPeriodic", () => {
  it("never starts a run while the previous one is still going", TEST, async () => {
    const controller = new AbortController();
    let active = 0;
    let peak = 0;
    let runs = 0;
    await runPeriodic(5, controller.signal, async () => {
      active += 1;
      peak = Math.max(peak, active);
      await sleep(20);
      active -= 1;
      runs += 1;
      if (runs === 4) controller.abort();
    });
    assert.equal(peak, 1);
    assert.equal(runs, 4);
  });

  it("returns quietly when its signal aborts between runs", TEST, async () => {
    const controller = new AbortController();
    const running = observe(runPeriodic(60_000, controller.signal, () => undefined));
    controller.abort();
    assert.deepEqual(await running.result, { status: "fulfilled", value: undefined });
  });

  it("surfaces a failing run instead of losing it", TEST, async () => {
    await assert.rejects(
      runPeriodic(5, new AbortController().signal, () => {
        throw new Error("report failed");
      }),
      /report failed/,
    );
  });
});

describe("withDeadline", () => {
  it("aborts with a TimeoutError when the time is up", TEST, async () => {
    const parent = new AbortController();
    const deadline = withDeadline(parent.signal, 10);
    await sleep(30);
    assert.ok(deadline.signal.reason instanceof TimeoutError);
    deadline.dispose();
    assert.equal(getEventListeners(parent.signal, "abort").length, 0);
  });

  it("follows its parent and leaves no listener behind once disposed", () => {
    const parent = new AbortController();
    const deadline = withDeadline(parent.signal, 60_000);
    assert.equal(getEventListeners(parent.signal, "abort").length, 1);
    parent.abort(new Error("cancelled"));
    assert.match(String(deadline.signal.reason), /cancelled/);
    deadline.dispose();
    const unused = withDeadline(new AbortController().signal, 60_000);
    unused.dispose();
    assert.equal(unused.signal.aborted, false);
  });
});
