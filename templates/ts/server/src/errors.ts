/** An error that maps to an HTTP answer; anything else becomes a 500 with no details leaked. */
export class HttpError extends Error {
  override readonly name = "HttpError";

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/** Abort reason when a request outlives its deadline. */
export class DeadlineExceededError extends Error {
  override readonly name = "DeadlineExceededError";

  constructor(readonly deadlineMs: number) {
    super(`The request did not complete within its ${deadlineMs} ms deadline.`);
  }
}

/** Abort reason when the client disconnects before the response is sent. */
export class ClientClosedError extends Error {
  override readonly name = "ClientClosedError";

  constructor() {
    super("The client closed the connection before the response was sent.");
  }
}

/** Abort reason for requests still running when the shutdown deadline passes. */
export class ShutdownError extends Error {
  override readonly name = "ShutdownError";

  constructor() {
    super("The server is shutting down and the shutdown deadline has passed.");
  }
}
