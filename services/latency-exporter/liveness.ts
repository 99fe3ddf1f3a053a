/** What the exporter knows about one provider's newHeads subscription. */
export interface SubscriptionView {
  wsConnected: boolean;
  /** Highest head number it delivered, undefined before the first. */
  head: bigint | undefined;
  /** When it last delivered a head, and when its current connection was made (epoch ms, 0 = never). */
  lastHeadAtMs: number;
  connectedAtMs: number;
}

/**
 * A subscription is silent when it is connected, behind the best head, and has delivered nothing for `silentAfterMs`
 * since its last head or its (re)connection: a quiet chain silences nobody, a quiet provider among moving ones is dead.
 * Unlike the listener's providerState (services/rpc/head-state.ts), a connection that never delivered a head counts
 * too: accepting eth_subscribe and then saying nothing is exactly the failure this exporter exists to show.
 */
export function isSilent(view: SubscriptionView, best: bigint | undefined, nowMs: number, silentAfterMs: number): boolean {
  if (!view.wsConnected || best === undefined) return false;
  if (view.head !== undefined && view.head >= best) return false;
  return nowMs - Math.max(view.lastHeadAtMs, view.connectedAtMs) > silentAfterMs;
}
