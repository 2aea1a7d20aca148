/**
 * Runs `task` with an AbortSignal that fires on SIGINT or SIGTERM. While it runs, the signals do not
 * kill the process: the writer removes its temporary folder and the installer stops its child first,
 * then the task rejects with InterruptedError (exit 130).
 */
export async function withInterruptSignal<T>(task: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (): void => controller.abort();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    return await task(controller.signal);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
