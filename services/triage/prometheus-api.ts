/**
 * The slice of Prometheus's HTTP API that triage needs: instant queries. Every way it can go wrong (unreachable, not a
 * Prometheus, a query it rejects, a timeout) becomes an error that names the URL or the query, because the person
 * reading it is on call and needs to know whether to fix the command line or the monitoring host.
 */
import { z } from "zod";

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

const vectorResponse = z.object({
  status: z.literal("success"),
  data: z.object({
    resultType: z.literal("vector"),
    result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: z.tuple([z.number(), z.string()]) })),
  }),
});

const errorResponse = z.object({ status: z.literal("error"), errorType: z.string().optional(), error: z.string() });

export class PrometheusApiError extends Error {}

export interface PrometheusApiOptions {
  url: string;
  timeoutMs?: number;
}

export class PrometheusApi {
  private readonly base: string;
  private readonly timeoutMs: number;

  constructor(options: PrometheusApiOptions) {
    let parsed: URL;
    try {
      parsed = new URL(options.url);
    } catch {
      throw new PrometheusApiError(`--prometheus "${options.url}" is not a URL (expected e.g. http://127.0.0.1:9090)`);
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
      throw new PrometheusApiError(`--prometheus "${options.url}" must be http:// or https://`);
    }
    this.base = parsed.href.replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** An instant query evaluated at `atSeconds` (default: now). NaN and ±Inf samples are kept: "no rate" is information. */
  async query(expr: string, atSeconds?: number): Promise<Sample[]> {
    const body = new URLSearchParams({ query: expr, ...(atSeconds === undefined ? {} : { time: String(atSeconds) }) });
    const endpoint = `${this.base}/api/v1/query`;
    let res: Response;
    try {
      res = await fetch(endpoint, {
        method: "POST",
        body,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      const why = e.name === "TimeoutError" ? `no answer within ${this.timeoutMs} ms` : (e.cause?.code ?? e.cause?.message ?? e.message);
      throw new PrometheusApiError(`cannot reach Prometheus at ${this.base}: ${why}`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new PrometheusApiError(
        `${endpoint} answered HTTP ${res.status} ${res.headers.get("content-type") ?? ""} that is not JSON: is this a Prometheus? (${text.slice(0, 120)})`,
      );
    }
    const failed = errorResponse.safeParse(json);
    if (failed.success) throw new PrometheusApiError(`Prometheus rejected the query (${failed.data.errorType ?? "error"}: ${failed.data.error}): ${expr}`);
    const ok = vectorResponse.safeParse(json);
    if (!ok.success) throw new PrometheusApiError(`${endpoint} answered HTTP ${res.status} with no instant vector: is this a Prometheus? (${text.slice(0, 120)})`);
    return ok.data.data.result.map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
  }
}
