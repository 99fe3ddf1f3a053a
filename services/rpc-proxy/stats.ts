import type { FaultKind } from "./faults";

export interface ProviderStats {
  /** JSON-RPC calls received over both transports, batch members counted one by one. */
  requestsByMethod: Record<string, number>;
  httpRequests: number;
  wsMessages: number;
  faultsApplied: Partial<Record<FaultKind, number>>;
  wsConnectionsOpen: number;
  wsConnectionsTotal: number;
  notificationsForwarded: number;
  notificationsDropped: number;
  /** Notifications currently held back by a stale-head fault. */
  notificationsHeld: number;
}

/** Counters of one provider; `reset` zeroes the counters but not the gauges (open sockets, held notifications). */
export class StatsRecorder {
  private counters = emptyCounters();
  private wsConnectionsOpen = 0;
  private readonly heldSources = new Set<() => number>();

  calls(methods: readonly string[]): void {
    for (const method of methods) this.counters.requestsByMethod[method] = (this.counters.requestsByMethod[method] ?? 0) + 1;
  }

  httpRequest(): void {
    this.counters.httpRequests++;
  }

  wsMessage(): void {
    this.counters.wsMessages++;
  }

  faults(kinds: readonly FaultKind[]): void {
    for (const kind of kinds) this.counters.faultsApplied[kind] = (this.counters.faultsApplied[kind] ?? 0) + 1;
  }

  connectionOpened(): void {
    this.wsConnectionsOpen++;
    this.counters.wsConnectionsTotal++;
  }

  connectionClosed(): void {
    this.wsConnectionsOpen--;
  }

  notificationForwarded(): void {
    this.counters.notificationsForwarded++;
  }

  notificationDropped(): void {
    this.counters.notificationsDropped++;
  }

  /** Registers a live count of held notifications (one per WebSocket connection); returns the unregister function. */
  trackHeld(source: () => number): () => void {
    this.heldSources.add(source);
    return () => this.heldSources.delete(source);
  }

  snapshot(): ProviderStats {
    let notificationsHeld = 0;
    for (const source of this.heldSources) notificationsHeld += source();
    return {
      ...this.counters,
      requestsByMethod: { ...this.counters.requestsByMethod },
      faultsApplied: { ...this.counters.faultsApplied },
      wsConnectionsOpen: this.wsConnectionsOpen,
      notificationsHeld,
    };
  }

  reset(): void {
    this.counters = emptyCounters();
  }
}

function emptyCounters() {
  return {
    requestsByMethod: {} as Record<string, number>,
    httpRequests: 0,
    wsMessages: 0,
    faultsApplied: {} as Partial<Record<FaultKind, number>>,
    wsConnectionsTotal: 0,
    notificationsForwarded: 0,
    notificationsDropped: 0,
  };
}
