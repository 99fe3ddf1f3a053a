/** Polls until `probe` returns something truthy and returns it; fails naming `what` after `timeoutMs`. Bounded. */
export async function waitFor<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 3000, intervalMs = 25): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
