import { once } from "node:events";
import type { AddressInfo } from "node:net";
import WebSocket, { WebSocketServer } from "ws";
import { ProviderStatus } from "../../services/rpc/provider";
import { DEFAULT_WS_SESSION, WsSession, type WsSessionEvents } from "../../services/rpc/ws-session";

const LOGS_SUBSCRIPTION = "0x10";

/** A provider that answers the handshake and hands the test its socket, to send notifications on. */
async function startProvider(): Promise<{ url: string; client: Promise<WebSocket>; close(): Promise<void> }> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await once(server, "listening");
  const client = new Promise<WebSocket>((resolve) => {
    server.on("connection", (socket) => {
      socket.on("message", (data) => {
        const { id, method, params } = JSON.parse(data.toString()) as { id: number; method: string; params: unknown[] };
        const result = method === "eth_chainId" ? "0x89" : params[0] === "logs" ? LOGS_SUBSCRIPTION : "0x01";
        socket.send(JSON.stringify({ jsonrpc: "2.0", id, result }));
        if (params[0] === "logs") resolve(socket);
      });
    });
  });
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    client,
    close: () => new Promise((resolve) => {
      for (const socket of server.clients) socket.terminate();
      server.close(() => resolve());
    }),
  };
}

function notification(tag: string): string {
  return JSON.stringify({ jsonrpc: "2.0", method: "eth_subscription", params: { subscription: LOGS_SUBSCRIPTION, result: { tag } } });
}

describe("WsSession frame handling", () => {
  test("urgent frames of one socket read are handled first; the others follow in order, with the read's arrival time", async () => {
    const provider = await startProvider();
    const handled: { tag: string; atMs: number }[] = [];
    const events: WsSessionEvents = {
      head: () => {},
      log: (_provider, raw, atMs) => handled.push({ tag: (raw as { tag: string }).tag, atMs }),
      malformed: () => {},
      connected: () => {},
      disconnected: () => {},
      wrongChain: () => {},
    };
    const session = new WsSession(
      new ProviderStatus({ name: "p", httpUrl: "http://127.0.0.1:1", wsUrl: provider.url }),
      { ...DEFAULT_WS_SESSION, chainId: 137, logFilter: { address: [], topics: [] }, urgent: (text) => text.includes("leader") },
      events,
    );
    try {
      session.start();
      const socket = await provider.client;
      await new Promise((resolve) => setTimeout(resolve, 50));
      const tags = ["other-1", "leader-1", "other-2", "other-3", "leader-2", "other-4"];
      // One TCP write, so the client reads every frame in one chunk, as a provider's block burst arrives.
      const tcp = (socket as unknown as { _socket: { cork(): void; uncork(): void } })._socket;
      tcp.cork();
      for (const tag of tags) socket.send(notification(tag));
      tcp.uncork();
      const deadline = Date.now() + 5000;
      while (handled.length < tags.length && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(handled.map((h) => h.tag)).toEqual(["leader-1", "leader-2", "other-1", "other-2", "other-3", "other-4"]);
      expect(new Set(handled.map((h) => h.atMs)).size).toBe(1);
    } finally {
      session.stop();
      await provider.close();
    }
  });
});
