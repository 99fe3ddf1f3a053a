/**
 * Delivers items after their delay but never out of order: each release time is at least the previous one, so a
 * heavy-tail delay on one item also delays everything queued behind it, as on a single TCP stream.
 */
export class ReleaseQueue<T> {
  private readonly items: { at: number; item: T }[] = [];
  private lastAt = 0;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly deliver: (item: T) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  push(item: T, delayMs: number): void {
    const at = Math.max(this.now() + delayMs, this.lastAt);
    this.lastAt = at;
    this.items.push({ at, item });
    if (this.items.length === 1) this.drain();
  }

  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.items.length = 0;
  }

  private drain(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.items.length > 0 && this.items[0].at <= this.now()) this.deliver(this.items.shift()!.item);
    if (this.items.length > 0) this.timer = setTimeout(() => this.drain(), Math.ceil(this.items[0].at - this.now()));
  }
}
