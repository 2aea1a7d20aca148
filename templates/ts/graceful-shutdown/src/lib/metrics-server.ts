/**
 * A small HTTP listener for operators, apart from the service's own input: GET /metrics
 * (Prometheus text), GET /healthz (the process answers) and GET /readyz (503 once the shutdown has
 * begun). Off unless METRICS_PORT is set. It has no connection cap and no shedding, so a scrape or a
 * probe is answered however busy the service is, and it closes last, so the shutdown figures can be
 * scraped while the drain runs.
 */
import { createServer, type Server } from "node:http";
import { once } from "node:events";
import type { AddressInfo } from "node:net";

/** What /metrics serves: a prom-client `Registry` is one (no import of prom-client needed here). */
export interface MetricsSource {
  metrics(): Promise<string>;
  readonly contentType: string;
}

export interface MetricsServerOptions {
  readonly host: string;
  /** 0 picks a free port (tests); the bound port is in `address`. */
  readonly port: number;
  readonly registry: MetricsSource;
  /** False once the service stops taking work: /readyz answers 503. */
  readonly ready: () => boolean;
  /** Called when a scrape fails (the answer is a 500). */
  readonly onError: (error: unknown) => void;
}

export interface MetricsServer {
  readonly address: AddressInfo;
  /** Stops listening and ends the open connections (idle or not): only probes and scrapes use them. */
  close(): Promise<void>;
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const { registry, ready, onError } = options;
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?", 1)[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain; charset=utf-8" }).end("method not allowed\n");
      return;
    }
    switch (path) {
      case "/healthz":
        res.writeHead(200, { "content-type": "text/plain; charset=utf-8" }).end("ok\n");
        return;
      case "/readyz": {
        const isReady = ready();
        res.writeHead(isReady ? 200 : 503, { "content-type": "text/plain; charset=utf-8" }).end(isReady ? "ready\n" : "shutting down\n");
        return;
      }
      case "/metrics":
        registry.metrics().then(
          (text) => {
            res.writeHead(200, { "content-type": registry.contentType }).end(text);
          },
          (error: unknown) => {
            onError(error);
            res.writeHead(500, { "content-type": "text/plain; charset=utf-8" }).end("metrics unavailable\n");
          },
        );
        return;
      default:
        res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found\n");
    }
  });
  // Probes and scrapes are short: a slow or silent client must not hold a socket for long.
  server.headersTimeout = 5_000;
  server.requestTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  server.listen(options.port, options.host);
  await once(server, "listening");
  return {
    address: server.address() as AddressInfo,
    close: () =>
      new Promise<void>((resolve) => {
        // Closing every connection first means nothing holds the close back.
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
