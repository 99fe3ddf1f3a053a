import { POLYGON_EXCHANGES } from "../../services/polymarket/exchanges";
import { parseListenerConfig, resolveProviderUrls } from "../../services/listener/config";
import { parseConfigArg } from "../../services/shared/cli-args";

const valid = {
  region: "eu-central",
  chain: { chainId: 137, blockTimeMs: 2000 },
  exchanges: POLYGON_EXCHANGES,
  providers: [
    { name: "alchemy", httpUrl: "https://polygon.example/v2/{apiKey}", wsUrl: "wss://polygon.example/v2/{apiKey}", apiKeyEnv: "ALCHEMY_KEY" },
    { name: "local", httpUrl: "http://127.0.0.1:8545", wsUrl: "ws://127.0.0.1:8545" },
  ],
  subscribersFile: "subscribers.json",
  bus: { kind: "nats", servers: ["nats://nats-1:4222"], shardCount: 8 },
};

function errorOf(raw: unknown): string {
  try {
    parseListenerConfig(raw, "listener.json");
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected the config to be rejected");
}

describe("listener config", () => {
  it("accepts a production-shaped config and fills defaults", () => {
    const config = parseListenerConfig(valid, "listener.json");
    expect(config.http).toEqual({ host: "127.0.0.1", port: 9464 });
    expect(config.killSwitch).toBe(false);
    expect(config.exchanges[2].layout).toBe("v2");
    expect(config.busyPollEventLoop).toBe(false);
  });

  it("busy-polls only an isolated event loop", () => {
    expect(errorOf({ ...valid, busyPollEventLoop: true })).toMatch(/listener\.json: busyPollEventLoop: busyPollEventLoop needs isolateEventLoopCpu/);
    expect(parseListenerConfig({ ...valid, busyPollEventLoop: true, isolateEventLoopCpu: true }, "x").busyPollEventLoop).toBe(true);
  });

  it("names the field of every mistake", () => {
    expect(errorOf({ ...valid, chain: { blockTimeMs: 10 } })).toBe("listener.json: chain.blockTimeMs: Too small: expected number to be >=50");
    expect(errorOf({ ...valid, providers: [{ ...valid.providers[1], wsUrl: "http://x" }] })).toMatch(/providers\.0\.wsUrl: must be a ws: or wss: URL/);
    expect(errorOf({ ...valid, providers: [valid.providers[1], valid.providers[1]] })).toMatch(/providers: provider names must be unique/);
    expect(errorOf({ ...valid, exchanges: [{ ...POLYGON_EXCHANGES[0], address: "0x12" }] })).toMatch(/exchanges\.0\.address: a 20-byte hex address/);
    expect(errorOf({ ...valid, bus: { kind: "nats", servers: ["nats://user:pw@nats-1:4222"], shardCount: 8 } })).toMatch(/bus\.servers\.0: nats:\/\/host:port without credentials/);
    expect(errorOf({ ...valid, extra: 1 })).toMatch(/listener\.json: \(root\): Unrecognized key: "extra"/);
  });

  it("fills {apiKey} from the environment and never puts the key in an error", () => {
    const [alchemy, local] = resolveProviderUrls(parseListenerConfig(valid, "x").providers, { ALCHEMY_KEY: "k/1" });
    expect(alchemy.httpUrl).toBe("https://polygon.example/v2/k%2F1");
    expect(local.wsUrl).toBe("ws://127.0.0.1:8545");
    expect(() => resolveProviderUrls(parseListenerConfig(valid, "x").providers, {})).toThrow(
      "providers.alchemy: environment variable ALCHEMY_KEY is empty or unset",
    );
  });

  it("CLI takes --config and nothing else", () => {
    expect(parseConfigArg(["--config", "/etc/polysync/listener.json"], "listener --config <file>")).toBe("/etc/polysync/listener.json");
    expect(() => parseConfigArg([], "listener --config <file>")).toThrow(/missing --config <file>\nusage: listener --config <file>/);
    expect(() => parseConfigArg(["--confg", "x"], "listener --config <file>")).toThrow(/Unknown option '--confg'/);
    expect(() => parseConfigArg(["--config", "a", "b"], "listener --config <file>")).toThrow(/usage/);
  });
});
