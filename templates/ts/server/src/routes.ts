import type { IncomingMessage } from "node:http";
import type { Config } from "./config.js";
import { HttpError } from "./errors.js";
import type { Logger } from "./log.js";
import { getUpstreamJson } from "./upstream.js";

export interface RequestContext {
  readonly req: IncomingMessage;
  readonly url: URL;
  /** The caller's `x-request-id` when it sent a usable one, else a new UUID; echoed in the response. */
  readonly requestId: string;
  /** Aborts at the request deadline, when the client disconnects, or at forced shutdown. Pass it to every outbound call. */
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** Reads the JSON body within the body limit and the deadline. */
  readJson(): Promise<unknown>;
}

export interface Reply {
  readonly status?: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface Route {
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  readonly path: string;
  /** Probes bypass the concurrency limit so the orchestrator can still reach them under load. */
  readonly probe?: boolean;
  readonly handler: (ctx: RequestContext) => Promise<Reply>;
}

export interface RouteState {
  readonly draining: () => boolean;
}

export function createRoutes(config: Config, state: RouteState): Route[] {
  return [
    {
      method: "GET",
      path: "/healthz",
      probe: true,
      handler: async () => ({ body: { status: "ok" } }),
    },
    {
      method: "GET",
      path: "/readyz",
      probe: true,
      handler: async () =>
        state.draining() ? { status: 503, body: { status: "draining" } } : { body: { status: "ready" } },
    },
    {
      method: "POST",
      path: "/v1/echo",
      handler: async (ctx) => ({ body: { received: await ctx.readJson() } }),
    },
    {
      method: "GET",
      path: "/v1/upstream",
      handler: async (ctx) => {
        if (config.upstreamUrl === undefined) {
          throw new HttpError(503, "upstream_not_configured", "Set UPSTREAM_URL to enable this route.");
        }
        const data = await getUpstreamJson(config.upstreamUrl, {
          signal: ctx.signal,
          requestId: ctx.requestId,
          maxBytes: config.maxUpstreamBodyBytes,
        });
        return { body: { upstream: data } };
      },
    },
  ];
}
