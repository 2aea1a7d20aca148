/**
 * The multi-process variant against a real redis-server started by the test on a free loopback
 * port. Two broker+bridge pairs stand for two processes of the service.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Broker } from "../src/broker.js";
import { createApp } from "../src/http.js";
import { TopicHub } from "../src/hub.js";
import { RedisBridge } from "../src/redis-bridge.js";
import { type RedisServer, startRedis } from "./support/redis-server.js";
import { SseClient, request } from "./support/sse-client.js";

interface Instance {
  readonly broker: Broker;
  readonly bridge: RedisBridge;
  stop(): Promise<void>;
}

let redis: RedisServer;
const instances: Instance[] = [];
const errors: unknown[] = [];

async function startInstance(url = redis.url): Promise<Instance> {
  const broker = new Broker(new TopicHub({ capacity: 16, maxTopics: 16 }), { queueCapacity: 16 });
  const loop = broker.run().catch((error: unknown) => errors.push(error));
  const bridge = await RedisBridge.connect(broker, {
    url,
    channelPrefix: "test:topic:",
    timeoutMs: 1_000,
    onError: (error) => errors.push(error),
  });
  const instance: Instance = {
    broker,
    bridge,
    async stop() {
      await bridge.close();
      broker.close();
      await loop;
    },
  };
  instances.push(instance);
  return instance;
}

async function eventually(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (await check()) return;
    await sleep(25);
  }
  assert.fail(`timed out waiting for ${what}`);
}

before(async () => {
  redis = await startRedis();
});

after(async () => {
  for (const instance of instances) await instance.stop();
  await redis?.stop();
});

describe("Redis bridge (multi-process)", () => {
  it("a message published on one instance reaches the subscribers of every instance", async () => {
    const a = await startInstance();
    const b = await startInstance();
    const onA = await a.broker.subscribe("orders");
    const onB = await b.broker.subscribe("orders");
    const receipt = await a.bridge.publish("orders", "order #1");
    assert.equal(receipt.receivers, 2, "both instances' subscriber connections got it");
    for (const subscription of [onA, onB]) {
      const next = await subscription.receiver.recv({ signal: AbortSignal.timeout(5_000) });
      assert.ok(next.kind === "message");
      assert.equal(next.value.data, "order #1");
      assert.equal(next.value.topic, "orders");
      subscription.close();
    }
    assert.equal((await b.broker.state("orders"))?.last?.data, "order #1", "the watch state is kept on every instance");
  });

  it("keeps lag handling local: a slow subscriber is told what it missed", async () => {
    const a = await startInstance();
    const slow = await a.broker.subscribe("ticks");
    for (let i = 1; i <= 40; i += 1) await a.bridge.publish("ticks", String(i));
    await eventually(async () => (await a.broker.state("ticks"))?.published === 40, "all 40 messages to arrive");
    assert.deepEqual(slow.receiver.tryRecv(), { kind: "lagged", skipped: 24 });
    slow.close();
  });

  it("serves SSE end to end: POST to one instance, stream from another", async () => {
    const a = await startInstance();
    const b = await startInstance();
    const config = { maxMessageBytes: 1_024, requestTimeoutMs: 2_000, maxConnections: 10, maxStreams: 10, heartbeatMs: 10_000, slowConsumerTimeoutMs: 2_000 };
    const appA = createApp(config, a.broker, { publisher: a.bridge, ready: () => a.bridge.ready });
    const appB = createApp(config, b.broker, { publisher: b.bridge, ready: () => b.bridge.ready });
    const addressA = await appA.listen(0, "127.0.0.1");
    const addressB = await appB.listen(0, "127.0.0.1");
    try {
      assert.equal((await request(`http://127.0.0.1:${addressA.port}/readyz`)).status, 200);
      const stream = await SseClient.connect(`http://127.0.0.1:${addressB.port}/topics/chat/events`);
      try {
        await eventually(async () => (await b.broker.state("chat"))?.subscribers === 1, "the SSE subscription");
        const response = await request(`http://127.0.0.1:${addressA.port}/topics/chat`, { method: "POST", body: "hi from A" });
        assert.equal(response.status, 202);
        const event = await stream.nextOf("message");
        assert.equal((JSON.parse(event?.data ?? "{}") as { data: string }).data, "hi from A");
      } finally {
        stream.close();
      }
    } finally {
      await appA.close(2_000);
      await appB.close(2_000);
    }
  });

  it("fails fast with a clear error when Redis is unreachable", async () => {
    const started = Date.now();
    await assert.rejects(
      startInstance("redis://127.0.0.1:1"),
      /Could not connect to Redis at redis:\/\/127\.0\.0\.1:1/,
    );
    assert.ok(Date.now() - started < 10_000, "connect gave up within its timeout and retry budget");
  });

  it("a publish while Redis is down fails within the command timeout instead of queueing", async () => {
    const own = await startRedis();
    try {
      const a = await startInstance(own.url);
      assert.equal(a.bridge.ready, true);
      await own.stop();
      await eventually(() => !a.bridge.ready, "the bridge to notice Redis is gone");
      await eventually(async () => {
        try {
          await a.bridge.publish("orders", "lost?");
          return false;
        } catch {
          return true;
        }
      }, "publish to fail once Redis is gone");
      const started = Date.now();
      await assert.rejects(a.bridge.publish("orders", "lost?"));
      assert.ok(Date.now() - started < 5_000, "no offline queue: it failed within the timeout");
    } finally {
      await own.stop();
    }
  });
});
