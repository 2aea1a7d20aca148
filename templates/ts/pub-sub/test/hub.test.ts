import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TopicHub, TopicLimitError } from "../src/hub.js";

describe("TopicHub", () => {
  it("fans every message out to many subscribers, in order", async () => {
    const hub = new TopicHub({ capacity: 16, maxTopics: 8 });
    const subscriptions = Array.from({ length: 100 }, () => hub.subscribe("news"));
    for (let i = 1; i <= 10; i += 1) assert.equal(hub.publish("news", `m${i}`).receivers, 100);
    for (const subscription of subscriptions) {
      for (let i = 1; i <= 10; i += 1) {
        const next = await subscription.receiver.recv();
        assert.ok(next.kind === "message");
        assert.equal(next.value.data, `m${i}`);
        assert.equal(next.value.seq, i);
      }
    }
  });

  it("tells a lagging subscriber how many messages it missed, while a fast one misses none", async () => {
    const hub = new TopicHub({ capacity: 4, maxTopics: 8 });
    const slow = hub.subscribe("ticks");
    const fast = hub.subscribe("ticks");
    for (let i = 1; i <= 10; i += 1) {
      hub.publish("ticks", String(i));
      const next = await fast.receiver.recv();
      assert.ok(next.kind === "message" && next.value.data === String(i));
    }
    assert.deepEqual(await slow.receiver.recv(), { kind: "lagged", skipped: 6 });
    const resumed = await slow.receiver.recv();
    assert.ok(resumed.kind === "message");
    assert.equal(resumed.value.seq, 7, "resumes at the oldest message still kept");
  });

  it("unsubscribe frees the receiver and the messages only it still held", () => {
    const hub = new TopicHub({ capacity: 8, maxTopics: 8 });
    const subscription = hub.subscribe("jobs");
    hub.publish("jobs", "a");
    hub.publish("jobs", "b");
    assert.equal(subscription.receiver.pending, 2);
    assert.equal(hub.state("jobs")?.subscribers, 1);
    subscription.close();
    subscription.close();
    assert.equal(subscription.receiver.unsubscribed, true);
    assert.equal(hub.state("jobs")?.subscribers, 0);
    assert.equal(hub.publish("jobs", "c").receivers, 0, "nobody is left to deliver to");
  });

  it("keeps the latest state of a topic in a watch channel", async () => {
    const hub = new TopicHub({ capacity: 8, maxTopics: 8 });
    const state = hub.watch("prices");
    assert.equal(state.borrow().published, 0);
    const changed = state.changed();
    hub.publish("prices", "42", new Date("2030-01-01T00:00:00Z"));
    assert.equal(await changed, true);
    assert.equal(state.borrow().published, 1);
    assert.equal(state.borrow().last?.data, "42");
    assert.equal(state.borrow().last?.publishedAt, "2030-01-01T00:00:00.000Z");
    hub.publish("prices", "43");
    hub.publish("prices", "44");
    assert.equal(await state.changed(), true);
    assert.equal(state.borrow().last?.data, "44", "a watcher sees the newest state, not every step");
  });

  it("publishes to throwaway topics never use up MAX_TOPICS: idle topics are evicted, least recently used first", () => {
    const hub = new TopicHub({ capacity: 2, maxTopics: 2 });
    for (let i = 0; i < 100; i += 1) assert.equal(hub.publish(`anonymous-${i}`, "x").receivers, 0);
    assert.equal(hub.topicCount, 2);
    assert.equal(hub.evicted, 98);
    assert.equal(hub.state("anonymous-0"), undefined, "the oldest idle topic went first");
  });

  it("refuses a new topic only when every topic has a subscriber or a watcher", () => {
    const hub = new TopicHub({ capacity: 2, maxTopics: 2 });
    hub.subscribe("a");
    const watcher = hub.watch("b");
    assert.throws(() => hub.publish("c", "1"), TopicLimitError);
    assert.equal(hub.publish("a", "2").message.seq, 1, "existing topics still work");
    assert.equal(hub.topicCount, 2);
    watcher.unsubscribe();
    assert.equal(hub.publish("c", "1").receivers, 0, "b became idle and made room");
  });

  it("replays what a resuming subscriber missed (Last-Event-ID), and counts what is no longer kept", () => {
    const hub = new TopicHub({ capacity: 3, maxTopics: 2 });
    for (let i = 1; i <= 5; i += 1) hub.publish("news", `m${i}`);
    const resumed = hub.subscribe("news", 3);
    assert.deepEqual(resumed.replay.map((message) => message.seq), [4, 5]);
    assert.equal(resumed.missed, 0);
    const late = hub.subscribe("news", 0);
    assert.deepEqual(late.replay.map((message) => message.seq), [3, 4, 5]);
    assert.equal(late.missed, 2, "m1 and m2 are gone from the topic's buffer");
  });

  it("close ends every subscription after it drained", async () => {
    const hub = new TopicHub({ capacity: 2, maxTopics: 2 });
    const subscription = hub.subscribe("a");
    hub.publish("a", "last");
    hub.close();
    assert.equal((await subscription.receiver.recv()).kind, "message");
    assert.deepEqual(await subscription.receiver.recv(), { kind: "closed" });
    subscription.close();
  });
});
