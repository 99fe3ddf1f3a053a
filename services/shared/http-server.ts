import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";

export interface HealthReport {
  ok: boolean;
  detail: unknown;
}

export interface ServiceHttpOptions {
  host: string;
  port: number;
  registry: Registry;
  /** Process alive and its loops running. */
  health: () => HealthReport;
  /** Able to do its job now (for the listener: a healthy provider at the current head). */
  readiness: () => HealthReport;
}

export interface ServiceHttpServer {
  url: string;
  close(): Promise<void>;
}

/** /metrics, /healthz and /readyz for a service; JSON bodies so on-call can curl them and read why. */
export async function startServiceHttp(options: ServiceHttpOptions): Promise<ServiceHttpServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET") {
      res.writeHead(405).end();
      return;
    }
    if (path === "/metrics") {
      options.registry.metrics().then(
        (text) => res.writeHead(200, { "content-type": options.registry.contentType }).end(text),
        (err: Error) => res.writeHead(500).end(err.message),
      );
      return;
    }
    const report = path === "/healthz" ? options.health() : path === "/readyz" ? options.readiness() : undefined;
    if (!report) {
      res.writeHead(404).end();
      return;
    }
    res
      .writeHead(report.ok ? 200 : 503, { "content-type": "application/json" })
      .end(JSON.stringify({ ok: report.ok, detail: report.detail }, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) => reject(new Error(`cannot listen on ${options.host}:${options.port}: ${err.message}`)));
    server.listen(options.port, options.host, resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${address.port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
