/**
 * The topics of this process: one bounded broadcast channel per topic for the messages, and one
 * watch channel per topic for its latest state (message count, last message, subscribers).
 *
 * Everything here is synchronous and never waits: a broadcast `send` does not block on slow
 * subscribers (they lag instead), so publishing costs the same however many subscribers there are
 * and however slow they are.
 */
import { Broadcast, type BroadcastReceiver } from "./lib/broadcast.js";
import { type WatchReceiver, WatchSender } from "./lib/watch.js";

export interface Message {
  readonly topic: string;
  /** Position of the message in its topic, counted by this process from 1. */
  readonly seq: number;
  readonly data: string;
  readonly publishedAt: string;
}

export interface TopicState {
  readonly topic: string;
  readonly published: number;
  readonly subscribers: number;
  readonly last: Message | undefined;
}

export class TopicLimitError extends Error {
  override readonly name = "TopicLimitError";

  constructor(limit: number) {
    super(`The broker already holds its limit of ${limit} topics; publish to an existing topic or raise MAX_TOPICS.`);
  }
}

export interface HubOptions {
  /** Messages each topic keeps for subscribers that fall behind. */
  readonly capacity: number;
  /** Topics this process holds at most (each costs a ring buffer). */
  readonly maxTopics: number;
}

export interface Subscription extends Disposable {
  readonly topic: string;
  readonly receiver: BroadcastReceiver<Message>;
  /** Unsubscribes: frees the receiver and the buffer slots it held. Idempotent. */
  close(): void;
}

class Topic {
  readonly channel: Broadcast<Message>;
  readonly state: WatchSender<TopicState>;
  published = 0;

  constructor(
    readonly name: string,
    capacity: number,
  ) {
    this.channel = new Broadcast<Message>(capacity);
    this.state = new WatchSender<TopicState>({ topic: name, published: 0, subscribers: 0, last: undefined });
  }

  updateState(last: Message | undefined = this.state.borrow().last): void {
    this.state.send({ topic: this.name, published: this.published, subscribers: this.channel.receiverCount, last });
  }
}

export class TopicHub {
  readonly #options: HubOptions;
  readonly #topics = new Map<string, Topic>();
  #closed = false;

  constructor(options: HubOptions) {
    this.#options = options;
  }

  get topicCount(): number {
    return this.#topics.size;
  }

  /** Sends `data` to every current subscriber of `topic`; returns the message and how many got it. */
  publish(topic: string, data: string, now = new Date()): { message: Message; delivered: number } {
    const entry = this.#topic(topic);
    entry.published += 1;
    const message: Message = { topic, seq: entry.published, data, publishedAt: now.toISOString() };
    const delivered = entry.channel.send(message);
    entry.updateState(message);
    return { message, delivered };
  }

  subscribe(topic: string): Subscription {
    const entry = this.#topic(topic);
    const receiver = entry.channel.subscribe();
    entry.updateState();
    let open = true;
    const close = (): void => {
      if (!open) return;
      open = false;
      receiver.unsubscribe();
      if (!entry.state.closed) entry.updateState();
    };
    return { topic, receiver, close, [Symbol.dispose]: close };
  }

  /** The latest state of `topic`, or undefined if nothing was ever published or subscribed there. */
  state(topic: string): TopicState | undefined {
    return this.#topics.get(topic)?.state.borrow();
  }

  /** A watch on the state of `topic` (creating the topic): `changed()` wakes on every update. */
  watch(topic: string): WatchReceiver<TopicState> {
    return this.#topic(topic).state.subscribe();
  }

  states(): TopicState[] {
    return [...this.#topics.values()].map((entry) => entry.state.borrow());
  }

  /** Ends every subscription (receivers drain and then see `closed`) and every state watch. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const entry of this.#topics.values()) {
      entry.channel.close();
      entry.state.close();
    }
  }

  #topic(name: string): Topic {
    if (this.#closed) throw new Error("The topic hub is closed.");
    let entry = this.#topics.get(name);
    if (entry === undefined) {
      if (this.#topics.size >= this.#options.maxTopics) throw new TopicLimitError(this.#options.maxTopics);
      entry = new Topic(name, this.#options.capacity);
      this.#topics.set(name, entry);
    }
    return entry;
  }
}
