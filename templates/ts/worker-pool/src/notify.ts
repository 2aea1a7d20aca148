/**
 * Tokio's `Notify`: `notifyOne()` wakes the task waiting in `notified()`, or, when none is waiting
 * yet, leaves a permit so the next `notified()` returns at once. A wake-up sent between a check and
 * the wait is therefore never missed.
 */
export class Notify {
  #permit = false;
  #waiter: (() => void) | undefined;

  notifyOne(): void {
    const waiter = this.#waiter;
    if (waiter === undefined) {
      this.#permit = true;
      return;
    }
    this.#waiter = undefined;
    waiter();
  }

  notified(): Promise<void> {
    if (this.#permit) {
      this.#permit = false;
      return Promise.resolve();
    }
    if (this.#waiter !== undefined) return Promise.reject(new Error("notified() is already waiting"));
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }
}
