import pino from "pino";
import { startLocalStack } from "../../services/local-stack/stack";
import { TEST_SUBSCRIBERS } from "../support/listener-stack";
import { waitFor } from "../support/wait";
import { PROVIDERS } from "./exporter-stack";

jest.setTimeout(60_000);

describe("local stack with the latency exporter", () => {
  it("runs an exporter on the region's four providers, serves its metrics URL, and stops it with the stack", async () => {
    const stack = await startLocalStack({
      blockTimeMs: 300,
      subscribers: TEST_SUBSCRIBERS,
      log: pino({ level: "silent" }),
      latency: "zero",
      seed: "latency-exporter",
      latencyExporter: true,
    });
    const url = stack.latencyExporter?.metricsUrl;
    try {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      expect(stack.regions[0].latencyExporter).toBe(stack.latencyExporter);
      await waitFor(
        "every provider's socket connected and live",
        async () => {
          const text = await (await fetch(url!)).text();
          return PROVIDERS.every((p) =>
            ["polysync_probe_ws_connected", "polysync_probe_subscription_live"].every((m) => new RegExp(`${m}\\{[^}]*provider="${p}"[^}]*\\} 1`).test(text)),
          );
        },
        15_000,
        100,
      );
    } finally {
      await stack.stop();
    }
    await expect(fetch(url!)).rejects.toThrow();
  });
});
