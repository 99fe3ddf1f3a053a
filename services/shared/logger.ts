import pino, { type Logger } from "pino";

/** JSON logs to stdout (journald on hosts). URLs are not logged anywhere, so provider API keys cannot leak here. */
export function createLogger(service: string, level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service },
      redact: { paths: ["*.apiKey", "*.token", "*.password", "*.httpUrl", "*.wsUrl"], censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
