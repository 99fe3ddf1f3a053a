/**
 * Head arrival lag per block number across providers: the first provider to deliver block N sets N's arrival time,
 * and every other provider's first delivery of N is measured against it. A block a provider never delivers is no
 * arrival at all: it shows in that provider's head lag in blocks, so a provider that skips blocks cannot look fast.
 *
 * Only the `keep` highest block numbers are remembered. A delivery of an older block returns nothing rather than
 * counting as a first arrival: a provider hundreds of blocks behind would otherwise be "first" with lag 0 for every
 * block it delivers.
 */
export class HeadArrivals {
  private readonly blocks = new Map<bigint, { firstMs: number; seen: Set<string> }>();
  /** Highest block number forgotten so far; nothing at or below it can be compared any more. */
  private forgottenUpTo: bigint | undefined;

  constructor(private readonly keep = 256) {}

  /**
   * Records `provider`'s delivery of block `number` at `atMs`. Returns its lag in ms behind the first provider (0 when
   * it is the first), or undefined when it is not an arrival: a repeat of a block this provider already delivered
   * (a reorg's replacement header), or a block too old to compare.
   */
  record(provider: string, number: bigint, atMs: number): number | undefined {
    if (this.forgottenUpTo !== undefined && number <= this.forgottenUpTo) return undefined;
    let entry = this.blocks.get(number);
    if (!entry) {
      entry = { firstMs: atMs, seen: new Set() };
      this.blocks.set(number, entry);
      if (this.blocks.size > this.keep) this.forgetLowest();
      // Older than every block kept: it was the one forgotten.
      if (!this.blocks.has(number)) return undefined;
    }
    if (entry.seen.has(provider)) return undefined;
    entry.seen.add(provider);
    return entry.seen.size === 1 ? 0 : Math.max(0, atMs - entry.firstMs);
  }

  private forgetLowest(): void {
    let lowest: bigint | undefined;
    for (const number of this.blocks.keys()) if (lowest === undefined || number < lowest) lowest = number;
    this.blocks.delete(lowest!);
    this.forgottenUpTo = lowest;
  }
}
