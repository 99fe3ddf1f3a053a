import type { Logger } from "pino";
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Address } from "viem";
import YAML from "yaml";
import { subscribersFileSchema, type CopyRule, type SubscribersConfig } from "./schema";

/** Reads and validates a subscribers file (.json, .yaml or .yml). Errors name the file and each bad field's path. */
export function loadSubscribers(file: string): SubscribersConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new Error(
      `${file}: cannot read subscribers file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
  return parseSubscribers(text, file);
}

/** Validates subscribers file content; `file` names the source in errors and picks the format by its extension. */
export function parseSubscribers(text: string, file: string): SubscribersConfig {
  const extension = path.extname(file).toLowerCase();
  let raw: unknown;
  try {
    if (extension === ".json") raw = JSON.parse(text);
    else if (extension === ".yaml" || extension === ".yml") raw = YAML.parse(text);
    else throw new Error(`unsupported extension "${extension}" (use .json, .yaml or .yml)`);
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`);
  }
  const result = subscribersFileSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${file}: ${issue.path.join(".") || "(root)"}: ${issue.message}`,
    );
    throw new Error(problems.join("\n"));
  }
  return result.data;
}

/**
 * Resolves every follow into a CopyRule (follow overrides over subscriber settings) and indexes them by leader, the
 * lookup the listener does for each fill's maker. Rules keep file order, so decisions are reproducible.
 */
export function copyRulesByLeader(config: SubscribersConfig): ReadonlyMap<Address, readonly CopyRule[]> {
  const bankrolls = new Map(config.leaders.map((leader) => [leader.address, leader.estimatedBankroll]));
  const rules = new Map<Address, CopyRule[]>();
  for (const subscriber of config.subscribers) {
    for (const follow of subscriber.follows) {
      const leaderBankroll = bankrolls.get(follow.leader);
      const rule: CopyRule = {
        subscriberId: subscriber.id,
        leader: follow.leader,
        sizing: follow.sizing ?? subscriber.sizing,
        risk: { ...subscriber.risk, ...follow.risk },
        killSwitch: subscriber.killSwitch || follow.killSwitch,
        ...(leaderBankroll !== undefined ? { leaderBankroll } : {}),
      };
      const list = rules.get(follow.leader) ?? [];
      list.push(rule);
      rules.set(follow.leader, list);
    }
  }
  return rules;
}

/**
 * SIGHUP: applies a freshly read subscribers file, or keeps the previous rules and says why. `apply` reads and applies
 * it and returns what to log about the new rules.
 */
export function reloadSubscribersOrKeep(log: Logger, apply: () => Record<string, unknown>): void {
  try {
    log.info(apply(), "subscribers reloaded");
  } catch (err) {
    log.error({ err: (err as Error).message }, "subscribers reload failed; keeping the previous rules");
  }
}
