/*
 * Keeps the event loop polling its sockets instead of sleeping in epoll_wait, for a process whose event loop has a
 * CPU to itself (event-loop-cpu.ts). On a virtual machine an idle vCPU halts, the hypervisor gives its physical core
 * to someone else, and the first fill after a quiet spell between blocks runs on a core whose caches that someone
 * used: per-event traces of the listener showed any step of a fill (JSON parse, decode, sizing) now and then 5–30×
 * its usual time, with no GC, no major page fault and no other task of the VM on the CPU. Polling keeps the vCPU
 * running: in the listener bench, fills over 1 ms went from 0.54 % to 0.11 % (README, Numbers). The price is that
 * CPU at 100 %.
 *
 * Each turn spins a few microseconds in JavaScript and then yields to the loop with setImmediate, which makes libuv
 * poll without waiting. The spin bounds the garbage (one Immediate object per turn); it also bounds how late a socket
 * read is noticed, by at most one spin.
 */

/** A turn per ~20 µs: a few MB of Immediate objects per second, and a socket read noticed within 20 µs. */
export const DEFAULT_SPIN_MS = 0.02;

/** Starts polling; the returned function stops it, after which the loop sleeps as usual and the process may exit. */
export function startBusyPoll(spinMs = DEFAULT_SPIN_MS): () => void {
  if (!Number.isFinite(spinMs) || spinMs <= 0 || spinMs > 1) {
    throw new Error(`busy-poll spin of ${spinMs} ms: must be above 0 and at most 1 ms (a longer spin delays every socket read)`);
  }
  let running = true;
  let pending: NodeJS.Immediate | undefined;
  const turn = () => {
    const until = performance.now() + spinMs;
    while (performance.now() < until);
    pending = running ? setImmediate(turn) : undefined;
  };
  pending = setImmediate(turn);
  return () => {
    running = false;
    if (pending) clearImmediate(pending);
    pending = undefined;
  };
}
