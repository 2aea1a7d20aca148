import assert from "node:assert/strict";
import { once } from "node:events";
import { connect } from "node:net";
import { after, afterEach, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Broker } from "../src/broker.js";
import { type App, createApp } from "../src/http.js";
import { TopicHub } from "../src/hub.js";
import { observe } from "./support/observe.js";
import { SseClient, request } from "./support/sse-client.js";

interface Running {
  readonly app: App;
  readonly broker: Broker;
  readonly base: string;
  readonly port: number;
  stop(): Promise<void>;
}

const running: Running[] = [];

async function start(
  overrides: { topicCapacity?: number; maxMessageBytes?: number; slowConsumerTimeoutMs?: number; maxStreams?: number; maxConnections?: number } = {},
): Promise<Running> {
  const broker = new Broker(new TopicHub({ capacity: overrides.topicCapacity ?? 64, maxTopics: 32 }), { queueCapacity: 64 });
  const loop = broker.run().then(
    () => undefined,
    (error: unknown) => assert.fail(`broker loop failed: ${String(error)}`),
  );
  const app = createApp(
    {
      maxMessageBytes: overrides.maxMessageBytes ?? 1_024,
      requestTimeoutMs: 5_000,
      maxConnections: overrides.maxConnections ?? 100,
      maxStreams: overrides.maxStreams ?? 100,
      heartbeatMs: 10_000,
      slowConsumerTimeoutMs: overrides.slowConsumerTimeoutMs ?? 5_000,
    },
    broker,
  );
  const address = await app.listen(0, "127.0.0.1");
  const server: Running = {
    app,
    broker,
    port: address.port,
    base: `http://127.0.0.1:${address.port}`,
    async stop() {
      assert.equal(await app.close(2_000), true, "no connection outlived the shutdown");
      broker.close();
      await loop;
    },
  };
  running.push(server);
  return server;
}

const streams: SseClient[] = [];

async function openStream(url: string): Promise<SseClient> {
  const client = await SseClient.connect(url);
  streams.push(client);
  return client;
}

afterEach(() => {
  for (const client of streams.splice(0)) client.close();
});

after(async () => {
  for (const server of running) await server.stop();
});

async function publish(base: string, topic: string, body: string): Promise<Response> {
  return request(`${base}/topics/${topic}`, { method: "POST", body, headers: { "content-type": "text/plain" } });
}

/** Polls `check` until it holds; the bound keeps a broken build from hanging the suite. */
async function eventually(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (await check()) return;
    await sleep(25);
  }
  assert.fail(`timed out waiting for ${what}`);
}

describe("HTTP and SSE", () => {
  it("publishes by POST and fans out to every SSE subscriber", async () => {
    const { base } = await start();
    const first = await openStream(`${base}/topics/news/events`);
    const second = await openStream(`${base}/topics/news/events`);
    assert.equal(first.status, 200);
    assert.match(first.headers.get("content-type") ?? "", /text\/event-stream/);

    const response = await publish(base, "news", "hello, world");
    assert.equal(response.status, 202);
    assert.deepEqual(await response.json(), { topic: "news", seq: 1, receivers: 2 });

    for (const client of [first, second]) {
      const event = await client.nextOf("message");
      assert.ok(event !== undefined);
      assert.equal(event.id, "1");
      const message = JSON.parse(event.data) as { topic: string; data: string; seq: number };
      assert.equal(message.data, "hello, world");
      assert.equal(message.topic, "news");
    }

    const state = await request(`${base}/topics/news`);
    assert.equal(state.status, 200);
    const body = (await state.json()) as { published: number; subscribers: number; last: { data: string } };
    assert.equal(body.published, 1);
    assert.equal(body.subscribers, 2);
    assert.equal(body.last.data, "hello, world");
  });

  it("a message with newlines arrives intact", async () => {
    const { base } = await start();
    const client = await openStream(`${base}/topics/multi/events`);
    await publish(base, "multi", "line 1\nline 2\n\ndata: not a field");
    const event = await client.nextOf("message");
    assert.equal((JSON.parse(event?.data ?? "{}") as { data: string }).data, "line 1\nline 2\n\ndata: not a field");
  });

  it("closing an SSE connection frees its subscription", async () => {
    const { base } = await start();
    const client = await openStream(`${base}/topics/room/events`);
    await eventually(async () => {
      const response = await request(`${base}/topics/room`);
      return response.status === 200 && ((await response.json()) as { subscribers: number }).subscribers === 1;
    }, "the subscription to register");
    client.close();
    await eventually(async () => {
      const response = await request(`${base}/topics/room`);
      return ((await response.json()) as { subscribers: number }).subscribers === 0;
    }, "the subscription to be freed");
    const receipt = (await (await publish(base, "room", "anyone?")).json()) as { receivers: number };
    assert.equal(receipt.receivers, 0);
  });

  it("disconnects a consumer that cannot keep up instead of buffering for it", async () => {
    const { base, port, app, broker } = await start({ topicCapacity: 8, slowConsumerTimeoutMs: 200, maxMessageBytes: 256 * 1024 });
    const socket = connect({ port, host: "127.0.0.1", timeout: 20_000 });
    await once(socket, "connect", { signal: AbortSignal.timeout(5_000) });
    socket.write("GET /topics/firehose/events HTTP/1.1\r\nhost: localhost\r\naccept: text/event-stream\r\n\r\n");
    socket.pause();
    const closed = observe(once(socket, "close", { signal: AbortSignal.timeout(20_000) }));
    await eventually(async () => ((await broker.state("firehose"))?.subscribers ?? 0) === 1, "the raw client to subscribe");

    const payload = "x".repeat(128 * 1024);
    for (let sent = 0; app.metrics.streamsEnded["slow-consumer"] === 0; sent += 1) {
      assert.ok(sent < 2_000, "the slow consumer was never disconnected");
      await broker.publish("firehose", payload);
      if (sent % 8 === 7) await sleep(20);
    }
    socket.resume();
    assert.equal((await closed.result).status, "fulfilled", "the server closed the connection");
    assert.equal(app.metrics.streamsEnded["slow-consumer"], 1);
    assert.equal((await broker.state("firehose"))?.subscribers, 0, "its subscription was freed");
    assert.equal((await publish(base, "firehose", "still works")).status, 202);
  });

  it("rejects bad requests with the right status", async () => {
    const { base } = await start({ maxMessageBytes: 16 });
    const tooLarge = await publish(base, "news", "x".repeat(17));
    assert.equal(tooLarge.status, 413);
    assert.equal((await publish(base, "bad%20name", "x")).status, 400);
    assert.equal((await publish(base, "bad%E0%A4%A", "x")).status, 400, "a broken %-escape is the client's error, not a 500");
    assert.equal((await request(`${base}/topics/never-used`)).status, 404);
    assert.equal((await request(`${base}/nowhere`)).status, 404);
    const wrongMethod = await request(`${base}/topics/news`, { method: "DELETE" });
    assert.equal(wrongMethod.status, 405);
    assert.equal((await request(`${base}/healthz`)).status, 200);
    assert.equal((await request(`${base}/readyz`)).status, 200);
  });

  it("a client resuming with Last-Event-ID gets the messages it missed before the live ones", async () => {
    const { base } = await start();
    for (let i = 1; i <= 4; i += 1) assert.equal((await publish(base, "feed", `m${i}`)).status, 202);
    const controller = new AbortController();
    const response = await fetch(`${base}/topics/feed/events`, { headers: { "last-event-id": "2" }, signal: controller.signal });
    const reader = response.body!.getReader();
    let text = "";
    while ((text.match(/event: message/g) ?? []).length < 2) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += new TextDecoder().decode(chunk.value);
    }
    controller.abort();
    assert.deepEqual([...text.matchAll(/^id: (\d+)$/gm)].map((match) => match[1]), ["3", "4"]);
  });

  it("SSE streams have their own cap: a full one answers 503 + Retry-After, and probes and publishes still answer", async () => {
    const { base } = await start({ maxStreams: 2, maxConnections: 2 });
    await openStream(`${base}/topics/a/events`);
    await openStream(`${base}/topics/b/events`);
    const third = await request(`${base}/topics/c/events`);
    assert.equal(third.status, 503);
    assert.equal(third.headers.get("retry-after"), "1");
    await third.body?.cancel();
    assert.equal((await request(`${base}/healthz`)).status, 200);
    assert.equal((await publish(base, "a", "still publishing")).status, 202);
  });

  it("exposes its metrics in the Prometheus text format", async () => {
    const { base } = await start();
    await publish(base, "m", "x");
    const response = await request(`${base}/metrics`);
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.match(text, /^pubsub_published_total 1$/m);
    assert.match(text, /^pubsub_open_streams 0$/m);
    assert.match(text, /^pubsub_broker_queue_depth \d+$/m);
    assert.match(text, /^pubsub_publishes_in_flight 0$/m);
    assert.match(text, /^pubsub_topics 1$/m);
    assert.match(text, /^shutdown_phase 0$/m);
    assert.match(text, /^nodejs_eventloop_lag_seconds /m, "event-loop lag is reported");
  });

  it("counts the messages a lagging subscriber missed (pubsub_lagged_messages_total)", async () => {
    const { base } = await start({ topicCapacity: 4 });
    for (let i = 1; i <= 10; i += 1) assert.equal((await publish(base, "feed", `m${i}`)).status, 202);
    const controller = new AbortController();
    // Resuming after message 1 with only the last 4 kept: messages 2 to 6 are gone.
    const response = await fetch(`${base}/topics/feed/events`, { headers: { "last-event-id": "1" }, signal: controller.signal });
    const reader = response.body!.getReader();
    let text = "";
    while (!text.includes("event: lagged")) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += new TextDecoder().decode(chunk.value);
    }
    const metrics = await (await request(`${base}/metrics`)).text();
    controller.abort();
    assert.match(text, /event: lagged\ndata: \{"skipped":5\}/);
    assert.match(metrics, /^pubsub_lagged_messages_total 5$/m);
  });

  it("reports the shutdown phase on /metrics while it drains", async () => {
    const { base, app } = await start();
    const client = await openStream(`${base}/topics/news/events`);
    const closing = observe(app.close(5_000));
    assert.equal(app.metrics.shutdownPhase, 1, "draining");
    assert.equal((await client.next())?.event, "shutdown");
    assert.deepEqual(await closing.result, { status: "fulfilled", value: true });
    assert.equal(app.metrics.shutdownPhase, 2, "closed in time");
    client.close();
  });

  it("shutdown ends every SSE stream with a shutdown event and closes the server", async () => {
    const { base, app } = await start();
    const client = await openStream(`${base}/topics/news/events`);
    await publish(base, "news", "before shutdown");
    assert.equal((await client.nextOf("message"))?.event, "message");
    const closing = observe(app.close(5_000));
    assert.equal((await client.next())?.event, "shutdown");
    assert.equal(await client.next(), undefined, "the server ended the stream");
    assert.deepEqual(await closing.result, { status: "fulfilled", value: true }, "closed before the deadline");
    assert.equal(app.metrics.streamsEnded.shutdown, 1);
    client.close();
  });
});
