import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DEFAULT_EXPORTER_PORT, loadExporterConfig, parseExporterConfig } from "../../services/latency-exporter/config";
import { resolveProviderUrls } from "../../services/listener/config";
import { POLYGON_EXCHANGES } from "../../services/polymarket/exchanges";

const VALID = {
  region: "eu-central",
  exchanges: POLYGON_EXCHANGES,
  chain: {},
  providers: [
    { name: "alchemy", httpUrl: "https://polygon-mainnet.g.alchemy.com/v2/{apiKey}", wsUrl: "wss://polygon-mainnet.g.alchemy.com/v2/{apiKey}", apiKeyEnv: "ALCHEMY_KEY" },
    { name: "local", httpUrl: "http://127.0.0.1:8545", wsUrl: "ws://127.0.0.1:8545" },
  ],
};

const withChange = (change: (c: Record<string, any>) => void) => {
  const config = JSON.parse(JSON.stringify(VALID));
  change(config);
  return config;
};

describe("latency exporter config", () => {
  it("fills defaults: Polygon, 2 s blocks, a probe round every 5 s with 2 s timeouts, metrics on 127.0.0.1:9466", () => {
    const config = parseExporterConfig(VALID, "exporter.json");
    expect(config.chain).toEqual({ chainId: 137, blockTimeMs: 2000 });
    expect(config.probe).toEqual({ intervalMs: 5000, timeoutMs: 2000 });
    expect(config.http).toEqual({ host: "127.0.0.1", port: DEFAULT_EXPORTER_PORT });
    expect(DEFAULT_EXPORTER_PORT).toBe(9466);
    expect(config.logLevel).toBe("info");
  });

  it("names every bad field by its path", () => {
    const bad = withChange((c) => {
      c.probe = { intervalMs: "soon", timeoutMs: 10 };
      c.providers[1].wsUrl = "http://127.0.0.1:8545";
      c.providers[0].apiKeyEnv = "alchemy-key";
      c.chain.chainId = -1;
      c.http = { port: 70_000 };
    });
    const message = (() => {
      try {
        parseExporterConfig(bad, "exporter.json");
        return "";
      } catch (err) {
        return (err as Error).message;
      }
    })();
    expect(message.split("\n")).toEqual([
      expect.stringMatching(/^exporter\.json: chain\.chainId: Too small/),
      "exporter.json: providers.0.apiKeyEnv: an environment variable name",
      "exporter.json: providers.1.wsUrl: must be a ws: or wss: URL",
      "exporter.json: probe.intervalMs: Invalid input: expected number, received string",
      expect.stringMatching(/^exporter\.json: probe\.timeoutMs: Too small: expected number to be >=50/),
      expect.stringMatching(/^exporter\.json: http\.port: Too big/),
    ]);
  });

  it("refuses unknown fields, no exchanges and duplicate provider names", () => {
    expect(() => parseExporterConfig(withChange((c) => (c.probe = { intervalMS: 100 })), "x.json")).toThrow(/x\.json: probe: Unrecognized key: "intervalMS"/);
    expect(() => parseExporterConfig(withChange((c) => (c.exchanges = [])), "x.json")).toThrow(/x\.json: exchanges: Too small/);
    expect(() => parseExporterConfig(withChange((c) => (c.providers[1].name = "alchemy")), "x.json")).toThrow(
      /x\.json: providers: provider names must be unique/,
    );
  });

  it("reads a file and names the file when it is not JSON", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "exporter-config-"));
    try {
      const good = path.join(dir, "good.json");
      writeFileSync(good, JSON.stringify(VALID));
      expect(loadExporterConfig(good).region).toBe("eu-central");
      const broken = path.join(dir, "broken.json");
      writeFileSync(broken, "{ region: ");
      expect(() => loadExporterConfig(broken)).toThrow(new RegExp(`^${broken}: cannot read latency exporter config: `));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fills {apiKey} from the named variable, and a missing one names the provider and variable, never a value", () => {
    const { providers } = parseExporterConfig(VALID, "exporter.json");
    const [alchemy, local] = resolveProviderUrls(providers, { ALCHEMY_KEY: "k/ey" });
    expect(alchemy.httpUrl).toBe("https://polygon-mainnet.g.alchemy.com/v2/k%2Fey");
    expect(local.wsUrl).toBe("ws://127.0.0.1:8545");
    expect(() => resolveProviderUrls(providers, {})).toThrow("providers.alchemy: environment variable ALCHEMY_KEY is empty or unset");
  });
});
