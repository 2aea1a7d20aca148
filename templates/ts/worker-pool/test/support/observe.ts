/** Watches a promise without awaiting it yet: its outcome is handled from the start. */
export function observe<T>(promise: Promise<T>): { readonly settled: boolean; readonly result: Promise<PromiseSettledResult<T>> } {
  let settled = false;
  const result = promise.then(
    (value): PromiseSettledResult<T> => {
      settled = true;
      return { status: "fulfilled", value };
    },
    (reason: unknown): PromiseSettledResult<T> => {
      settled = true;
      return { status: "rejected", reason };
    },
  );
  return {
    get settled() {
      return settled;
    },
    result,
  };
}
