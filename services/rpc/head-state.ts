import type { ProviderState } from "../metrics/catalogue";
import type { ProviderStatus } from "./provider";

export interface HeadPolicy {
  /** A provider this many blocks or more behind the best head is lagging and not trusted for fresh data. */
  laggingBlocks: number;
  /** No new head for this long while others moved on = silently stalled. */
  stallAfterMs: number;
}

/** Best head among providers on the right chain. */
export function bestHead(providers: readonly ProviderStatus[]): bigint | undefined {
  let best: bigint | undefined;
  for (const p of providers) {
    if (p.chain === "wrong" || p.head === undefined) continue;
    if (best === undefined || p.head > best) best = p.head;
  }
  return best;
}

export function headLagBlocks(provider: ProviderStatus, best: bigint | undefined): number | undefined {
  if (best === undefined || provider.head === undefined) return undefined;
  return Number(best - provider.head);
}

/**
 * A provider's state from what it has shown us. Stalled means its head stopped while the best head moved past it: a
 * quiet chain stalls nobody, a quiet provider among moving ones is stalled.
 */
export function providerState(
  provider: ProviderStatus,
  best: bigint | undefined,
  nowMs: number,
  policy: HeadPolicy,
): ProviderState {
  if (provider.chain === "wrong") return "wrong_chain";
  const lag = headLagBlocks(provider, best);
  const quietMs = nowMs - Math.max(provider.lastHeadAtMs, provider.connectedAtMs);
  if (lag !== undefined && lag > 0 && quietMs > policy.stallAfterMs) return "stalled";
  if (!provider.wsConnected && (provider.head === undefined || quietMs > policy.stallAfterMs)) return "disconnected";
  if (provider.breaker.current(nowMs) === "open") return "open_circuit";
  if (lag !== undefined && lag >= policy.laggingBlocks) return "lagging";
  return "healthy";
}

/** Ready = at least one healthy provider whose head is the best head. */
export function isReady(providers: readonly ProviderStatus[], nowMs: number, policy: HeadPolicy): boolean {
  const best = bestHead(providers);
  return providers.some((p) => p.head === best && providerState(p, best, nowMs, policy) === "healthy");
}
