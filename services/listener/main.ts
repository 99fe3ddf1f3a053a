import { createLogger } from "../shared/logger";
import { runService } from "../shared/run-service";
import { loadListenerConfig } from "./config";
import { ListenerService } from "./service";

runService("listener", async (file) => {
  const config = loadListenerConfig(file);
  const log = createLogger("listener", config.logLevel);
  return { service: await ListenerService.start({ config, log }), log };
});
