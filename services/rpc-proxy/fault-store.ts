import { faultSchema, type Fault, type FaultInput, type FaultKind, type FaultSet } from "./faults";

/** A fault as the control API reports it: its parameters plus when it was set and, if it has a duration, when it ends. */
export type ActiveFault = Fault & { setAt: string; expiresAt?: string };

interface Entry {
  active: ActiveFault;
  fault: Fault;
  timer?: NodeJS.Timeout;
}

/** The active faults of one provider, one per kind; setting a kind again replaces it. */
export class FaultStore {
  private readonly entries = new Map<FaultKind, Entry>();
  private readonly listeners = new Set<() => void>();
  private snapshot: FaultSet = {};

  /** Validates with the zod schema (throws its ZodError) and applies the fault. */
  set(input: FaultInput): ActiveFault {
    const fault = faultSchema.parse(input);
    this.removeEntry(fault.kind);
    const now = Date.now();
    const active: ActiveFault = {
      ...fault,
      setAt: new Date(now).toISOString(),
      ...(fault.durationMs !== undefined && { expiresAt: new Date(now + fault.durationMs).toISOString() }),
    };
    const entry: Entry = { active, fault };
    if (fault.durationMs !== undefined) {
      entry.timer = setTimeout(() => this.clear(fault.kind), fault.durationMs);
      // An auto-clear alone must not keep a process (or a jest worker) alive.
      entry.timer.unref();
    }
    this.entries.set(fault.kind, entry);
    this.changed();
    return active;
  }

  clear(kind: FaultKind): boolean {
    if (!this.removeEntry(kind)) return false;
    this.changed();
    return true;
  }

  clearAll(): number {
    const count = this.entries.size;
    for (const kind of [...this.entries.keys()]) this.removeEntry(kind);
    if (count > 0) this.changed();
    return count;
  }

  /** The active faults keyed by kind, for the per-request decisions. */
  current(): FaultSet {
    return this.snapshot;
  }

  list(): ActiveFault[] {
    return [...this.entries.values()].map((entry) => entry.active);
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves true once `kind` is no longer active, or false if `signal` aborts first. */
  whenCleared(kind: FaultKind, signal: AbortSignal): Promise<boolean> {
    return new Promise((resolve) => {
      const finish = (cleared: boolean) => {
        unsubscribe();
        signal.removeEventListener("abort", onAbort);
        resolve(cleared);
      };
      const onAbort = () => finish(false);
      const unsubscribe = this.onChange(() => {
        if (!this.entries.has(kind)) finish(true);
      });
      if (signal.aborted) finish(false);
      else if (!this.entries.has(kind)) finish(true);
      else signal.addEventListener("abort", onAbort);
    });
  }

  /** Cancels the auto-clear timers; used when the provider stops. */
  close(): void {
    for (const entry of this.entries.values()) clearTimeout(entry.timer);
    this.listeners.clear();
  }

  private removeEntry(kind: FaultKind): boolean {
    const entry = this.entries.get(kind);
    if (!entry) return false;
    clearTimeout(entry.timer);
    this.entries.delete(kind);
    return true;
  }

  private changed(): void {
    const set: Record<string, Fault> = {};
    for (const [kind, entry] of this.entries) set[kind] = entry.fault;
    this.snapshot = set as FaultSet;
    for (const listener of [...this.listeners]) listener();
  }
}
