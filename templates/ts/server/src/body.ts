import type { IncomingMessage } from "node:http";
import { HttpError } from "./errors.js";

export function payloadTooLarge(limit: number): HttpError {
  return new HttpError(413, "payload_too_large", `The request body exceeds the limit of ${limit} bytes.`, {
    connection: "close",
  });
}

/** Rejects at once when the declared Content-Length is over the limit, before reading anything. */
export function checkDeclaredLength(req: IncomingMessage, limit: number): void {
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) > limit) throw payloadTooLarge(limit);
}

/**
 * Reads the request body into memory, never holding more than `limit` bytes: a chunked body that
 * grows past it is refused with 413 as soon as it does. Stops waiting when `signal` aborts.
 */
export function readBody(req: IncomingMessage, limit: number, signal: AbortSignal): Promise<Buffer> {
  checkDeclaredLength(req, limit);
  if (signal.aborted) return Promise.reject(signal.reason);
  if (req.readableEnded) return Promise.resolve(Buffer.alloc(0));

  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error: unknown, body?: Buffer): void => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onClose);
      signal.removeEventListener("abort", onAbort);
      if (body === undefined) reject(error);
      else resolve(body);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        finish(payloadTooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish(undefined, Buffer.concat(chunks, size));
    const onError = (error: Error): void => finish(error);
    const onClose = (): void => finish(new HttpError(400, "incomplete_body", "The request body ended early."));
    const onAbort = (): void => finish(signal.reason);
    req.on("data", onData);
    req.once("end", onEnd);
    req.once("error", onError);
    req.once("close", onClose);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Reads and parses a JSON body; 415 for another content type, 400 for malformed JSON. */
export async function readJson(req: IncomingMessage, limit: number, signal: AbortSignal): Promise<unknown> {
  const type = req.headers["content-type"] ?? "";
  if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) {
    throw new HttpError(415, "unsupported_media_type", "Send the body as application/json.");
  }
  const body = await readBody(req, limit, signal);
  try {
    return JSON.parse(body.toString("utf8")) as unknown;
  } catch {
    throw new HttpError(400, "invalid_json", "The request body is not valid JSON.");
  }
}
