import http from "node:http";
import type { AddressInfo } from "node:net";
import { ZodError } from "zod";
import { FAULT_KINDS, faultSchema, type FaultKind } from "./faults";
import { latencyUpdateSchema } from "./latency";
import type { ProviderProxy } from "./provider-proxy";

export interface ControlServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Handler = (params: string[], body: () => Promise<unknown>) => unknown;

/**
 * The control API (see README.md), JSON over HTTP on 127.0.0.1. It is the interface of the chaos harness, so routes
 * and payloads change only compatibly.
 */
export async function startControlServer(providers: readonly ProviderProxy[], options: { port?: number } = {}): Promise<ControlServer> {
  const byName = new Map(providers.map((provider) => [provider.name, provider]));
  const provider = (name: string): ProviderProxy => {
    const found = byName.get(name);
    if (!found) throw new HttpError(404, `unknown provider "${name}"; providers: ${[...byName.keys()].join(", ")}`);
    return found;
  };
  const faultKind = (kind: string): FaultKind => {
    if (!(FAULT_KINDS as readonly string[]).includes(kind)) throw new HttpError(404, `unknown fault kind "${kind}"; kinds: ${FAULT_KINDS.join(", ")}`);
    return kind as FaultKind;
  };

  const routes: { method: string; pattern: RegExp; handler: Handler }[] = [
    { method: "GET", pattern: /^\/providers$/, handler: () => ({ providers: providers.map((p) => p.info()) }) },
    { method: "GET", pattern: /^\/providers\/([^/]+)$/, handler: ([name]) => provider(name).info() },
    {
      method: "PUT",
      pattern: /^\/providers\/([^/]+)\/faults\/([^/]+)$/,
      handler: async ([name, kind], body) => {
        const target = provider(name);
        const params = await body();
        if (typeof params !== "object" || params === null || Array.isArray(params)) throw new HttpError(400, "body: expected a JSON object");
        if ("kind" in params && params.kind !== kind) throw new HttpError(400, `kind: "${String(params.kind)}" does not match the path ("${kind}")`);
        return target.setFault(faultSchema.parse({ ...params, kind: faultKind(kind) }));
      },
    },
    {
      method: "DELETE",
      pattern: /^\/providers\/([^/]+)\/faults\/([^/]+)$/,
      handler: ([name, kind]) => ({ cleared: provider(name).clearFault(faultKind(kind)) ? 1 : 0 }),
    },
    { method: "DELETE", pattern: /^\/providers\/([^/]+)\/faults$/, handler: ([name]) => ({ cleared: provider(name).clearFaults() }) },
    { method: "PUT", pattern: /^\/providers\/([^/]+)\/latency$/, handler: async ([name], body) => provider(name).setLatency(latencyUpdateSchema.parse(await body())) },
    {
      method: "DELETE",
      pattern: /^\/providers\/([^/]+)\/stats$/,
      handler: ([name]) => {
        provider(name).resetStats();
        return provider(name).stats();
      },
    },
    { method: "DELETE", pattern: /^\/faults$/, handler: () => ({ cleared: providers.reduce((sum, p) => sum + p.clearFaults(), 0) }) },
  ];

  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(payload));
    };
    const matching = routes.filter((route) => route.pattern.test(path));
    const route = matching.find((candidate) => candidate.method === req.method);
    if (!route) {
      if (matching.length === 0) return send(404, { error: `no route ${req.method} ${path}` });
      res.setHeader("allow", matching.map((candidate) => candidate.method).join(", "));
      return send(405, { error: `${req.method} not allowed on ${path}` });
    }
    const params = route.pattern.exec(path)!.slice(1).map(decodeURIComponent);
    Promise.resolve()
      .then(() => route.handler(params, () => readJson(req)))
      .then((payload) => send(200, payload))
      .catch((error: unknown) => {
        if (error instanceof HttpError) return send(error.status, { error: error.message });
        if (error instanceof ZodError) return send(400, { error: describeZodError(error), issues: error.issues });
        send(500, { error: error instanceof Error ? error.message : String(error) });
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stop: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** "field: message" per issue, so a bad body names the field, e.g. `lagBlocks: Too small: expected number to be >0`. */
export function describeZodError(error: ZodError): string {
  return error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join(".") : "body"}: ${issue.message}`).join("; ");
}

function readJson(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("error", reject);
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      if (text.trim() === "") return resolve({});
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(new HttpError(400, "body: invalid JSON"));
      }
    });
  });
}
