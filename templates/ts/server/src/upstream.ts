import { HttpError } from "./errors.js";

export interface UpstreamCallOptions {
  /** The request's deadline signal: the outbound call is cancelled with it. */
  readonly signal: AbortSignal;
  /** Forwarded as `x-request-id`, so both services log the same ID. */
  readonly requestId: string;
  /** Largest response body read into memory. */
  readonly maxBytes: number;
}

/**
 * GETs JSON from an upstream service. The caller's signal is the deadline: when the request that
 * made this call times out or its client goes away, the outbound request is aborted too, so no
 * socket is left working for an answer nobody will read.
 */
export async function getUpstreamJson(url: URL, options: UpstreamCallOptions): Promise<unknown> {
  const response = await fetch(url, {
    headers: { accept: "application/json", "x-request-id": options.requestId },
    signal: options.signal,
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw new HttpError(502, "upstream_error", `The upstream service answered ${response.status}.`);
  }
  const text = await readCapped(response, options.maxBytes);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(502, "upstream_invalid_json", "The upstream service answered with invalid JSON.");
  }
}

async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const reader = response.body?.getReader();
  if (reader === undefined) return "";
  const decoder = new TextDecoder();
  let size = 0;
  let text = "";
  try {
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      size += chunk.value.byteLength;
      if (size > maxBytes) {
        throw new HttpError(502, "upstream_too_large", `The upstream response exceeds ${maxBytes} bytes.`);
      }
      text += decoder.decode(chunk.value, { stream: true });
    }
    return text + decoder.decode();
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
