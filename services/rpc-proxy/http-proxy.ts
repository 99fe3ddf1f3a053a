import http from "node:http";
import { latencyFaultDelay, messageVerdict, type FaultSet, type MessageVerdict } from "./faults";
import { sampleLatency } from "./latency";
import { RPC_ERROR, isResponse, parseJson, parseRequests, type JsonRpcResponse, type ParsedRequests } from "./json-rpc";
import { invalidJsonText } from "./call-plan";
import { assembleResponses, errorResponses, planMessage, serializeResponses } from "./message-plan";
import type { ProviderContext } from "./provider-context";

const MAX_BODY_BYTES = 16 * 1024 * 1024;

interface Reply {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

/**
 * JSON-RPC over HTTP POST: faults decide per message, the forwarded calls go to the upstream in one request, and the
 * answer waits for the provider's latency. `stopping` aborts held and delayed requests when the provider stops.
 */
export class HttpProxy {
  private readonly agent = new http.Agent({ keepAlive: true });

  constructor(
    private readonly ctx: ProviderContext,
    private readonly stopping: AbortSignal,
  ) {}

  handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const gone = new AbortController();
    res.on("close", () => gone.abort());
    const signal = AbortSignal.any([gone.signal, this.stopping]);
    this.answer(req, signal)
      .then((reply) => {
        if (!reply || signal.aborted) return;
        res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
        res.end(reply.body);
      })
      .catch((error: unknown) => {
        if (signal.aborted) return;
        res.writeHead(502, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: `rpc-proxy: ${error instanceof Error ? error.message : String(error)}` }));
      });
  }

  close(): void {
    this.agent.destroy();
  }

  /** `undefined` when the client left (or the provider stopped) while the request was held. */
  private async answer(req: http.IncomingMessage, signal: AbortSignal): Promise<Reply | undefined> {
    if (req.method !== "POST") return { status: 405, body: JSON.stringify({ error: "JSON-RPC needs POST" }), headers: { allow: "POST" } };
    const body = await readBody(req);
    const { faults: store, stats, rng } = this.ctx;
    stats.httpRequest();
    const parsed = parseRequests(body);
    const methods = parsed ? parsed.requests.map((request) => request.method) : ["(invalid)"];
    stats.calls(methods);

    let verdict = messageVerdict(store.current(), "http", methods, rng);
    // A stalled node holds the request; once the stall clears it is answered, by then usually to nobody.
    while (verdict?.kind === "stall") {
      stats.faults(["stall"]);
      if (!(await store.whenCleared("stall", signal))) return undefined;
      verdict = messageVerdict(store.current(), "http", methods, rng);
    }
    const faults = store.current();
    const extraMs = latencyFaultDelay(faults, "http", methods, rng);
    if (extraMs !== undefined) stats.faults(["latency"]);
    const delayMs = sampleLatency(this.ctx.latency().http, rng) + (extraMs ?? 0);

    let reply: Reply;
    if (verdict) reply = this.rejection(verdict, parsed);
    // Not JSON-RPC: the upstream produces its own error.
    else if (!parsed) reply = await this.post(body, signal);
    else reply = await this.forward(parsed, faults, signal);
    if (delayMs > 0) await sleep(delayMs, signal);
    return reply;
  }

  private rejection(verdict: Exclude<MessageVerdict, { kind: "stall" } | undefined>, parsed: ParsedRequests | undefined): Reply {
    this.ctx.stats.faults([verdict.kind]);
    if (verdict.kind === "http-5xx") {
      return { status: verdict.fault.status, body: JSON.stringify({ error: `upstream unavailable (${verdict.fault.status})` }) };
    }
    const requests = parsed?.requests ?? [{ jsonrpc: "2.0", id: null, method: "(invalid)" }];
    return {
      status: 429,
      body: serializeResponses(parsed?.batch ?? false, errorResponses(requests, RPC_ERROR.rateLimited, "rate limited")),
      headers: { "retry-after": String(verdict.fault.retryAfterSeconds) },
    };
  }

  /** Forwards the calls the faults leave to the upstream in one request (ids replaced by their index) and assembles the answer. */
  private async forward(parsed: ParsedRequests, faults: FaultSet, signal: AbortSignal): Promise<Reply> {
    const plan = await planMessage(parsed.requests, { faults, transport: "http", rng: this.ctx.rng, upstreamHead: () => this.ctx.head.next() });
    this.ctx.stats.faults(plan.applied);
    const forwarded = plan.calls.flatMap((call, index) => (call.forward ? [{ ...call.forward, ...(call.forward.id !== undefined && { id: index }) }] : []));
    let upstreamAnswers = new Map<number, JsonRpcResponse>();
    if (forwarded.length > 0) {
      const upstream = await this.post(JSON.stringify(parsed.batch ? forwarded : forwarded[0]), signal);
      const answers = responsesById(upstream.body);
      // An upstream HTTP error or a non-JSON-RPC answer goes back as it came.
      if (upstream.status !== 200 || !answers) return upstream;
      upstreamAnswers = answers;
    }
    const text = serializeResponses(parsed.batch, assembleResponses(parsed.requests, plan.calls, (index) => upstreamAnswers.get(index)));
    return { status: 200, body: plan.invalidJson ? invalidJsonText(text) : text };
  }

  private post(body: string, signal: AbortSignal): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const request = http.request(
        this.ctx.upstream.httpUrl,
        { method: "POST", agent: this.agent, headers: { "content-type": "application/json" }, signal },
        (response) => {
          readBody(response).then((text) => resolve({ status: response.statusCode ?? 502, body: text }), reject);
        },
      );
      request.on("error", reject);
      request.end(body);
    });
  }
}

function responsesById(body: string): Map<number, JsonRpcResponse> | undefined {
  const value = parseJson(body);
  const list = Array.isArray(value) ? value : [value];
  if (!list.every(isResponse)) return undefined;
  return new Map(list.filter((answer) => typeof answer.id === "number").map((answer) => [answer.id as number, answer]));
}

function readBody(stream: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) stream.destroy(new Error(`body larger than ${MAX_BODY_BYTES} bytes`));
      else chunks.push(chunk);
    });
    stream.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    stream.on("error", reject);
  });
}

/** Resolves after `ms`, or early (without error) when `signal` aborts; callers check the signal afterwards. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });
}
