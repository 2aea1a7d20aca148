/**
 * A small Server-Sent Events client for the tests, on fetch: events are parsed as the test pulls
 * them, so nothing is buffered beyond one network chunk. Every connection has a deadline.
 */
export interface SseEvent {
  readonly event: string;
  readonly data: string;
  readonly id: string | undefined;
}

export class SseClient {
  readonly status: number;
  readonly headers: Headers;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #controller: AbortController;
  readonly #deadline: NodeJS.Timeout;
  readonly #decoder = new TextDecoder();
  #text = "";

  private constructor(response: Response, controller: AbortController, deadline: NodeJS.Timeout) {
    if (response.body === null) throw new Error("the SSE response has no body");
    this.status = response.status;
    this.headers = response.headers;
    this.#reader = response.body.getReader();
    this.#controller = controller;
    this.#deadline = deadline;
  }

  /** Opens a stream that is cut after `deadlineMs` whatever happens, so a test cannot hang on it. */
  static async connect(url: string, deadlineMs = 15_000): Promise<SseClient> {
    const controller = new AbortController();
    const deadline = setTimeout(() => controller.abort(new Error(`SSE stream ${url} still open after ${deadlineMs} ms`)), deadlineMs);
    try {
      const response = await fetch(url, { headers: { accept: "text/event-stream" }, signal: controller.signal });
      return new SseClient(response, controller, deadline);
    } catch (error) {
      clearTimeout(deadline);
      throw error;
    }
  }

  /** The next event (comments skipped), or undefined when the server ended the stream. */
  async next(): Promise<SseEvent | undefined> {
    for (;;) {
      const boundary = this.#text.indexOf("\n\n");
      if (boundary !== -1) {
        const block = this.#text.slice(0, boundary);
        this.#text = this.#text.slice(boundary + 2);
        const event = parseBlock(block);
        if (event !== undefined) return event;
        continue;
      }
      let chunk: Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>["read"]>>;
      try {
        chunk = await this.#reader.read();
      } catch (error) {
        if (this.#controller.signal.aborted) throw this.#controller.signal.reason;
        return undefined;
      }
      if (chunk.done) return undefined;
      this.#text += this.#decoder.decode(chunk.value, { stream: true });
    }
  }

  /** The next event of type `event`, skipping others. */
  async nextOf(event: string): Promise<SseEvent | undefined> {
    for (let next = await this.next(); next !== undefined; next = await this.next()) {
      if (next.event === event) return next;
    }
    return undefined;
  }

  close(): void {
    clearTimeout(this.#deadline);
    this.#controller.abort(new Error("closed by the test"));
  }
}

function parseBlock(block: string): SseEvent | undefined {
  let event = "message";
  let id: string | undefined;
  const data: string[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith(":") || line === "") continue;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
    else if (field === "id") id = value;
  }
  if (data.length === 0) return undefined;
  return { event, data: data.join("\n"), id };
}

/** fetch with a deadline. */
export function request(url: string, init: RequestInit = {}, timeoutMs = 10_000): Promise<Response> {
  return fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
}
