/**
 * Linking signals without `AbortSignal.any`: on Node 20 every `AbortSignal.any([..., long])`
 * registers a dependant on the long-lived signal that is never freed (nodejs/node#55351), so one
 * call per job grows memory for the life of the process. A linked signal here detaches from its
 * sources when disposed.
 */
export interface LinkedSignal extends Disposable {
  readonly signal: AbortSignal;
  dispose(): void;
}

export function linkSignals(...sources: (AbortSignal | undefined)[]): LinkedSignal {
  const present = sources.filter((source) => source !== undefined);
  const controller = new AbortController();
  const detach = (): void => {
    for (const source of present) source.removeEventListener("abort", onAbort);
  };
  const onAbort = (event: Event): void => {
    detach();
    controller.abort((event.target as AbortSignal).reason);
  };
  const aborted = present.find((source) => source.aborted);
  if (aborted !== undefined) controller.abort(aborted.reason);
  else for (const source of present) source.addEventListener("abort", onAbort, { once: true });
  return { signal: controller.signal, dispose: detach, [Symbol.dispose]: detach };
}

/** A signal that aborts after `ms`, linked to `sources`; `dispose()` clears the timer too. */
export function linkWithTimeout(ms: number, ...sources: (AbortSignal | undefined)[]): LinkedSignal & { readonly timedOut: () => boolean } {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new DOMException(`timed out after ${ms} ms`, "TimeoutError")), ms);
  const linked = linkSignals(timeout.signal, ...sources);
  const dispose = (): void => {
    clearTimeout(timer);
    linked.dispose();
  };
  return { signal: linked.signal, dispose, [Symbol.dispose]: dispose, timedOut: () => timeout.signal.aborted };
}
