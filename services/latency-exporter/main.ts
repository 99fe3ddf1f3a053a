import { createLogger } from "../shared/logger";
import { runService } from "../shared/run-service";
import { loadExporterConfig } from "./config";
import { LatencyExporterService } from "./service";

runService("latency-exporter", async (file) => {
  const config = loadExporterConfig(file);
  const log = createLogger("latency-exporter", config.logLevel);
  return { service: await LatencyExporterService.start({ config, log }), log };
});
