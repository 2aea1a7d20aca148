import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Broker, BrokerClosedError } from "../src/broker.js";
import { TopicHub, TopicLimitError } from "../src/hub.js";
import { observe } from "./support/observe.js";

/** Like AbortSignal.timeout, but its timer keeps the test process alive while it waits. */
function deadline(ms: number): AbortSignal {
  const controller = new AbortController();
  setTimeout(() => controller.abort(new DOMException("deadline passed", "TimeoutError")), ms);
  return controller.signal;
}

function createBroker(options: { capacity?: number; maxTopics?: number; queueCapacity?: number } = {}): { broker: Broker; hub: TopicHub } {
  const hub = new TopicHub({ capacity: options.capacity ?? 8, maxTopics: options.maxTopics ?? 8 });
  return { broker: new Broker(hub, { queueCapacity: options.queueCapacity ?? 8 }), hub };
}

describe("Broker (actor with oneshot replies)", () => {
  it("answers publish, subscribe and state requests through oneshot replies", async () => {
    const { broker } = createBroker();
    const loop = observe(broker.run());
    const subscription = await broker.subscribe("news");
    const receipt = await broker.publish("news", "hello");
    assert.deepEqual(receipt, { topic: "news", seq: 1, receivers: 1 });
    const next = await subscription.receiver.recv();
    assert.ok(next.kind === "message" && next.value.data === "hello");
    assert.equal((await broker.state("news"))?.published, 1);
    assert.equal(await broker.state("unknown"), undefined);
    assert.deepEqual((await broker.states()).map((state) => state.topic), ["news"]);
    subscription.close();
    broker.close();
    assert.deepEqual(await loop.result, { status: "fulfilled", value: undefined });
  });

  it("a request times out while the queue is full, instead of queueing without limit", async () => {
    const { broker } = createBroker({ queueCapacity: 1 });
    // The loop is not running, so the first request fills the queue and waits for its reply.
    const first = broker.publish("a", "1", { signal: deadline(100) });
    await assert.rejects(first, { name: "TimeoutError" });
    const second = broker.publish("a", "2", { signal: deadline(100) });
    await assert.rejects(second, { name: "TimeoutError" });
    assert.equal(broker.queued, 1, "the queue never held more than its capacity");
    const loop = observe(broker.run());
    broker.close();
    assert.deepEqual(await loop.result, { status: "fulfilled", value: undefined });
  });

  it("a subscription nobody waits for any more is closed, not leaked", async () => {
    const { broker, hub } = createBroker();
    const controller = new AbortController();
    const pending = broker.subscribe("news", { signal: controller.signal });
    controller.abort(new Error("client went away"));
    await assert.rejects(pending, /client went away/);
    const loop = observe(broker.run());
    assert.equal((await broker.publish("news", "x")).receivers, 0);
    assert.equal(hub.state("news")?.subscribers, 0);
    broker.close();
    assert.deepEqual(await loop.result, { status: "fulfilled", value: undefined });
  });

  it("a publish whose caller timed out while it was queued is not applied, so a retry does not publish twice", async () => {
    const { broker, hub } = createBroker();
    // The loop is not running yet: the publish waits in the queue past its deadline.
    await assert.rejects(broker.publish("orders", "once", { signal: deadline(50) }), { name: "TimeoutError" });
    const loop = observe(broker.run());
    const retry = await broker.publish("orders", "once");
    assert.equal(retry.seq, 1, "only the retry was published");
    assert.equal(hub.state("orders")?.published, 1);
    broker.close();
    assert.deepEqual(await loop.result, { status: "fulfilled", value: undefined });
  });

  it("passes the hub's errors back to the requester", async () => {
    const { broker } = createBroker({ maxTopics: 1 });
    const loop = observe(broker.run());
    const subscription = await broker.subscribe("one");
    await assert.rejects(broker.publish("two", "x"), TopicLimitError);
    subscription.close();
    broker.close();
    assert.deepEqual(await loop.result, { status: "fulfilled", value: undefined });
  });

  it("after close, requests are refused and the loop ends once the queue drained", async () => {
    const { broker } = createBroker();
    const subscription = await (async () => {
      const loop = observe(broker.run());
      const sub = await broker.subscribe("news");
      broker.close();
      assert.deepEqual(await loop.result, { status: "fulfilled", value: undefined });
      return sub;
    })();
    await assert.rejects(broker.publish("news", "late"), BrokerClosedError);
    assert.deepEqual(await subscription.receiver.recv(), { kind: "closed" }, "closing the broker ends subscriptions");
  });
});
