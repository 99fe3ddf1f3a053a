/**
 * First arrival of each block's head and logs across providers, and every later provider's lag behind it: the raw data
 * for "is it us or the RPC?". Keyed by block hash; only the most recent blocks are kept.
 */
export class ArrivalRecorder {
  private readonly blocks = new Map<string, { firstMs: number; seen: Set<string> }>();

  constructor(
    private readonly onArrival: (provider: string, lagMs: number, first: boolean) => void,
    private readonly keep = 512,
  ) {}

  /** Records a provider's delivery of `key`; only its first delivery of that key counts. */
  record(key: string, provider: string, atMs: number): void {
    let entry = this.blocks.get(key);
    if (!entry) {
      entry = { firstMs: atMs, seen: new Set() };
      this.blocks.set(key, entry);
      if (this.blocks.size > this.keep) this.blocks.delete(this.blocks.keys().next().value as string);
    }
    if (entry.seen.has(provider)) return;
    entry.seen.add(provider);
    const first = entry.seen.size === 1;
    this.onArrival(provider, first ? 0 : Math.max(0, atMs - entry.firstMs), first);
  }
}
