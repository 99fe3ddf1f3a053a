import { machineFloor, recordGaps, replayFills, type ProbeRecording } from "./machine-pauses";

/** Returns the given values in turn: the loop's view of the clock (or of its run-queue delay), chosen by the test. */
function scripted(values: number[]): () => number {
  let i = 0;
  return () => {
    if (i >= values.length) throw new Error("read past the script");
    return values[i++]!;
  };
}

describe("recordGaps", () => {
  const clock = [100, 100.1, 100.2, 101.5, 101.6, 104, 104.5, 110.1];

  it("keeps only gaps longer than the threshold, stamped where the loop stopped running, and stops at the duration", () => {
    const recording = recordGaps(scripted(clock), 10, 0.5);
    expect(recording.gaps).toEqual([
      { atMs: 100.2, ms: expect.closeTo(1.3, 9) },
      { atMs: 101.6, ms: expect.closeTo(2.4, 9) },
      { atMs: 104.5, ms: expect.closeTo(5.6, 9) },
    ]);
    expect(recording.span).toEqual({ atMs: 100, ms: expect.closeTo(10.1, 9) });
    expect(recording.clockReads).toBe(8);
  });

  it("charges each gap the run-queue delay gathered since the previous kept gap, reading it only then", () => {
    // One read at the start, one after each of the three gaps: a fourth read would throw.
    const recording = recordGaps(scripted(clock), 10, 0.5, scripted([10, 10.2, 12.4, 12.5]));
    expect(recording.gaps.map((g) => g.queuedMs)).toEqual([expect.closeTo(0.2, 9), expect.closeTo(2.2, 9), expect.closeTo(0.1, 9)]);
  });

  it("reads the real clock and finds no gap in a short run with an infinite threshold", () => {
    const recording = recordGaps(() => performance.now(), 5, Number.POSITIVE_INFINITY);
    expect(recording.gaps).toEqual([]);
    expect(recording.span.ms).toBeGreaterThanOrEqual(5);
    expect(recording.clockReads).toBeGreaterThan(100);
  });
});

describe("machine floor", () => {
  // 10 s from t = 0; blocks every 500 ms at 250, 750, …; pauses chosen around some of them.
  const blocks = Array.from({ length: 20 }, (_, i) => 250 + i * 500);
  const recording: ProbeRecording = {
    span: { atMs: 0, ms: 10_000 },
    clockReads: 1_000_000,
    gaps: [
      { atMs: 252, ms: 1.5, queuedMs: 0 }, // in block 250's window; the vCPU stopped
      { atMs: 758, ms: 3, queuedMs: 2.5 }, // after block 750's window; mostly behind another task
      { atMs: 1252, ms: 0.8, queuedMs: 0 }, // in a window, but too short to matter
      { atMs: 1751, ms: 4, queuedMs: 0 }, // overlaps the probe's own GC: left out
      { atMs: 5000, ms: 2.5, queuedMs: 1 }, // queued for less than half of it: the vCPU's
    ],
    gcs: [{ atMs: 1751.5, ms: 0.1 }],
  };

  it("leaves out gaps overlapping the probe's GC and reads block windows and fill-sized windows off the rest", () => {
    const { all, ownGcGapsLeftOut, where } = machineFloor(recording, blocks, ["taskset", "-c", "1"]);
    expect(where).toBe("taskset -c 1 node --single-threaded-gc --import tsx test/bench/machine-pauses.ts");
    expect(ownGcGapsLeftOut).toBe(1);
    expect(all.pauses.longerThan).toEqual([
      { ms: 0.5, count: 4 },
      { ms: 1, count: 3 },
      { ms: 2, count: 2 },
    ]);
    expect(all.pauses.maxMs).toBe(3);
    expect(all.pauses.totalMs).toBeCloseTo(7.8, 9);
    expect(all.blockWindows).toMatchObject({ windows: 20, withPause: 1 });
    expect(all.blockWindows.interval!.low).toBeLessThan(0.05);
    expect(all.blockWindows.interval!.high).toBeGreaterThan(0.05);
    // Three pauses > 1 ms (1.5, 3, 2.5 ms), each reached by 0.5 ms windows starting within its length + 0.5 ms.
    expect(all.fillWindowChance).toBeCloseTo((2 + 3.5 + 3) / 9999.5, 12);
  });

  it("keeps, in the outside-guest figures, only the gaps spent mostly not queued behind another task", () => {
    const { outsideGuest } = machineFloor(recording, blocks, ["taskset", "-c", "1"]);
    expect(outsideGuest!.pauses.longerThan.map((t) => t.count)).toEqual([3, 2, 1]);
    expect(outsideGuest!.pauses.maxMs).toBe(2.5);
    expect(outsideGuest!.blockWindows).toMatchObject({ windows: 20, withPause: 1 });
    expect(outsideGuest!.fillWindowChance).toBeCloseTo((2 + 3) / 9999.5, 12);
  });

  it("has no outside-guest figures when the run-queue delay was not kept", () => {
    const unknown = { ...recording, gaps: recording.gaps.map(({ atMs, ms }) => ({ atMs, ms })) };
    expect(machineFloor(unknown, blocks, []).outsideGuest).toBeUndefined();
    expect(replayFills(unknown, blocks, [2.5]).withOutsideGuestPause).toBeUndefined();
  });

  it("replays fill offsets after every block and counts the fill-sized windows that meet a pause", () => {
    // Offset 2.5 puts a window on the pause at 252 (the vCPU's); 9 on the one at 758 (another task's); 30 meets neither.
    expect(replayFills(recording, blocks, [2.5, 9, 30])).toEqual({
      fills: 3,
      windowMs: 0.5,
      pauseMs: 1,
      windows: 60,
      withPause: 2,
      withOutsideGuestPause: 1,
    });
  });
});
