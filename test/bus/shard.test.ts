import { shardList, shardOf } from "../../services/bus/shard";

describe("shardOf", () => {
  test("is pinned to the first 4 bytes of keccak256(subscriberId)", () => {
    // keccak256("alice") = 0x9c025711…, keccak256("bob") = 0x38e47a7b… (computed outside this code).
    expect(shardOf("alice", 16)).toBe(0x9c025711 % 16);
    expect(shardOf("alice", 1000)).toBe(0x9c025711 % 1000);
    expect(shardOf("bob", 16)).toBe(0x38e47a7b % 16);
  });

  test("stays in [0, shardCount) and spreads subscribers roughly evenly", () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[shardOf(`subscriber-${i}`, 4)]! += 1;
    for (const count of counts) expect(count).toBeGreaterThan(850);
    expect(counts.reduce((a, b) => a + b)).toBe(4000);
  });

  test("one shard takes everything", () => {
    expect(shardOf("anyone", 1)).toBe(0);
  });

  test("rejects a shard count that is not a positive integer", () => {
    expect(() => shardOf("a", 0)).toThrow("shard count must be an integer ≥ 1, got 0");
    expect(() => shardOf("a", 2.5)).toThrow(/shard count/);
  });
});

describe("shardList", () => {
  test("normalises and validates a subscribe argument", () => {
    expect(shardList(2, 4)).toEqual([2]);
    expect(shardList([3, 0, 3], 4)).toEqual([0, 3]);
    expect(() => shardList([4], 4)).toThrow("shard 4 is outside [0, 4)");
    expect(() => shardList([], 4)).toThrow("subscribe needs at least one shard");
  });
});
