import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { resolveProviderUrls } from "../listener/config";
import { LATENCY_EXPORTER_METRICS, PROCESS_METRICS } from "../metrics/catalogue";
import { monitorEventLoopDelay } from "../metrics/event-loop";
import { createInstruments, createServiceRegistry } from "../metrics/registry";
import { startServiceHttp, type ServiceHttpServer } from "../shared/http-server";
import type { ExporterConfig } from "./config";
import { LatencyExporter } from "./exporter";

export interface LatencyExporterServiceOptions {
  config: ExporterConfig;
  log: Logger;
  env?: NodeJS.ProcessEnv;
}

/** The latency exporter process: LatencyExporter with /metrics, /healthz and /readyz. */
export class LatencyExporterService {
  private http: ServiceHttpServer | undefined;

  private constructor(
    readonly registry: Registry,
    readonly exporter: LatencyExporter,
    private readonly stopEventLoop: () => void,
  ) {}

  static async start(options: LatencyExporterServiceOptions): Promise<LatencyExporterService> {
    const { config, log } = options;
    const registry = createServiceRegistry("latency-exporter");
    const metrics = createInstruments(registry, LATENCY_EXPORTER_METRICS);
    const { eventLoopDelay } = createInstruments(registry, PROCESS_METRICS);
    const exporter = new LatencyExporter(
      {
        chainId: config.chain.chainId,
        blockTimeMs: config.chain.blockTimeMs,
        exchanges: config.exchanges.map((e) => e.address),
        providers: resolveProviderUrls(config.providers, options.env),
        probeIntervalMs: config.probe.intervalMs,
        timeoutMs: config.probe.timeoutMs,
      },
      metrics,
      log,
    );
    const service = new LatencyExporterService(registry, exporter, monitorEventLoopDelay(eventLoopDelay));
    try {
      await exporter.start();
      service.http = await startServiceHttp({
        host: config.http.host,
        port: config.http.port,
        registry,
        health: () => ({ ok: true, detail: exporter.snapshot() }),
        readiness: () => ({ ok: exporter.ready(), detail: exporter.snapshot() }),
      });
    } catch (err) {
      await service.stop();
      throw err;
    }
    log.info({ region: config.region, providers: config.providers.map((p) => p.name), http: service.http.url }, "latency exporter started");
    return service;
  }

  get httpUrl(): string | undefined {
    return this.http?.url;
  }

  get metricsUrl(): string | undefined {
    return this.http && `${this.http.url}/metrics`;
  }

  async stop(): Promise<void> {
    await this.exporter.stop();
    this.stopEventLoop();
    await this.http?.close();
  }
}
