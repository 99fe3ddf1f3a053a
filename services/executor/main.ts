import { createLogger } from "../shared/logger";
import { runService } from "../shared/run-service";
import { loadExecutorConfig } from "./config";
import { ExecutorService } from "./service";

runService("executor", async (file) => {
  const config = loadExecutorConfig(file);
  const log = createLogger("executor", config.logLevel);
  return { service: await ExecutorService.start({ config, log }), log };
});
