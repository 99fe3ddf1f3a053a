import { availableParallelism } from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import type { Address, Hex } from "viem";

interface Job {
  hash: Hex;
  signature: Hex;
  resolve: (address: Address) => void;
  reject: (err: Error) => void;
}

type WorkerResult = { address: Address } | { error: string };

/**
 * secp256k1 public-key recovery on worker threads. Recovery is ~1 ms of CPU per order in viem (noble), so a burst of
 * 1,000 copy orders needs every core; the HTTP handling stays on the main thread. Jobs arriving in the same tick are
 * sent as one message per worker, which keeps the message overhead per order in microseconds.
 */
export class RecoverPool {
  private readonly workers: Worker[];
  private readonly inFlight = new Map<number, { worker: Worker; jobs: Job[] }>();
  private queue: Job[] = [];
  private flushScheduled = false;
  private nextBatch = 0;
  private broken: Error | undefined;

  constructor(size = availableParallelism()) {
    if (!Number.isInteger(size) || size < 1) throw new Error(`recover pool size must be a positive integer, got ${size}`);
    this.workers = Array.from({ length: size }, () => this.startWorker());
  }

  /** The address whose key made `signature` over `hash`; rejects when the signature does not recover. */
  recover(hash: Hex, signature: Hex): Promise<Address> {
    if (this.broken) return Promise.reject(this.broken);
    return new Promise((resolve, reject) => {
      this.queue.push({ hash, signature, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  async close(): Promise<void> {
    this.fail(new Error("recover pool closed"));
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }

  private startWorker(): Worker {
    const worker = new Worker(path.join(__dirname, "recover-worker.js"));
    // An idle pool never keeps the process alive; a worker with jobs in flight does (ref'd in flush()).
    worker.unref();
    worker.on("message", ({ batch, results }: { batch: number; results: WorkerResult[] }) => {
      const jobs = this.inFlight.get(batch)?.jobs;
      this.inFlight.delete(batch);
      if (![...this.inFlight.values()].some((entry) => entry.worker === worker)) worker.unref();
      jobs?.forEach((job, i) => {
        const result = results[i];
        if (result && "address" in result) job.resolve(result.address);
        else job.reject(new Error(`signature does not recover: ${result?.error ?? "no result"}`));
      });
    });
    worker.on("error", (err) => this.fail(new Error(`recover worker crashed: ${err.message}`)));
    return worker;
  }

  private flush(): void {
    this.flushScheduled = false;
    const jobs = this.queue;
    this.queue = [];
    const share = Math.ceil(jobs.length / this.workers.length);
    for (let i = 0; i * share < jobs.length; i++) {
      const chunk = jobs.slice(i * share, (i + 1) * share);
      const batch = this.nextBatch++;
      const worker = this.workers[i]!;
      this.inFlight.set(batch, { worker, jobs: chunk });
      worker.ref();
      worker.postMessage({ batch, jobs: chunk.map(({ hash, signature }) => ({ hash, signature })) });
    }
  }

  private fail(err: Error): void {
    this.broken ??= err;
    for (const { jobs } of this.inFlight.values()) for (const job of jobs) job.reject(err);
    this.inFlight.clear();
    for (const job of this.queue) job.reject(err);
    this.queue = [];
  }
}
