import http from "node:http";
import type { AddressInfo } from "node:net";
import { checkAnswer, type ProbedMethod } from "../../services/latency-exporter/answers";
import { probeRound, type ProbeObserver } from "../../services/latency-exporter/probes";
import { PROBE_METHODS } from "../../services/metrics/catalogue";
import { RpcError, jsonRpcErrorKind, statusErrorKind } from "../../services/rpc/errors";
import { waitFor } from "../support/wait";

const HEADER = {
  number: "0x10",
  hash: `0x${"ab".repeat(32)}`,
  parentHash: `0x${"cd".repeat(32)}`,
  logsBloom: `0x${"00".repeat(256)}`,
  timestamp: "0x6553f100",
};

/** What a fake provider does with one JSON-RPC method: answer a result, or reply with a raw HTTP response. */
type Behaviour = { result: unknown } | { status: number; body?: string; headers?: Record<string, string> } | "hang";

/** A real HTTP JSON-RPC endpoint on 127.0.0.1 whose answer per method the test decides. */
async function fakeProvider(behaviour: (method: string) => Behaviour) {
  const received: string[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      const { id, method } = JSON.parse(body) as { id: number; method: string };
      received.push(method);
      const b = behaviour(method);
      if (b === "hang") return;
      if ("result" in b) res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id, result: b.result }));
      else res.writeHead(b.status, b.headers).end(b.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

const healthy = (method: string): Behaviour =>
  ({ eth_chainId: { result: "0x89" }, eth_blockNumber: { result: "0x10" }, eth_getBlockByNumber: { result: HEADER }, eth_getLogs: { result: [] } })[
    method
  ] ?? { status: 404 };

/** Runs one probe round against a fake and returns what the observer saw, as `method:outcome` strings. */
async function round(behaviour: (method: string) => Behaviour, timeoutMs = 1000) {
  const fake = await fakeProvider(behaviour);
  const seen: string[] = [];
  const failures: RpcError[] = [];
  const observer: ProbeObserver = {
    sent: () => {},
    succeeded: (_p, method, seconds) => {
      expect(seconds).toBeGreaterThanOrEqual(0);
      seen.push(`${method}:ok`);
    },
    failed: (_p, method, error) => {
      failures.push(error);
      seen.push(`${method}:${error.kind}`);
    },
  };
  try {
    await probeRound({ name: "fake", httpUrl: fake.url }, { chainId: 137, exchanges: ["0xE111180000d2663C0091e4f400237545B87B996B"], timeoutMs, signal: new AbortController().signal }, observer);
  } finally {
    await fake.close();
  }
  return { seen, failures, received: fake.received };
}

describe("probe round classification (a real HTTP endpoint per case)", () => {
  it("a healthy provider: the chain check and all three methods succeed, one request after another", async () => {
    const { seen, received } = await round(healthy);
    expect(seen).toEqual(["eth_chainId", ...PROBE_METHODS].map((m) => `${m}:ok`));
    expect(received).toEqual(["eth_chainId", ...PROBE_METHODS]);
  });

  it("classifies 429, 5xx, other statuses, JSON-RPC errors, -32005 and timeouts", async () => {
    const cases: Array<[Behaviour, string]> = [
      [{ status: 429, headers: { "retry-after": "2" } }, "http_429"],
      [{ status: 503 }, "http_5xx"],
      [{ status: 401 }, "http_other"],
      [{ status: 200, body: '{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"header not found"}}' }, "rpc_error"],
      [{ status: 200, body: '{"jsonrpc":"2.0","id":1,"error":{"code":-32005,"message":"limit exceeded"}}' }, "http_429"],
      [{ status: 200, body: '{"jsonrpc":"2.0","id":1,"res' }, "malformed"],
      ["hang", "timeout"],
    ];
    for (const [behaviour, kind] of cases) {
      const { seen } = await round((m) => (m === "eth_getLogs" ? behaviour : healthy(m)), 200);
      expect({ behaviour, failed: seen.filter((s) => !s.endsWith(":ok")) }).toEqual({ behaviour, failed: [`eth_getLogs:${kind}`] });
    }
  });

  it("an unreachable provider is a network error, per method", async () => {
    const fake = await fakeProvider(healthy);
    await fake.close();
    const kinds: string[] = [];
    await probeRound(
      { name: "gone", httpUrl: fake.url },
      { chainId: 137, exchanges: [], timeoutMs: 500, signal: new AbortController().signal },
      { sent: () => {}, succeeded: () => {}, failed: (_p, m, e) => kinds.push(`${m}:${e.kind}`) },
    );
    expect(kinds).toEqual(["eth_chainId", ...PROBE_METHODS].map((m) => `${m}:network`));
  });

  it("a wrong chain id is wrong_chain and ends the round: nothing else is asked of that provider", async () => {
    const { seen, received, failures } = await round((m) => (m === "eth_chainId" ? { result: "0x1" } : healthy(m)));
    expect(seen).toEqual(["eth_chainId:wrong_chain"]);
    expect(received).toEqual(["eth_chainId"]);
    expect(failures[0].message).toBe("fake: eth_chainId answered 1, expected 137");
  });

  it("an answer of the wrong shape is malformed, and the message says which method answered what", async () => {
    const { seen, failures } = await round((m) =>
      m === "eth_getBlockByNumber" ? { result: { ...HEADER, hash: "0xnot-hex" } } : m === "eth_blockNumber" ? { result: 16 } : healthy(m),
    );
    expect(seen.filter((s) => !s.endsWith(":ok"))).toEqual(["eth_blockNumber:malformed", "eth_getBlockByNumber:malformed"]);
    expect(failures.map((f) => f.message)).toEqual([
      "fake: eth_blockNumber answered 16: not a hex quantity",
      expect.stringMatching(/^fake: eth_getBlockByNumber answered .*: block header field hash is not valid: "0xnot-hex"$/),
    ]);
  });

  it("a stopped exporter's round reports nothing more", async () => {
    const fake = await fakeProvider((m) => (m === "eth_blockNumber" ? "hang" : healthy(m)));
    const abort = new AbortController();
    const seen: string[] = [];
    const done = probeRound(
      { name: "fake", httpUrl: fake.url },
      { chainId: 137, exchanges: [], timeoutMs: 10_000, signal: abort.signal },
      { sent: (_p, m) => seen.push(`${m}:sent`), succeeded: (_p, m) => seen.push(`${m}:ok`), failed: (_p, m) => seen.push(`${m}:failed`) },
    );
    await waitFor("eth_blockNumber in flight", () => seen.includes("eth_blockNumber:sent"));
    abort.abort();
    await done;
    await fake.close();
    expect(seen).toEqual(["eth_chainId:sent", "eth_chainId:ok", "eth_blockNumber:sent"]);
  });
});

describe("answer checks", () => {
  const kindOf = (method: ProbedMethod, result: unknown) => {
    try {
      checkAnswer("p", method, result, 137);
      return "ok";
    } catch (err) {
      return (err as RpcError).kind;
    }
  };

  it("accepts well-formed answers and refuses the rest as malformed", () => {
    expect(kindOf("eth_chainId", "0x89")).toBe("ok");
    expect(kindOf("eth_chainId", "0x1")).toBe("wrong_chain");
    expect(kindOf("eth_chainId", null)).toBe("malformed");
    expect(kindOf("eth_blockNumber", "0x")).toBe("malformed");
    expect(kindOf("eth_getBlockByNumber", null)).toBe("malformed");
    expect(kindOf("eth_getLogs", [])).toBe("ok");
    expect(kindOf("eth_getLogs", [{ address: "0x1" }])).toBe("ok");
    expect(kindOf("eth_getLogs", "0xnot-hex")).toBe("malformed");
    expect(kindOf("eth_getLogs", [null])).toBe("malformed");
  });
});

describe("error kinds shared by HTTP and WebSocket", () => {
  it("maps statuses and JSON-RPC codes onto RPC_ERROR_KINDS", () => {
    expect([429, 500, 503, 599, 401, 404].map(statusErrorKind)).toEqual(["http_429", "http_5xx", "http_5xx", "http_5xx", "http_other", "http_other"]);
    expect([-32005, -32000, -32603, undefined].map(jsonRpcErrorKind)).toEqual(["http_429", "rpc_error", "rpc_error", "rpc_error"]);
  });
});
