/** A signal that aborts when any of its sources does; `dispose()` detaches it from them. */
export interface LinkedSignal extends Disposable {
  readonly signal: AbortSignal;
  dispose(): void;
}

export function linkSignals(...sources: AbortSignal[]): LinkedSignal {
  const controller = new AbortController();
  const detach = (): void => {
    for (const source of sources) source.removeEventListener("abort", onAbort);
  };
  const onAbort = (event: Event): void => {
    detach();
    controller.abort((event.target as AbortSignal).reason);
  };
  const aborted = sources.find((source) => source.aborted);
  if (aborted !== undefined) controller.abort(aborted.reason);
  else for (const source of sources) source.addEventListener("abort", onAbort, { once: true });
  return {
    signal: controller.signal,
    dispose: detach,
    [Symbol.dispose]: detach,
  };
}

export class TimeoutError extends Error {
  override readonly name = "TimeoutError";

  constructor(readonly timeoutMs: number) {
    super(`The operation did not finish within ${timeoutMs} ms.`);
  }
}

/** `parent`, plus a deadline `ms` from now; `dispose()` clears the timer and the listener. */
export function withDeadline(parent: AbortSignal, ms: number): LinkedSignal {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new TimeoutError(ms)), ms);
  const linked = linkSignals(parent, deadline.signal);
  const dispose = (): void => {
    clearTimeout(timer);
    linked.dispose();
  };
  return { signal: linked.signal, dispose, [Symbol.dispose]: dispose };
}
