import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { copyRulesByLeader, loadSubscribers, parseSubscribers } from "../../services/listener/subscribers/load";

const EXAMPLE = path.join(__dirname, "../../services/listener/subscribers/example.subscribers.json");
const LEADER_A = "0x1000000000000000000000000000000000000001";
const LEADER_LOWER = "0xabcdefabcdefabcdefabcdefabcdefabcdefabcd";
const LEADER_CHECKSUMMED = "0xABcdEFABcdEFabcdEfAbCdefabcdeFABcDEFabCD";

function subscriber(overrides: Record<string, unknown> = {}) {
  return {
    id: "alice",
    sizing: { policy: "percentage", percent: 10 },
    risk: { maxOrderNotional: "100", maxMarketExposure: "500", maxDailyNotional: "2000", maxSlippageBps: 200 },
    follows: [{ leader: LEADER_A }],
    ...overrides,
  };
}

function parse(file: object) {
  return parseSubscribers(JSON.stringify(file), "subscribers.json");
}

function parseError(file: object): string {
  try {
    parse(file);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("expected the file to be rejected");
}

describe("loading", () => {
  test("the example file loads, with every policy in use", () => {
    const config = loadSubscribers(EXAMPLE);
    const policies = new Set(
      config.subscribers.flatMap((s) => [s.sizing.policy, ...s.follows.flatMap((f) => f.sizing?.policy ?? [])]),
    );
    expect([...policies].sort()).toEqual(["adaptive", "fixed", "percentage", "tiered"]);
  });

  test("converts amounts, percents and prices to exact micro-units and applies risk defaults", () => {
    const [alice] = parse({
      subscribers: [subscriber({ sizing: { policy: "percentage", percent: "12.5" } })],
    }).subscribers;
    expect(alice!.sizing).toEqual({ policy: "percentage", ratioPpm: 125_000n });
    expect(alice!.risk).toEqual({
      maxOrderNotional: 100_000_000n,
      maxMarketExposure: 500_000_000n,
      maxDailyNotional: 2_000_000_000n,
      minOrderNotional: 1_000_000n,
      minPrice: 0n,
      maxPrice: 1_000_000n,
      maxSlippageBps: 200,
      tickSize: 1_000n,
    });
    expect(alice!.killSwitch).toBe(false);
  });

  test("reads YAML", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "subscribers-"));
    const file = path.join(dir, "subscribers.yaml");
    writeFileSync(
      file,
      [
        "subscribers:",
        "  - id: bob",
        "    sizing: { policy: fixed, amount: 2.5 }",
        "    risk: { maxOrderNotional: 10, maxMarketExposure: 50, maxDailyNotional: 100, maxSlippageBps: 50, tickSize: 0.01 }",
        `    follows: [{ leader: "${LEADER_LOWER}" }]`,
      ].join("\n"),
    );
    const [bob] = loadSubscribers(file).subscribers;
    expect(bob!.sizing).toEqual({ policy: "fixed", amount: 2_500_000n });
    expect(bob!.risk.tickSize).toBe(10_000n);
    expect(bob!.follows[0]!.leader).toBe(LEADER_CHECKSUMMED);
  });

  test("an unreadable file or unknown extension is named", () => {
    expect(() => loadSubscribers("/nonexistent/subscribers.json")).toThrow(
      /^\/nonexistent\/subscribers\.json: cannot read subscribers file \(ENOENT\)/,
    );
    expect(() => parseSubscribers("{}", "subscribers.toml")).toThrow(/^subscribers\.toml: unsupported extension/);
    expect(() => parseSubscribers("{", "subscribers.json")).toThrow(/^subscribers\.json: .*JSON/);
  });
});

describe("validation errors name the file and the field path", () => {
  test.each([
    [{ percent: 0 }, "must be > 0 and ≤ 100"],
    [{ percent: 100.0001 }, "must be > 0 and ≤ 100"],
    [{ percent: "abc" }, "must be a decimal with at most 4 decimal places"],
  ])("percentage %j", (fields, message) => {
    const file = {
      subscribers: [
        subscriber(),
        subscriber({ id: "b" }),
        subscriber({ id: "c", sizing: { policy: "percentage", ...fields } }),
      ],
    };
    expect(parseError(file)).toBe(`subscribers.json: subscribers.2.sizing.percent: ${message}`);
  });

  test("100 % is allowed", () => {
    expect(() =>
      parse({ subscribers: [subscriber({ sizing: { policy: "percentage", percent: 100 } })] }),
    ).not.toThrow();
  });

  test("unknown policy and unknown fields", () => {
    expect(parseError({ subscribers: [subscriber({ sizing: { policy: "martingale" } })] })).toContain(
      "subscribers.json: subscribers.0.sizing.policy: must be one of percentage, fixed, adaptive, tiered",
    );
    expect(parseError({ subscribers: [subscriber({ riks: {} })] })).toMatch(
      /^subscribers\.json: subscribers\.0: .*riks/,
    );
  });

  test("amounts with more than 6 decimals are refused rather than rounded", () => {
    const risk = { ...subscriber().risk, maxOrderNotional: "1.0000001" };
    expect(parseError({ subscribers: [subscriber({ risk })] })).toBe(
      "subscribers.json: subscribers.0.risk.maxOrderNotional: must be a decimal with at most 6 decimal places",
    );
  });

  test("duplicate subscriber ids", () => {
    expect(parseError({ subscribers: [subscriber(), subscriber({ id: "x" }), subscriber()] })).toBe(
      'subscribers.json: subscribers.2.id: duplicate subscriber id "alice" (also subscribers.0)',
    );
  });

  test("a leader followed twice (in any letter case) by one subscriber", () => {
    const follows = [{ leader: LEADER_LOWER }, { leader: LEADER_CHECKSUMMED }];
    expect(parseError({ subscribers: [subscriber({ follows })] })).toBe(
      `subscribers.json: subscribers.0.follows.1.leader: leader ${LEADER_CHECKSUMMED} is already followed (follows.0)`,
    );
  });

  test("addresses: malformed and bad checksum", () => {
    expect(parseError({ subscribers: [subscriber({ follows: [{ leader: "0x1234" }] })] })).toBe(
      "subscribers.json: subscribers.0.follows.0.leader: must be a 0x-prefixed 20-byte hex address",
    );
    const wrongCase = LEADER_CHECKSUMMED.replace("ABcd", "abCD");
    expect(parseError({ subscribers: [subscriber({ follows: [{ leader: wrongCase }] })] })).toMatch(
      /^subscribers\.json: subscribers\.0\.follows\.0\.leader: has a bad EIP-55 checksum/,
    );
  });

  test("price bounds and tick", () => {
    const base = subscriber().risk;
    expect(parseError({ subscribers: [subscriber({ risk: { ...base, minPrice: 0.6, maxPrice: 0.6 } })] })).toBe(
      "subscribers.json: subscribers.0.risk.minPrice: must be < maxPrice",
    );
    expect(parseError({ subscribers: [subscriber({ risk: { ...base, maxPrice: 1.01 } })] })).toBe(
      "subscribers.json: subscribers.0.risk.maxPrice: must be ≥ 0 and ≤ 1",
    );
    expect(parseError({ subscribers: [subscriber({ risk: { ...base, tickSize: 0.003 } })] })).toMatch(
      /^subscribers\.json: subscribers\.0\.risk\.tickSize: must be > 0, < 1 and divide 1 exactly/,
    );
    expect(parseError({ subscribers: [subscriber({ risk: { ...base, maxSlippageBps: 10_000 } })] })).toBe(
      "subscribers.json: subscribers.0.risk.maxSlippageBps: must be < 10000",
    );
  });

  test("per-order cap below the minimum order could never place anything", () => {
    const risk = { ...subscriber().risk, maxOrderNotional: "0.5" };
    expect(parseError({ subscribers: [subscriber({ risk })] })).toBe(
      "subscribers.json: subscribers.0.risk.maxOrderNotional: must be ≥ minOrderNotional (no order could be placed)",
    );
  });

  test("a follow's risk override is checked after merging with the subscriber's risk", () => {
    const follows = [{ leader: LEADER_A, risk: { minPrice: 0.99 } }];
    expect(parseError({ subscribers: [subscriber({ risk: { ...subscriber().risk, maxPrice: 0.9 }, follows })] })).toBe(
      "subscribers.json: subscribers.0.follows.0.risk.minPrice: must be < maxPrice (after this follow's overrides)",
    );
  });

  test("tiers start at 0 and ascend strictly", () => {
    const tiered = (tiers: object[]) => ({
      subscribers: [subscriber({ sizing: { policy: "tiered", basePercent: 5, tiers } })],
    });
    expect(parseError(tiered([{ minLeaderNotional: 10, multiplier: 1 }]))).toBe(
      "subscribers.json: subscribers.0.sizing.tiers.0.minLeaderNotional: the first tier must start at 0",
    );
    expect(
      parseError(
        tiered([
          { minLeaderNotional: 0, multiplier: 1 },
          { minLeaderNotional: 0, multiplier: 2 },
        ]),
      ),
    ).toBe("subscribers.json: subscribers.0.sizing.tiers.1.minLeaderNotional: tiers must ascend strictly");
  });

  test("adaptive sizing requires the leader's estimated bankroll", () => {
    const adaptive = { policy: "adaptive", subscriberBankroll: 1000, minNotional: 1, maxNotional: 50 };
    expect(parseError({ subscribers: [subscriber({ sizing: adaptive })] })).toBe(
      `subscribers.json: subscribers.0.follows.0.leader: adaptive sizing needs the leader's estimatedBankroll in leaders[] for ${LEADER_A}`,
    );
    const leaders = [{ address: LEADER_A, estimatedBankroll: 100000 }];
    expect(() => parse({ leaders, subscribers: [subscriber({ sizing: adaptive })] })).not.toThrow();
    expect(parseError({ leaders, subscribers: [subscriber({ sizing: { ...adaptive, minNotional: 60 } })] })).toBe(
      "subscribers.json: subscribers.0.sizing.minNotional: must be ≤ maxNotional",
    );
  });

  test("every problem is reported, one per line", () => {
    const message = parseError({
      subscribers: [subscriber({ id: "" }), subscriber({ sizing: { policy: "fixed", amount: 0 } })],
    });
    expect(message.split("\n")).toEqual([
      expect.stringMatching(/^subscribers\.json: subscribers\.0\.id: must be 1–64 characters/),
      "subscribers.json: subscribers.1.sizing.amount: must be > 0",
    ]);
  });
});

describe("copyRulesByLeader", () => {
  test("indexes follows by checksummed leader, applying follow overrides over subscriber settings", () => {
    const config = parse({
      leaders: [{ address: LEADER_LOWER, estimatedBankroll: "5000" }],
      subscribers: [
        subscriber({
          follows: [
            { leader: LEADER_A },
            { leader: LEADER_LOWER, sizing: { policy: "fixed", amount: 3 }, risk: { maxPrice: 0.9 } },
          ],
        }),
        subscriber({ id: "bob", killSwitch: true, follows: [{ leader: LEADER_LOWER }] }),
        subscriber({ id: "carol", follows: [{ leader: LEADER_A, killSwitch: true }] }),
      ],
    });
    const rules = copyRulesByLeader(config);
    expect([...rules.keys()]).toEqual([LEADER_A, LEADER_CHECKSUMMED]);
    const [aliceB, bobB] = rules.get(LEADER_CHECKSUMMED)!;
    expect(aliceB).toMatchObject({
      subscriberId: "alice",
      sizing: { policy: "fixed", amount: 3_000_000n },
      leaderBankroll: 5_000_000_000n,
      killSwitch: false,
    });
    expect(aliceB!.risk).toMatchObject({ maxPrice: 900_000n, maxOrderNotional: 100_000_000n });
    expect(bobB).toMatchObject({ subscriberId: "bob", killSwitch: true });
    const [aliceA, carolA] = rules.get(LEADER_A)!;
    expect(aliceA).toMatchObject({ sizing: { policy: "percentage", ratioPpm: 100_000n }, killSwitch: false });
    expect(aliceA!.risk.maxPrice).toBe(1_000_000n);
    expect(aliceA!.leaderBankroll).toBeUndefined();
    expect(carolA).toMatchObject({ subscriberId: "carol", killSwitch: true });
  });
});
