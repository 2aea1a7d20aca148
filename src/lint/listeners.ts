import type { ConfiguredRule, InternalError } from "./types.js";

interface Handler<N> {
  ruleIndex: number;
  fn: (node: N) => void;
}

/**
 * The rules' listeners for one file, keyed by node kind, as both backends use them: a rule that
 * throws is recorded once as an internal error and not called again on this file, and time is
 * measured per rule when asked for.
 */
export class ListenerTable<Key, N> {
  private readonly enter = new Map<Key, Handler<N>[]>();
  private readonly exit = new Map<Key, Handler<N>[]>();
  private readonly failed = new Set<number>();

  constructor(
    private readonly rules: readonly ConfiguredRule[],
    private readonly filePath: string,
    private readonly internalErrors: InternalError[],
    private readonly timing: number[] | undefined,
  ) {}

  fail(ruleIndex: number, error: unknown): void {
    if (this.failed.has(ruleIndex)) return;
    this.failed.add(ruleIndex);
    const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
    this.internalErrors.push({ ruleId: this.rules[ruleIndex]!.rule.id, filePath: this.filePath, message });
  }

  /** Runs a rule's `create`, timed; undefined (and the rule marked failed) when it throws. */
  create<T>(ruleIndex: number, create: () => T): T | undefined {
    const started = this.timing ? performance.now() : 0;
    try {
      return create();
    } catch (error) {
      this.fail(ruleIndex, error);
      return undefined;
    } finally {
      if (this.timing) this.timing[ruleIndex]! += performance.now() - started;
    }
  }

  add(ruleIndex: number, key: Key, isExit: boolean, fn: (node: N) => void): void {
    const table = isExit ? this.exit : this.enter;
    const list = table.get(key) ?? [];
    list.push({ ruleIndex, fn });
    table.set(key, list);
  }

  get isEmpty(): boolean {
    return this.enter.size === 0 && this.exit.size === 0;
  }

  hasExit(key: Key): boolean {
    return this.exit.has(key);
  }

  /** Whether any rule listens for this kind, on the way in or out. */
  listensFor(key: Key): boolean {
    return this.enter.has(key) || this.exit.has(key);
  }

  onEnter(key: Key, node: N): void {
    this.dispatch(this.enter.get(key), node);
  }

  onExit(key: Key, node: N): void {
    this.dispatch(this.exit.get(key), node);
  }

  private dispatch(handlers: Handler<N>[] | undefined, node: N): void {
    if (!handlers) return;
    for (const handler of handlers) {
      if (this.failed.has(handler.ruleIndex)) continue;
      const started = this.timing ? performance.now() : 0;
      try {
        handler.fn(node);
      } catch (error) {
        this.fail(handler.ruleIndex, error);
      }
      if (this.timing) this.timing[handler.ruleIndex]! += performance.now() - started;
    }
  }
}
