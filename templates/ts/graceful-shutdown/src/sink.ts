import { open } from "node:fs/promises";

/** Where results go. The consumer is its only writer, so writes never interleave. */
export interface Sink {
  write(record: unknown): Promise<void>;
  /** Flushes and releases the resource; the last step of shutdown. */
  close(): Promise<void>;
}

/** Appends one JSON object per line to a file, kept open for the life of the service. */
export async function openFileSink(path: string): Promise<Sink> {
  const handle = await open(path, "a");
  return {
    write: (record) => handle.appendFile(`${JSON.stringify(record)}\n`),
    close: async () => {
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    },
  };
}
