import { getAddress, isAddress, type Address } from "viem";
import { z } from "zod";
import type { CopyTerms, RiskLimits } from "../sizing/decide";
import type { SizingPolicy } from "../sizing/policy";
import { MICROS, parseFixed } from "../sizing/units";

/**
 * The subscribers file. Amounts are decimal collateral (pUSD) as strings or numbers, e.g. "25" or 12.5; prices are
 * decimals in (0, 1); percentages are 0–100. Everything is converted to exact micro-units on load.
 *
 * {
 *   "leaders": [{ "address": "0x…", "label": "whale", "estimatedBankroll": "250000" }],
 *   "subscribers": [{
 *     "id": "alice", "killSwitch": false,
 *     "sizing": { "policy": "percentage", "percent": 10 },
 *     "risk": { "maxOrderNotional": "100", "maxMarketExposure": "500", "maxDailyNotional": "2000", "maxSlippageBps": 200 },
 *     "follows": [{ "leader": "0x…" }, { "leader": "0x…", "sizing": { "policy": "fixed", "amount": "5" }, "risk": { "maxPrice": 0.9 } }]
 *   }]
 * }
 *
 * A follow may override the subscriber's sizing (replaced whole), risk (field by field) and kill switch (either switch
 * stops the follow).
 */

export interface LeaderConfig {
  address: Address;
  label?: string;
  /** Needed by followers that size adaptively. */
  estimatedBankroll?: bigint;
}

export interface FollowConfig {
  leader: Address;
  killSwitch: boolean;
  sizing?: SizingPolicy;
  risk?: Partial<RiskLimits>;
}

export interface SubscriberConfig {
  id: string;
  killSwitch: boolean;
  sizing: SizingPolicy;
  risk: RiskLimits;
  follows: FollowConfig[];
}

export interface SubscribersConfig {
  leaders: LeaderConfig[];
  subscribers: SubscriberConfig[];
}

/** One subscriber following one leader, with overrides applied: what a copy decision reads. */
export interface CopyRule extends CopyTerms {
  subscriberId: string;
  leader: Address;
}

function decimal(decimals: number, accept: (value: bigint) => boolean, rule: string) {
  return z
    .union([z.string(), z.number()], { error: "must be a number or a decimal string" })
    .transform((value, ctx) => {
      const parsed = parseFixed(value, decimals);
      if (parsed === undefined) {
        ctx.addIssue({ code: "custom", message: `must be a decimal with at most ${decimals} decimal places` });
        return z.NEVER;
      }
      if (!accept(parsed)) {
        ctx.addIssue({ code: "custom", message: rule });
        return z.NEVER;
      }
      return parsed;
    });
}

const positiveAmount = decimal(6, (v) => v > 0n, "must be > 0");
const nonNegativeAmount = decimal(6, (v) => v >= 0n, "must be ≥ 0");
/** Percent with up to 4 decimals, as parts per million of the whole: 100 → 1_000_000n. */
const percent = decimal(4, (v) => v > 0n && v <= MICROS, "must be > 0 and ≤ 100");
const multiplier = decimal(6, (v) => v >= 0n && v <= 100n * MICROS, "must be ≥ 0 and ≤ 100");
const price = decimal(6, (v) => v >= 0n && v <= MICROS, "must be ≥ 0 and ≤ 1");
const tick = decimal(
  6,
  (v) => v > 0n && v < MICROS && MICROS % v === 0n,
  "must be > 0, < 1 and divide 1 exactly (e.g. 0.01, 0.001)",
);

const address = z
  .string({ error: "must be a 0x-prefixed 20-byte hex address" })
  .refine((value) => isAddress(value, { strict: false }), {
    message: "must be a 0x-prefixed 20-byte hex address",
    abort: true,
  })
  // Mixed case claims an EIP-55 checksum; a wrong one usually means a mistyped address.
  .refine(
    (value) => isAddress(value, { strict: true }),
    "has a bad EIP-55 checksum (use all lower case or the checksummed form)",
  )
  .transform((value): Address => getAddress(value));

const sizingSchema = z
  .discriminatedUnion(
    "policy",
    [
      z.strictObject({ policy: z.literal("percentage"), percent }),
      z.strictObject({ policy: z.literal("fixed"), amount: positiveAmount }),
      z
        .strictObject({
          policy: z.literal("adaptive"),
          subscriberBankroll: positiveAmount,
          minNotional: nonNegativeAmount,
          maxNotional: positiveAmount,
        })
        .refine((p) => p.minNotional <= p.maxNotional, { message: "must be ≤ maxNotional", path: ["minNotional"] }),
      z.strictObject({
        policy: z.literal("tiered"),
        basePercent: percent,
        tiers: z
          .array(z.strictObject({ minLeaderNotional: nonNegativeAmount, multiplier }))
          .min(1, "needs at least one tier")
          .superRefine((tiers, ctx) => {
            if (tiers[0] && tiers[0].minLeaderNotional !== 0n) {
              ctx.addIssue({
                code: "custom",
                message: "the first tier must start at 0",
                path: [0, "minLeaderNotional"],
              });
            }
            tiers.forEach((tier, i) => {
              if (i > 0 && tier.minLeaderNotional <= tiers[i - 1]!.minLeaderNotional) {
                ctx.addIssue({ code: "custom", message: "tiers must ascend strictly", path: [i, "minLeaderNotional"] });
              }
            });
          }),
      }),
    ],
    { error: "must be one of percentage, fixed, adaptive, tiered" },
  )
  .transform((raw): SizingPolicy => {
    switch (raw.policy) {
      case "percentage":
        return { policy: "percentage", ratioPpm: raw.percent };
      case "fixed":
        return raw;
      case "adaptive":
        return raw;
      case "tiered":
        return {
          policy: "tiered",
          baseRatioPpm: raw.basePercent,
          tiers: raw.tiers.map((t) => ({ minLeaderNotional: t.minLeaderNotional, multiplierPpm: t.multiplier })),
        };
    }
  });

const riskFields = {
  maxOrderNotional: positiveAmount,
  maxMarketExposure: positiveAmount,
  maxDailyNotional: positiveAmount,
  minOrderNotional: nonNegativeAmount,
  minPrice: price,
  maxPrice: price,
  maxSlippageBps: z
    .number({ error: "must be an integer number of basis points" })
    .int("must be an integer")
    .min(0, "must be ≥ 0")
    .max(9_999, "must be < 10000"),
  tickSize: tick,
};

/** Polymarket rejects marketable orders under $1; the most common tick is 0.001; no price bound unless configured. */
const RISK_DEFAULTS = { minOrderNotional: MICROS, minPrice: 0n, maxPrice: MICROS, tickSize: 1_000n };

const riskSchema = z
  .strictObject({
    ...riskFields,
    minOrderNotional: riskFields.minOrderNotional.optional(),
    minPrice: riskFields.minPrice.optional(),
    maxPrice: riskFields.maxPrice.optional(),
    tickSize: riskFields.tickSize.optional(),
  })
  .transform((risk): RiskLimits => ({ ...RISK_DEFAULTS, ...definedOnly(risk) } as RiskLimits));
const riskOverrideSchema = z
  .strictObject(riskFields)
  .partial()
  .transform((risk): Partial<RiskLimits> => definedOnly(risk));

/** Rules that span fields, checked on the merged risk of every follow. */
function riskProblems(risk: RiskLimits): { field: keyof RiskLimits; message: string }[] {
  const problems: { field: keyof RiskLimits; message: string }[] = [];
  if (risk.minPrice >= risk.maxPrice) problems.push({ field: "minPrice", message: "must be < maxPrice" });
  if (risk.maxOrderNotional < risk.minOrderNotional) {
    problems.push({ field: "maxOrderNotional", message: "must be ≥ minOrderNotional (no order could be placed)" });
  }
  return problems;
}

const leaderSchema = z.strictObject({
  address,
  label: z.string().min(1).optional(),
  estimatedBankroll: positiveAmount.optional(),
});

const followSchema = z.strictObject({
  leader: address,
  killSwitch: z.boolean().default(false),
  sizing: sizingSchema.optional(),
  risk: riskOverrideSchema.optional(),
});

const subscriberSchema = z.strictObject({
  id: z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
      "must be 1–64 characters of letters, digits, _ . - (starting with a letter or digit)",
    ),
  killSwitch: z.boolean().default(false),
  sizing: sizingSchema,
  risk: riskSchema,
  follows: z.array(followSchema).min(1, "must follow at least one leader"),
});

export const subscribersFileSchema: z.ZodType<SubscribersConfig> = z
  .strictObject({
    leaders: z.array(leaderSchema).default([]),
    subscribers: z.array(subscriberSchema),
  })
  .superRefine((file, ctx) => {
    const leaderIndex = new Map<Address, number>();
    file.leaders.forEach((leader, i) => {
      const first = leaderIndex.get(leader.address);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          message: `duplicate leader ${leader.address} (also leaders.${first})`,
          path: ["leaders", i, "address"],
        });
      } else leaderIndex.set(leader.address, i);
    });
    const subscriberIndex = new Map<string, number>();
    file.subscribers.forEach((subscriber, i) => {
      const first = subscriberIndex.get(subscriber.id);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          message: `duplicate subscriber id "${subscriber.id}" (also subscribers.${first})`,
          path: ["subscribers", i, "id"],
        });
      } else subscriberIndex.set(subscriber.id, i);
      for (const p of riskProblems(subscriber.risk))
        ctx.addIssue({ code: "custom", message: p.message, path: ["subscribers", i, "risk", p.field] });
      const followed = new Map<Address, number>();
      subscriber.follows.forEach((follow, j) => {
        const path = ["subscribers", i, "follows", j];
        const again = followed.get(follow.leader);
        if (again !== undefined) {
          ctx.addIssue({
            code: "custom",
            message: `leader ${follow.leader} is already followed (follows.${again})`,
            path: [...path, "leader"],
          });
        } else followed.set(follow.leader, j);
        if (follow.risk) {
          for (const p of riskProblems({ ...subscriber.risk, ...follow.risk })) {
            ctx.addIssue({
              code: "custom",
              message: `${p.message} (after this follow's overrides)`,
              path: [...path, "risk", p.field],
            });
          }
        }
        const sizing = follow.sizing ?? subscriber.sizing;
        const bankroll = file.leaders[leaderIndex.get(follow.leader) ?? -1]?.estimatedBankroll;
        if (sizing.policy === "adaptive" && bankroll === undefined) {
          ctx.addIssue({
            code: "custom",
            message: `adaptive sizing needs the leader's estimatedBankroll in leaders[] for ${follow.leader}`,
            path: [...path, "leader"],
          });
        }
      });
    });
  });

/** Drops keys whose value is undefined, so spreading an override never erases an inherited value. */
function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
