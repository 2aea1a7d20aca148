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
    super(`The broker holds its limit of ${limit} topics, each with subscribers or watchers; retry later or raise MAX_TOPICS.`);
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
  /** Messages after the `afterSeq` given to `subscribe`, oldest first, to send before the live ones. */
  readonly replay: readonly Message[];
  /** Messages after `afterSeq` that are no longer kept (the resuming subscriber missed them). */
  readonly missed: number;
  /** Unsubscribes: frees the receiver and the buffer slots it held. Idempotent. */
  close(): void;
}

class Topic {
  readonly channel: Broadcast<Message>;
  readonly state: WatchSender<TopicState>;
  /** The last `capacity` messages, for a subscriber that resumes with `Last-Event-ID`. */
  readonly recent: Message[] = [];
  published = 0;

  constructor(
    readonly name: string,
    readonly capacity: number,
  ) {
    this.channel = new Broadcast<Message>(capacity);
    this.state = new WatchSender<TopicState>({ topic: name, published: 0, subscribers: 0, last: undefined });
  }

  /** Nobody listens: the topic can be evicted to make room for another. */
  get idle(): boolean {
    return this.channel.receiverCount === 0 && this.state.receiverCount === 0;
  }

  remember(message: Message): void {
    this.recent.push(message);
    if (this.recent.length > this.capacity) this.recent.shift();
  }

  updateState(last: Message | undefined = this.state.borrow().last): void {
    this.state.send({ topic: this.name, published: this.published, subscribers: this.channel.receiverCount, last });
  }
}

export class TopicHub {
  readonly #options: HubOptions;
  readonly #topics = new Map<string, Topic>();
  /** Idle topics dropped to make room for new ones. */
  evicted = 0;
  #closed = false;

  constructor(options: HubOptions) {
    this.#options = options;
  }

  get topicCount(): number {
    return this.#topics.size;
  }

  /**
   * Sends `data` to every current subscriber of `topic`; returns the message and `receivers`, the
   * number of subscribers at send time (queued for each, not yet read by any).
   */
  publish(topic: string, data: string, now = new Date()): { message: Message; receivers: number } {
    const entry = this.#topic(topic);
    entry.published += 1;
    const message: Message = { topic, seq: entry.published, data, publishedAt: now.toISOString() };
    const receivers = entry.channel.send(message);
    entry.remember(message);
    entry.updateState(message);
    return { message, receivers };
  }

  /** Subscribes to `topic`; with `afterSeq` (a resuming client's Last-Event-ID), what it missed is replayed first. */
  subscribe(topic: string, afterSeq?: number): Subscription {
    const entry = this.#topic(topic);
    const replay = afterSeq === undefined ? [] : entry.recent.filter((message) => message.seq > afterSeq);
    const oldestKept = replay[0]?.seq ?? entry.published + 1;
    const missed = afterSeq === undefined ? 0 : Math.max(0, Math.min(oldestKept, entry.published + 1) - afterSeq - 1);
    const receiver = entry.channel.subscribe();
    entry.updateState();
    let open = true;
    const close = (): void => {
      if (!open) return;
      open = false;
      receiver.unsubscribe();
      if (!entry.state.closed) entry.updateState();
    };
    return { topic, receiver, replay, missed, close, [Symbol.dispose]: close };
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
    if (entry !== undefined) {
      // Map order is least recently used first: move the topic to the end.
      this.#topics.delete(name);
      this.#topics.set(name, entry);
      return entry;
    }
    if (this.#topics.size >= this.#options.maxTopics) this.#evictIdle();
    entry = new Topic(name, this.#options.capacity);
    this.#topics.set(name, entry);
    return entry;
  }

  /**
   * Makes room by dropping the least recently used topic nobody subscribes to or watches, so
   * publishes to throwaway topics cannot use up MAX_TOPICS. Only when every topic has a listener
   * is the new one refused.
   */
  #evictIdle(): void {
    for (const [name, entry] of this.#topics) {
      if (!entry.idle) continue;
      this.#topics.delete(name);
      entry.channel.close();
      entry.state.close();
      this.evicted += 1;
      return;
    }
    throw new TopicLimitError(this.#options.maxTopics);
  }
}
