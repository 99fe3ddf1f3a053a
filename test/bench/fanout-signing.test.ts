import { timeOp } from "./fanout-signing";

describe("timeOp", () => {
  it("warms up once unmeasured, then times every call of every pass on its own", async () => {
    const calls: number[] = [];
    const result = await timeOp("noop", [1, 2, 3], 2, (item) => calls.push(item));
    expect(calls).toEqual([1, 2, 3, 1, 2, 3, 1, 2, 3]);
    expect(result.op).toBe("noop");
    expect(result.n).toBe(6);
    expect(result.perCallUs.count).toBe(6);
    expect(result.perSecond).toBeGreaterThan(0);
  });

  it("waits for asynchronous operations, so their time is in the figures", async () => {
    const result = await timeOp("sleep", [5], 1, () => new Promise((resolve) => setTimeout(resolve, 5)));
    expect(result.perCallUs.min).toBeGreaterThanOrEqual(4000);
  });
});
