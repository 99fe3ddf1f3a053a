import { policyNotional, type SizingPolicy } from "../../services/listener/sizing/policy";
import { formatMicros, parseFixed } from "../../services/listener/sizing/units";

const usd = (value: string) => parseFixed(value, 6)!;
const ppm = (percent: string) => parseFixed(percent, 4)!;

describe("parseFixed", () => {
  test("reads strings and numbers exactly, without float drift", () => {
    expect(parseFixed("0.1", 6)).toBe(100_000n);
    expect(parseFixed(0.1, 6)).toBe(100_000n);
    expect(parseFixed(0.3, 6)).toBe(300_000n);
    expect(parseFixed("12", 6)).toBe(12_000_000n);
    expect(parseFixed("1.500000000", 6)).toBe(1_500_000n);
    expect(parseFixed("-2.5", 6)).toBe(-2_500_000n);
  });

  test("refuses precision it cannot hold and non-decimals", () => {
    expect(parseFixed("0.0000001", 6)).toBeUndefined();
    expect(parseFixed(1e-7, 6)).toBeUndefined();
    expect(parseFixed("1e3", 6)).toBeUndefined();
    expect(parseFixed("", 6)).toBeUndefined();
    expect(parseFixed(Number.NaN, 6)).toBeUndefined();
  });

  test("formatMicros renders what parseFixed reads", () => {
    for (const text of ["0.523", "12", "0.000001", "1000000.5", "-3.25"]) expect(formatMicros(usd(text))).toBe(text);
  });
});

describe("percentage", () => {
  test("takes the percent of the leader's notional, rounded down to a micro-unit", () => {
    const policy: SizingPolicy = { policy: "percentage", ratioPpm: ppm("12.5") };
    expect(policyNotional(policy, usd("10"), undefined)).toBe(usd("1.25"));
    expect(policyNotional({ policy: "percentage", ratioPpm: ppm("33.3333") }, 10n, undefined)).toBe(3n);
    expect(policyNotional({ policy: "percentage", ratioPpm: ppm("100") }, usd("7.000001"), undefined)).toBe(
      usd("7.000001"),
    );
  });
});

describe("fixed", () => {
  test("ignores the leader's size", () => {
    const policy: SizingPolicy = { policy: "fixed", amount: usd("5") };
    expect(policyNotional(policy, usd("0.5"), undefined)).toBe(usd("5"));
    expect(policyNotional(policy, usd("50000"), undefined)).toBe(usd("5"));
  });
});

describe("adaptive", () => {
  const policy: SizingPolicy = {
    policy: "adaptive",
    subscriberBankroll: usd("1000"),
    minNotional: usd("1"),
    maxNotional: usd("40"),
  };
  const leaderBankroll = usd("100000");

  test("stakes the same fraction of the subscriber's bankroll as the leader staked of theirs", () => {
    // 3 000 of 100 000 = 3 % → 3 % of 1 000 = 30
    expect(policyNotional(policy, usd("3000"), leaderBankroll)).toBe(usd("30"));
  });

  test("clamps into [minNotional, maxNotional], both ends reachable exactly", () => {
    expect(policyNotional(policy, usd("4000"), leaderBankroll)).toBe(usd("40"));
    expect(policyNotional(policy, usd("4000.1"), leaderBankroll)).toBe(usd("40"));
    expect(policyNotional(policy, usd("100"), leaderBankroll)).toBe(usd("1"));
    expect(policyNotional(policy, usd("50"), leaderBankroll)).toBe(usd("1"));
  });

  test("needs the leader's bankroll", () => {
    expect(() => policyNotional(policy, usd("100"), undefined)).toThrow(/estimated bankroll/);
    expect(() => policyNotional(policy, usd("100"), 0n)).toThrow(/estimated bankroll/);
  });
});

describe("tiered", () => {
  const policy: SizingPolicy = {
    policy: "tiered",
    baseRatioPpm: ppm("10"),
    tiers: [
      { minLeaderNotional: 0n, multiplierPpm: usd("0.5") },
      { minLeaderNotional: usd("100"), multiplierPpm: usd("1") },
      { minLeaderNotional: usd("1000"), multiplierPpm: usd("2") },
    ],
  };

  test("a tier starts exactly at its minLeaderNotional", () => {
    expect(policyNotional(policy, usd("99.999999"), undefined)).toBe(usd("4.999999"));
    expect(policyNotional(policy, usd("100"), undefined)).toBe(usd("10"));
    expect(policyNotional(policy, usd("999.999999"), undefined)).toBe(usd("99.999999"));
    expect(policyNotional(policy, usd("1000"), undefined)).toBe(usd("200"));
  });

  test("a zero multiplier sizes the copy to nothing", () => {
    const ignoreSmall: SizingPolicy = {
      ...policy,
      tiers: [{ minLeaderNotional: 0n, multiplierPpm: 0n }, policy.tiers[1]!],
    };
    expect(policyNotional(ignoreSmall, usd("50"), undefined)).toBe(0n);
  });
});
