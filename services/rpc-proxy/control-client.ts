import type { ActiveFault } from "./fault-store";
import type { FaultInput, FaultKind } from "./faults";
import type { LatencyUpdate, ProviderLatency } from "./latency";
import type { ProviderInfo } from "./provider-proxy";
import type { ProviderStats } from "./stats";

/** Distributive, so each fault kind keeps its own parameters. */
export type FaultParams<K extends FaultKind = FaultKind> = K extends FaultKind ? Omit<Extract<FaultInput, { kind: K }>, "kind"> : never;

export class ControlApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "ControlApiError";
  }
}

/** Typed client of the control API, for tests and the chaos harness. Errors throw `ControlApiError` with the server's message. */
export class ControlClient {
  constructor(private readonly baseUrl: string) {}

  async providers(): Promise<ProviderInfo[]> {
    return (await this.call<{ providers: ProviderInfo[] }>("GET", "/providers")).providers;
  }

  provider(name: string): Promise<ProviderInfo> {
    return this.call("GET", `/providers/${encodeURIComponent(name)}`);
  }

  async stats(name: string): Promise<ProviderStats> {
    return (await this.provider(name)).stats;
  }

  resetStats(name: string): Promise<ProviderStats> {
    return this.call("DELETE", `/providers/${encodeURIComponent(name)}/stats`);
  }

  setFault<K extends FaultKind>(name: string, kind: K, params: FaultParams<K> = {} as FaultParams<K>): Promise<ActiveFault> {
    return this.call("PUT", `/providers/${encodeURIComponent(name)}/faults/${kind}`, params);
  }

  /** Returns whether the fault was active. */
  async clearFault(name: string, kind: FaultKind): Promise<boolean> {
    return (await this.call<{ cleared: number }>("DELETE", `/providers/${encodeURIComponent(name)}/faults/${kind}`)).cleared > 0;
  }

  /** Returns how many faults were cleared. */
  async clearFaults(name: string): Promise<number> {
    return (await this.call<{ cleared: number }>("DELETE", `/providers/${encodeURIComponent(name)}/faults`)).cleared;
  }

  /** Clears every fault of every provider; returns how many. */
  async clearAllFaults(): Promise<number> {
    return (await this.call<{ cleared: number }>("DELETE", "/faults")).cleared;
  }

  setLatency(name: string, update: LatencyUpdate): Promise<ProviderLatency> {
    return this.call("PUT", `/providers/${encodeURIComponent(name)}/latency`, update);
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: body === undefined ? undefined : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const payload = (await response.json()) as unknown;
    if (!response.ok) {
      const message = typeof payload === "object" && payload !== null && "error" in payload ? String(payload.error) : response.statusText;
      throw new ControlApiError(response.status, `${method} ${path}: ${response.status} ${message}`);
    }
    return payload as T;
  }
}
