/**
 * The broker as an actor: one loop owns the topic hub and serves commands from a bounded queue,
 * each answered through its own oneshot channel (Tokio's request/response over `mpsc` + `oneshot`).
 *
 * Callers never touch the hub directly: `publish`, `subscribe` and `state` send a command and
 * await the reply, both under the caller's AbortSignal. When the queue is full, callers wait for
 * room (backpressure) until their deadline, and are then told the broker is busy.
 */
import type { Subscription, TopicHub, TopicState } from "./hub.js";
// asyncpat-template:if broker=redis
import type { Message } from "./hub.js";
// asyncpat-template:endif
import { Channel, ChannelClosedError } from "./lib/channel.js";
import { type OneshotSender, oneshot } from "./lib/oneshot.js";

export interface PublishReceipt {
  readonly topic: string;
  /** Sequence number in this process; undefined when the message went through Redis. */
  readonly seq: number | undefined;
  /**
   * Receivers at send time: local subscribers the message was queued for (memory), or subscribed
   * Redis connections (Redis). Not a delivery confirmation: a subscriber may still lag or leave.
   */
  readonly receivers: number;
}

/** Anything that can publish: the in-process broker, or the Redis bridge in the multi-process variant. */
export interface Publisher {
  publish(topic: string, data: string, options?: RequestOptions): Promise<PublishReceipt>;
}

export interface RequestOptions {
  /** The request's deadline or cancellation; covers waiting for queue room and for the reply. */
  readonly signal?: AbortSignal | undefined;
}

export class BrokerClosedError extends Error {
  override readonly name = "BrokerClosedError";

  constructor() {
    super("The broker is shutting down and takes no more requests.");
  }
}

type Reply<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

type Command =
  | { readonly kind: "publish"; readonly topic: string; readonly data: string; readonly reply: OneshotSender<Reply<PublishReceipt>> }
  | { readonly kind: "subscribe"; readonly topic: string; readonly afterSeq: number | undefined; readonly reply: OneshotSender<Reply<Subscription>> }
  | { readonly kind: "state"; readonly topic: string; readonly reply: OneshotSender<Reply<TopicState | undefined>> }
  | { readonly kind: "states"; readonly reply: OneshotSender<Reply<TopicState[]>> };

export class Broker implements Publisher {
  readonly #hub: TopicHub;
  readonly #commands: Channel<Command>;
  #running: Promise<void> | undefined;

  constructor(hub: TopicHub, options: { readonly queueCapacity: number }) {
    this.#hub = hub;
    this.#commands = new Channel<Command>(options.queueCapacity);
  }

  /** Commands waiting for the actor loop. */
  get queued(): number {
    return this.#commands.size;
  }

  /** Starts the actor loop; the promise settles once `close()` was called and the queue drained. */
  run(): Promise<void> {
    this.#running ??= this.#loop();
    return this.#running;
  }

  publish(topic: string, data: string, options: RequestOptions = {}): Promise<PublishReceipt> {
    return this.#request((reply) => ({ kind: "publish", topic, data, reply }), options);
  }

  /** Subscribes to `topic` (replaying what came after `afterSeq`, if given); close the subscription to free it. */
  subscribe(topic: string, options: RequestOptions & { readonly afterSeq?: number | undefined } = {}): Promise<Subscription> {
    return this.#request((reply) => ({ kind: "subscribe", topic, afterSeq: options.afterSeq, reply }), options);
  }

  state(topic: string, options: RequestOptions = {}): Promise<TopicState | undefined> {
    return this.#request((reply) => ({ kind: "state", topic, reply }), options);
  }

  states(options: RequestOptions = {}): Promise<TopicState[]> {
    return this.#request((reply) => ({ kind: "states", reply }), options);
  }

  // asyncpat-template:if broker=redis
  /**
   * Delivers a message that arrived from elsewhere (another process, through Redis) to the local
   * subscribers. Synchronous: a broadcast send never waits, so there is nothing to queue.
   */
  deliver(topic: string, data: string, publishedAt: Date): Message {
    return this.#hub.publish(topic, data, publishedAt).message;
  }
  // asyncpat-template:endif

  /** Stops intake; commands already queued are still served, then the hub closes. */
  close(): void {
    this.#commands.close();
  }

  async #request<T>(command: (reply: OneshotSender<Reply<T>>) => Command, options: RequestOptions): Promise<T> {
    const [reply, response] = oneshot<Reply<T>>();
    try {
      await this.#commands.send(command(reply), { signal: options.signal });
    } catch (error) {
      if (error instanceof ChannelClosedError) throw new BrokerClosedError();
      throw error;
    }
    let answer: Reply<T>;
    try {
      answer = await response.recv({ signal: options.signal });
    } catch (error) {
      // Tell the actor nobody is waiting, so it releases what it would have handed over.
      response.close();
      throw error;
    }
    if (!answer.ok) throw answer.error;
    return answer.value;
  }

  async #loop(): Promise<void> {
    try {
      for await (const command of this.#commands) this.#serve(command);
    } finally {
      this.#hub.close();
    }
  }

  #serve(command: Command): void {
    switch (command.kind) {
      case "publish": {
        // The caller gave up (its deadline passed while the command was queued): do not publish
        // behind its back, or its retry would publish the message twice.
        if (command.reply.closed) return;
        const outcome = attempt(() => this.#hub.publish(command.topic, command.data));
        command.reply.send(
          outcome.ok
            ? { ok: true, value: { topic: command.topic, seq: outcome.value.message.seq, receivers: outcome.value.receivers } }
            : outcome,
        );
        return;
      }
      case "subscribe": {
        if (command.reply.closed) return;
        const outcome = attempt(() => this.#hub.subscribe(command.topic, command.afterSeq));
        if (!command.reply.send(outcome) && outcome.ok) outcome.value.close();
        return;
      }
      case "state":
        command.reply.send(attempt(() => this.#hub.state(command.topic)));
        return;
      case "states":
        command.reply.send(attempt(() => this.#hub.states()));
        return;
    }
  }
}

function attempt<T>(fn: () => T): Reply<T> {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    return { ok: false, error };
  }
}
