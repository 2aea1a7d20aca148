/**
 * One Server-Sent Events stream: a subscription's messages written to one HTTP response.
 *
 * The buffer per connection is bounded twice. Messages wait in the topic's ring (a subscriber that
 * falls more than `TOPIC_CAPACITY` behind gets a `lagged` event saying how many it missed), and
 * bytes wait in the socket only up to its high-water mark: when `res.write()` returns false the
 * loop stops reading until 'drain'. A client that leaves its socket full for longer than
 * `slowConsumerTimeoutMs` cannot keep up and is disconnected.
 */
import { once } from "node:events";
import type { ServerResponse } from "node:http";
import type { Subscription } from "./hub.js";
import { linkSignals, linkWithTimeout } from "./signals.js";

export interface StreamOptions {
  readonly heartbeatMs: number;
  readonly slowConsumerTimeoutMs: number;
  /** Aborted when the server shuts down: the stream says goodbye and ends. */
  readonly shutdown: AbortSignal;
  /** Told how many messages this subscriber missed each time it lagged (for the lag metric). */
  readonly onLagged?: (skipped: number) => void;
}

/** Why a stream ended. */
export type StreamEnd = "client-closed" | "slow-consumer" | "shutdown" | "topic-closed";

export async function streamSubscription(
  res: ServerResponse,
  subscription: Subscription,
  options: StreamOptions,
): Promise<StreamEnd> {
  const clientGone = new AbortController();
  const onClose = (): void => clientGone.abort();
  res.once("close", onClose);
  const stopping = linkSignals(clientGone.signal, options.shutdown);
  const stop = stopping.signal;
  const stopped = (): StreamEnd => (options.shutdown.aborted ? "shutdown" : "client-closed");
  try {
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      // The connection ends with the stream: nothing waits in keep-alive after a shutdown.
      connection: "close",
      "x-accel-buffering": "no",
    });
    let written = await send(res, `retry: 2000\n: subscribed to ${subscription.topic}\n\n`, stop, options);
    // A client resuming with Last-Event-ID first gets what it missed, or how much is gone.
    if (written === "ok" && subscription.missed > 0) {
      options.onLagged?.(subscription.missed);
      written = await send(res, `event: lagged\ndata: ${JSON.stringify({ skipped: subscription.missed })}\n\n`, stop, options);
    }
    for (const message of subscription.replay) {
      if (written !== "ok") break;
      written = await send(res, messageFrame(message), stop, options);
    }
    while (written === "ok") {
      const next = await receiveOrHeartbeat(subscription, stop, options.heartbeatMs);
      if (next === "stopped") break;
      let frame: string;
      switch (next.kind) {
        case "heartbeat":
          frame = ": keep-alive\n\n";
          break;
        case "message":
          frame = messageFrame(next.value);
          break;
        case "lagged":
          options.onLagged?.(next.skipped);
          frame = `event: lagged\ndata: ${JSON.stringify({ skipped: next.skipped })}\n\n`;
          break;
        case "closed":
          res.end("event: close\ndata: {}\n\n");
          return "topic-closed";
      }
      written = await send(res, frame, stop, options);
    }
    if (written === "slow-consumer") return written;
    const reason = stopped();
    if (reason === "shutdown" && !res.destroyed) {
      // Messages accepted before the shutdown and queued for this subscriber go out first.
      // The flush waits for 'drain' like any write (a client gone or too slow ends it), bounded by
      // the topic's capacity.
      const flushing = linkSignals(clientGone.signal);
      let flushed: "ok" | "stopped" | "slow-consumer" = "ok";
      for (let next = subscription.receiver.tryRecv(); flushed === "ok" && (next.kind === "message" || next.kind === "lagged"); next = subscription.receiver.tryRecv()) {
        if (next.kind === "lagged") options.onLagged?.(next.skipped);
        const frame = next.kind === "message" ? messageFrame(next.value) : `event: lagged\ndata: ${JSON.stringify({ skipped: next.skipped })}\n\n`;
        flushed = await send(res, frame, flushing.signal, options);
      }
      flushing.dispose();
      if (flushed === "slow-consumer") return flushed;
      if (!res.destroyed) res.end("event: shutdown\ndata: {}\n\n");
    }
    return reason;
  } finally {
    stopping.dispose();
    res.off("close", onClose);
    subscription.close();
    // A client that went away leaves a half-open socket (HTTP servers allow half-open): close it.
    if (!res.writableEnded) res.destroy();
  }
}

function messageFrame(message: Subscription["replay"][number]): string {
  return `id: ${message.seq}\nevent: message\ndata: ${JSON.stringify(message)}\n\n`;
}

type Next =
  | { readonly kind: "heartbeat" }
  | Awaited<ReturnType<Subscription["receiver"]["recv"]>>
  | "stopped";

async function receiveOrHeartbeat(subscription: Subscription, stop: AbortSignal, heartbeatMs: number): Promise<Next> {
  // One linked signal per wait, disposed after it: AbortSignal.any here would leave a dependant on
  // the stream's signal for every message (nodejs/node#55351).
  const wait = linkWithTimeout(heartbeatMs, stop);
  try {
    return await subscription.receiver.recv({ signal: wait.signal });
  } catch (error) {
    if (stop.aborted) return "stopped";
    if (wait.timedOut()) return { kind: "heartbeat" };
    throw error;
  } finally {
    wait.dispose();
  }
}

/**
 * Writes one frame, waiting for 'drain' when the socket is full. "slow-consumer" means the client
 * left its socket full past the timeout, and the socket was destroyed; "stopped" means the client
 * went away or the server is shutting down.
 */
async function send(
  res: ServerResponse,
  frame: string,
  stop: AbortSignal,
  options: StreamOptions,
): Promise<"ok" | "stopped" | "slow-consumer"> {
  if (stop.aborted || res.destroyed) return "stopped";
  if (res.write(frame)) return "ok";
  const wait = linkWithTimeout(options.slowConsumerTimeoutMs, stop);
  try {
    await once(res, "drain", { signal: wait.signal });
    return "ok";
  } catch (error) {
    if (stop.aborted) return "stopped";
    if (wait.timedOut()) {
      res.destroy();
      return "slow-consumer";
    }
    throw error;
  } finally {
    wait.dispose();
  }
}
