/** Runs cleanups last-in first-out and keeps going past a failing one, so nothing is left running. */
export class Cleanups {
  private readonly steps: { what: string; run: () => Promise<unknown> | void }[] = [];

  add(what: string, run: () => Promise<unknown> | void): void {
    this.steps.push({ what, run });
  }

  /** Each step runs once, even if a timeout and the normal end both ask. */
  async runAll(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step.run();
      } catch (err) {
        console.error(`cleanup of ${step.what} failed: ${(err as Error).message}`);
      }
    }
  }
}
