import {
  createPublicClient,
  createWalletClient,
  encodeFunctionData,
  getAddress,
  http,
  isAddressEqual,
  keccak256,
  createClient,
  rpcSchema,
  type Client,
  type Transport,
  toHex,
  type Address,
  type Hex,
  type PublicClient,
  type TransactionReceipt,
  type WalletClient,
} from "viem";
import { ORDER_FILLED_V1_TOPIC, ORDER_FILLED_V2_TOPIC } from "../polymarket/abi";
import { POLYGON_EXCHANGES, type ExchangeContract } from "../polymarket/exchanges";
import type { Fill, Side } from "../listener/fill";
import { STAND_IN_V1_ABI, STAND_IN_V2_ABI } from "./contracts/artifacts";

// ---------------------------------------------------------------------------------------------------------------
// Pure helpers: deterministic wallets, randomness and match construction.
// ---------------------------------------------------------------------------------------------------------------

const ZERO_BYTES32: Hex = `0x${"00".repeat(32)}`;

/**
 * A deterministic stand-in for a Polymarket profile wallet (proxy, Safe or deposit wallet). Deliberately not an anvil
 * key: on mainnet the order's maker is the funder, never the key that sends the settlement transaction.
 */
export function walletAddress(name: string): Address {
  return getAddress(`0x${keccak256(toHex(`poly-syncer/devchain/wallet/${name}`)).slice(-40)}`);
}

/** Seeded PRNG (mulberry32): the same seed yields the same trades, so benchmarks and failures are replayable. */
export class Rng {
  private state: number;

  constructor(seed: string | number) {
    this.state = typeof seed === "number" ? seed >>> 0 : Number.parseInt(keccak256(toHex(seed)).slice(2, 10), 16);
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("cannot pick from an empty list");
    return items[this.int(0, items.length - 1)]!;
  }

  bytes32(): Hex {
    let hex = "";
    for (let i = 0; i < 8; i++) hex += this.int(0, 0xffffffff).toString(16).padStart(8, "0");
    return `0x${hex}`;
  }
}

/** One order's part in a settlement, in trader terms; encoded per exchange layout only when sent. */
export interface OrderSpec {
  orderHash: Hex;
  /** The funder wallet (proxy/Safe), i.e. the `maker` of the OrderFilled log. */
  maker: Address;
  side: Side;
  tokenId: bigint;
  /** 6-decimal collateral, gross of fees. */
  collateralAmount: bigint;
  /** 6-decimal outcome shares. */
  shareAmount: bigint;
  fee: bigint;
  /** V2/V3 only; the V1 layout has no such fields. */
  builder: Hex;
  metadata: Hex;
}

/** A `matchOrders` call: one taker order against resting maker orders. */
export interface MatchSpec {
  exchange: ExchangeContract;
  taker: OrderSpec;
  makers: OrderSpec[];
}

export interface MatchPlan {
  exchange: ExchangeContract;
  tokenId: bigint;
  /** The taker order's funder wallet and side; every resting maker order takes the opposite side. */
  taker: { wallet: Address; side: Side };
  makers: readonly Address[];
  /** Fee charged on the taker order's collateral; makers pay none, as on most Polymarket markets. */
  takerFeeBps?: number;
}

/** A deterministic outcome token id, the way CTF position ids look: a full-width uint256. */
export function tokenIdFor(market: string): bigint {
  return BigInt(keccak256(toHex(`poly-syncer/devchain/token/${market}`)));
}

/**
 * Builds a realistic settlement: each maker order at its own price on a 1-cent tick, 5–500 shares with 2 decimals (so
 * collateral stays an exact 6-decimal amount); the taker order aggregates them, as the exchange reports it.
 */
export function buildMatch(plan: MatchPlan, rng: Rng): MatchSpec {
  if (plan.makers.length === 0) throw new Error("a match needs at least one maker order");
  const makerSide: Side = plan.taker.side === "BUY" ? "SELL" : "BUY";
  const makers = plan.makers.map((maker): OrderSpec => {
    const cents = BigInt(rng.int(1, 99));
    const shareAmount = BigInt(rng.int(500, 50_000)) * 10_000n;
    return order(rng, maker, makerSide, plan.tokenId, (shareAmount * cents) / 100n, shareAmount, 0n);
  });
  const collateral = makers.reduce((sum, m) => sum + m.collateralAmount, 0n);
  const shares = makers.reduce((sum, m) => sum + m.shareAmount, 0n);
  const fee = (collateral * BigInt(plan.takerFeeBps ?? 0)) / 10_000n;
  return {
    exchange: plan.exchange,
    taker: order(rng, plan.taker.wallet, plan.taker.side, plan.tokenId, collateral, shares, fee),
    makers,
  };
}

function order(
  rng: Rng,
  maker: Address,
  side: Side,
  tokenId: bigint,
  collateralAmount: bigint,
  shareAmount: bigint,
  fee: bigint,
): OrderSpec {
  return { orderHash: rng.bytes32(), maker, side, tokenId, collateralAmount, shareAmount, fee, builder: ZERO_BYTES32, metadata: ZERO_BYTES32 };
}

/** Calldata of `matchOrders` in the exchange's layout (V1: asset id 0 is collateral; V2/V3: explicit side). */
export function encodeMatch(match: MatchSpec): Hex {
  if (match.exchange.layout === "v1") {
    return encodeFunctionData({
      abi: STAND_IN_V1_ABI,
      functionName: "matchOrders",
      args: [toV1Order(match.taker), match.makers.map(toV1Order)],
    });
  }
  return encodeFunctionData({
    abi: STAND_IN_V2_ABI,
    functionName: "matchOrders",
    args: [toV2Order(match.taker), match.makers.map(toV2Order)],
  });
}

function toV1Order(o: OrderSpec) {
  const buy = o.side === "BUY";
  return {
    orderHash: o.orderHash,
    maker: o.maker,
    makerAssetId: buy ? 0n : o.tokenId,
    takerAssetId: buy ? o.tokenId : 0n,
    makerAmountFilled: buy ? o.collateralAmount : o.shareAmount,
    takerAmountFilled: buy ? o.shareAmount : o.collateralAmount,
    fee: o.fee,
  };
}

function toV2Order(o: OrderSpec) {
  const buy = o.side === "BUY";
  return {
    orderHash: o.orderHash,
    maker: o.maker,
    side: buy ? 0 : 1,
    tokenId: o.tokenId,
    makerAmountFilled: buy ? o.collateralAmount : o.shareAmount,
    takerAmountFilled: buy ? o.shareAmount : o.collateralAmount,
    fee: o.fee,
    builder: o.builder,
    metadata: o.metadata,
  };
}

/** The orders of a match in the order the exchange logs their OrderFilled events: makers first, then the taker. */
function loggedOrders(match: MatchSpec): OrderSpec[] {
  return [...match.makers, match.taker];
}

/**
 * The fills a correct listener must report for a mined match: one per OrderFilled log, built from what was submitted
 * (not decoded from the log), with the chain coordinates taken from the receipt.
 */
export function expectedFills(match: MatchSpec, receipt: TransactionReceipt, blockTimestamp: number, chainId: number): Fill[] {
  const topic = match.exchange.layout === "v1" ? ORDER_FILLED_V1_TOPIC : ORDER_FILLED_V2_TOPIC;
  const logs = receipt.logs.filter((l) => isAddressEqual(l.address, match.exchange.address) && l.topics[0] === topic);
  const orders = loggedOrders(match);
  if (logs.length !== orders.length) {
    throw new Error(`tx ${receipt.transactionHash}: ${logs.length} OrderFilled logs, expected ${orders.length}`);
  }
  return orders.map((o, i) => {
    const log = logs[i]!;
    const isTaker = i === orders.length - 1;
    const taker = isTaker ? match.exchange.address : match.taker.maker;
    if (!log.topics[2] || !isAddressEqual(`0x${log.topics[2].slice(-40)}`, o.maker)) {
      throw new Error(`tx ${receipt.transactionHash}: OrderFilled #${i} maker differs from the submitted order`);
    }
    return {
      chainId,
      exchange: match.exchange.address,
      layout: match.exchange.layout,
      blockNumber: receipt.blockNumber,
      blockHash: receipt.blockHash,
      blockTimestamp,
      txHash: receipt.transactionHash,
      logIndex: log.logIndex,
      orderHash: o.orderHash,
      maker: o.maker,
      taker: getAddress(taker),
      side: o.side,
      tokenId: o.tokenId,
      collateralAmount: o.collateralAmount,
      shareAmount: o.shareAmount,
      price: Number(o.collateralAmount) / Number(o.shareAmount),
      fee: o.fee,
    };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// I/O shell: sends settlements to anvil as an operator and reports what landed.
// ---------------------------------------------------------------------------------------------------------------

export interface SubmittedMatch {
  match: MatchSpec;
  txHash: Hex;
  blockNumber: bigint;
  blockHash: Hex;
  exchange: Address;
  /** Every OrderFilled of the transaction in log order, whoever the maker. */
  fills: Fill[];
  /** The fills whose maker is one of the leaders: exactly what a listener following them must emit. */
  leaderFills: Fill[];
}

export interface TradeSimulatorOptions {
  rpcUrl: string;
  /** Seed of the simulator's own randomness (prices, sizes, order hashes, counterparties). */
  seed?: string | number;
  /** Index into anvil's dev accounts of the operator that sends `matchOrders`. */
  operatorIndex?: number;
  /** Exchanges the stand-ins were installed at. */
  exchanges?: readonly ExchangeContract[];
  receiptTimeoutMs?: number;
}

export interface LeaderFillOptions {
  leader: Address;
  exchange?: ExchangeContract;
  /** The leader's side. */
  side?: Side;
  tokenId?: bigint;
  /** Counterparty orders in the same settlement (resting makers beside the leader, or the makers the leader takes). */
  counterparties?: number;
}

export interface MultiFillOptions {
  /** Resting maker orders' wallets, in log order; may hold several leaders and counterparties. */
  makers: readonly Address[];
  /** Wallets to report leader fills for. */
  leaders: readonly Address[];
  exchange?: ExchangeContract;
  takerSide?: Side;
  taker?: Address;
  tokenId?: bigint;
}

export interface BlockRef {
  number: bigint;
  hash: Hex;
}

export interface ReorgResult {
  depth: number;
  /** The blocks that left the canonical chain, oldest first. */
  removed: BlockRef[];
  /** Their replacements: same numbers, new hashes, no transactions. */
  replacements: BlockRef[];
  /** Every transaction of the removed blocks; anvil does not return them to the pool, so none is mined again. */
  droppedTxs: Hex[];
}

export interface RandomRunOptions {
  /** Settlement transactions sent per block; each carries 1–3 maker orders plus the taker's aggregated fill. */
  fillsPerBlock: number;
  leaders: readonly Address[];
  seed: string | number;
  /** Stop after this many transactions... */
  count?: number;
  /** ...or once this much time has passed, whichever comes first. */
  durationMs?: number;
}

export interface RandomRunResult {
  submitted: SubmittedMatch[];
  leaderFills: Fill[];
}

const POLL_MS = 20;

/** anvil methods viem has no action for. */
type AnvilRpcSchema = [
  // Replacement-block transactions are [tx request or raw tx, block offset] pairs; we always pass none.
  { Method: "anvil_reorg"; Parameters: [depth: number, txBlockPairs: []]; ReturnType: null },
];

export class TradeSimulator {
  readonly exchanges: readonly ExchangeContract[];
  private readonly rng: Rng;
  private counterpartySeq = 0;

  private constructor(
    private readonly pub: PublicClient,
    private readonly anvil: Client<Transport, undefined, undefined, AnvilRpcSchema>,
    private readonly wallet: WalletClient,
    private readonly operator: Address,
    readonly chainId: number,
    private readonly receiptTimeoutMs: number,
    options: TradeSimulatorOptions,
  ) {
    this.exchanges = options.exchanges ?? POLYGON_EXCHANGES;
    this.rng = new Rng(options.seed ?? "poly-syncer-devchain");
  }

  static async create(options: TradeSimulatorOptions): Promise<TradeSimulator> {
    // cacheTime 0: viem otherwise serves the block number from a 4 s cache, far longer than a test block.
    const pub = createPublicClient({ transport: http(options.rpcUrl), cacheTime: 0, pollingInterval: POLL_MS });
    const wallet = createWalletClient({ transport: http(options.rpcUrl) });
    const anvil = createClient({ transport: http(options.rpcUrl), rpcSchema: rpcSchema<AnvilRpcSchema>() });
    const accounts = await wallet.getAddresses();
    const operator = accounts[options.operatorIndex ?? 0];
    if (!operator) throw new Error(`anvil has no dev account #${options.operatorIndex ?? 0}`);
    const chainId = await pub.getChainId();
    return new TradeSimulator(pub, anvil, wallet, operator, chainId, options.receiptTimeoutMs ?? 10_000, options);
  }

  /** The exchange with this name; defaults to the CLOB V2 exchange, where most volume settles. */
  exchange(name = "ctf-exchange-v2"): ExchangeContract {
    const found = this.exchanges.find((e) => e.name === name);
    if (!found) throw new Error(`unknown exchange ${name}`);
    return found;
  }

  /** A fresh non-leader wallet. */
  counterparty(): Address {
    return walletAddress(`counterparty-${this.counterpartySeq++}`);
  }

  /** The leader's order rests in the book and is filled by a counterparty's taker order. */
  leaderAsMaker(options: LeaderFillOptions): Promise<SubmittedMatch> {
    const side = options.side ?? "BUY";
    const others = Array.from({ length: options.counterparties ?? 0 }, () => this.counterparty());
    return this.submit(
      buildMatch(
        {
          exchange: options.exchange ?? this.exchange(),
          tokenId: options.tokenId ?? tokenIdFor("default"),
          taker: { wallet: this.counterparty(), side: side === "BUY" ? "SELL" : "BUY" },
          makers: [...others, options.leader],
        },
        this.rng,
      ),
      [options.leader],
    );
  }

  /** The leader's order is the taker: its fill is the aggregated OrderFilled whose taker is the exchange. */
  leaderAsTaker(options: LeaderFillOptions): Promise<SubmittedMatch> {
    return this.submit(
      buildMatch(
        {
          exchange: options.exchange ?? this.exchange(),
          tokenId: options.tokenId ?? tokenIdFor("default"),
          taker: { wallet: options.leader, side: options.side ?? "BUY" },
          makers: Array.from({ length: Math.max(1, options.counterparties ?? 1) }, () => this.counterparty()),
          takerFeeBps: 100,
        },
        this.rng,
      ),
      [options.leader],
    );
  }

  /** Several maker orders settled in one transaction, e.g. two leaders and a counterparty. */
  multiFill(options: MultiFillOptions): Promise<SubmittedMatch> {
    return this.submit(
      buildMatch(
        {
          exchange: options.exchange ?? this.exchange(),
          tokenId: options.tokenId ?? tokenIdFor("default"),
          taker: { wallet: options.taker ?? this.counterparty(), side: options.takerSide ?? "BUY" },
          makers: options.makers,
        },
        this.rng,
      ),
      options.leaders,
    );
  }

  /** Sends and waits for the receipt (interval mining: the next block). */
  async submit(match: MatchSpec, leaders: readonly Address[]): Promise<SubmittedMatch> {
    return this.settled(match, await this.send(match), leaders);
  }

  /** Sends without waiting, so several settlements can land in the same block. */
  send(match: MatchSpec): Promise<Hex> {
    return this.wallet.sendTransaction({
      account: this.operator,
      chain: null,
      to: match.exchange.address,
      data: encodeMatch(match),
    });
  }

  /** Waits (bounded) for a sent match to be mined and derives the fills it must produce. */
  async settled(match: MatchSpec, txHash: Hex, leaders: readonly Address[]): Promise<SubmittedMatch> {
    const receipt = await this.waitForReceipt(txHash);
    if (receipt.status !== "success") throw new Error(`matchOrders ${txHash} reverted`);
    const block = await this.pub.getBlock({ blockHash: receipt.blockHash });
    const fills = expectedFills(match, receipt, Number(block.timestamp), this.chainId);
    return {
      match,
      txHash,
      blockNumber: receipt.blockNumber,
      blockHash: receipt.blockHash,
      exchange: match.exchange.address,
      fills,
      leaderFills: fills.filter((f) => leaders.some((l) => isAddressEqual(l, f.maker))),
    };
  }

  waitForReceipt(hash: Hex, timeoutMs = this.receiptTimeoutMs): Promise<TransactionReceipt> {
    return this.pub.waitForTransactionReceipt({ hash, timeout: timeoutMs, pollingInterval: POLL_MS });
  }

  /**
   * Replaces the last `depth` blocks, which must include `txHash`, with empty blocks of the same numbers (anvil_reorg),
   * so the fill leaves the canonical chain. anvil keeps interval mining meanwhile, and evm_setIntervalMining only
   * takes whole seconds, so instead of pausing the miner this starts right after a new head and verifies the result.
   */
  async reorg(depth: number, txHash: Hex): Promise<ReorgResult> {
    if (!Number.isInteger(depth) || depth < 1) throw new Error(`reorg depth must be a positive integer, got ${depth}`);
    const receipt = await this.pub.getTransactionReceipt({ hash: txHash });
    const head = await this.nextHead();
    if (head - receipt.blockNumber + 1n > BigInt(depth)) {
      throw new Error(`tx ${txHash} is in block ${receipt.blockNumber}, deeper than ${depth} below head ${head}`);
    }
    if (BigInt(depth) > head) throw new Error(`reorg depth ${depth} would pass the genesis block (head ${head})`);
    const numbers = Array.from({ length: depth }, (_, i) => head - BigInt(depth - 1 - i));
    // anvil rewinds state to the common ancestor's stored state, so a reorg below the block that first carried the
    // anvil_setCode'd stand-ins would silently delete them.
    const [removed, codeAtAncestor] = await Promise.all([
      Promise.all(numbers.map((n) => this.pub.getBlock({ blockNumber: n }))),
      Promise.all(this.exchanges.map((e) => this.pub.getCode({ address: e.address, blockNumber: head - BigInt(depth) }))),
    ]);
    if (codeAtAncestor.some((code) => !code)) {
      throw new Error(`reorg to block ${head - BigInt(depth)} would remove the stand-in exchanges installed after it`);
    }
    await this.anvil.request({ method: "anvil_reorg", params: [depth, []] });

    const replacements = await Promise.all(numbers.map((n) => this.pub.getBlock({ blockNumber: n })));
    const stillThere = await this.pub.getTransactionReceipt({ hash: txHash }).then(
      () => true,
      () => false,
    );
    if (stillThere || replacements.some((b, i) => b.hash === removed[i]?.hash)) {
      throw new Error(`reorg of ${depth} blocks raced with block production; ${txHash} may still be canonical`);
    }
    return {
      depth,
      removed: removed.map(blockRef),
      replacements: replacements.map(blockRef),
      droppedTxs: removed.flatMap((b) => b.transactions),
    };
  }

  /**
   * A steady, deterministic (given the seed) mix across all exchanges: about a third of the settlements involve no
   * leader, the rest have a leader resting, taking, or two leaders in one transaction. Block timing is the chain's.
   */
  async runRandom(options: RandomRunOptions): Promise<RandomRunResult> {
    if (options.count === undefined && options.durationMs === undefined) {
      throw new Error("runRandom needs count or durationMs to stay bounded");
    }
    if (options.fillsPerBlock < 1) throw new Error("fillsPerBlock must be at least 1");
    const rng = new Rng(options.seed);
    const count = options.count ?? Number.POSITIVE_INFINITY;
    const deadline = Date.now() + (options.durationMs ?? Number.POSITIVE_INFINITY);
    const submitted: SubmittedMatch[] = [];
    let sent = 0;
    while (sent < count && Date.now() < deadline) {
      const batch = Array.from({ length: Math.min(options.fillsPerBlock, count - sent) }, () =>
        randomMatch(rng, this.exchanges, options.leaders),
      );
      const hashes: Hex[] = [];
      for (const match of batch) hashes.push(await this.send(match));
      sent += batch.length;
      // Waiting for this batch's receipts paces the run at one batch per block.
      submitted.push(...(await Promise.all(batch.map((m, i) => this.settled(m, hashes[i]!, options.leaders)))));
    }
    return { submitted, leaderFills: submitted.flatMap((s) => s.leaderFills) };
  }

  /** Resolves with the new head number as soon as one is mined, leaving nearly a full block interval to act in. */
  private async nextHead(): Promise<bigint> {
    const start = await this.pub.getBlockNumber();
    const deadline = Date.now() + this.receiptTimeoutMs;
    while (Date.now() < deadline) {
      const head = await this.pub.getBlockNumber();
      if (head > start) return head;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS / 4));
    }
    throw new Error(`no new block within ${this.receiptTimeoutMs} ms`);
  }
}

function blockRef(block: { number: bigint; hash: Hex }): BlockRef {
  return { number: block.number, hash: block.hash };
}

/**
 * The random mix's markets. A market lives on one exchange, as on Polymarket, so a copy order for its token is routed
 * (ORDER_ROUTES) to the exchange whose domain the venue expects for that token; eight markets over the five exchanges.
 */
export const SIMULATED_MARKETS: readonly { tokenId: bigint; exchange: string }[] = Array.from({ length: 8 }, (_, i) => ({
  tokenId: tokenIdFor(`random-market-${i}`),
  exchange: POLYGON_EXCHANGES[i % POLYGON_EXCHANGES.length]!.name,
}));

/** One settlement of the random mix; counterparties come from a small pool so wallets recur as they do on chain. */
export function randomMatch(rng: Rng, exchanges: readonly ExchangeContract[], leaders: readonly Address[]): MatchSpec {
  const cp = () => walletAddress(`random-counterparty-${rng.int(0, 49)}`);
  const side: Side = rng.next() < 0.5 ? "BUY" : "SELL";
  const roll = leaders.length === 0 ? 0 : rng.next();
  const makerCount = rng.int(1, 3);
  const makers = Array.from({ length: makerCount }, cp);
  let taker = cp();
  if (roll >= 0.35 && roll < 0.7) makers[rng.int(0, makerCount - 1)] = rng.pick(leaders);
  else if (roll >= 0.7 && roll < 0.9) taker = rng.pick(leaders);
  else if (roll >= 0.9) {
    const first = rng.int(0, leaders.length - 1);
    makers.splice(0, 2, leaders[first]!, leaders[(first + 1) % leaders.length]!);
  }
  const market = rng.pick(SIMULATED_MARKETS.filter((m) => exchanges.some((e) => e.name === m.exchange)));
  return buildMatch(
    {
      exchange: exchanges.find((e) => e.name === market.exchange)!,
      tokenId: market.tokenId,
      taker: { wallet: taker, side },
      makers,
      takerFeeBps: rng.pick([0, 0, 0, 100, 200]),
    },
    rng,
  );
}
