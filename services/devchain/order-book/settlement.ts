import {
  concat,
  createPublicClient,
  createWalletClient,
  encodeFunctionData,
  http,
  keccak256,
  toHex,
  type Address,
  type Hex,
  type PublicClient,
  type WalletClient,
} from "viem";
import { ORDER_SIDES } from "../../polymarket/order";
import { STAND_IN_V2_ABI } from "../contracts/artifacts";
import { walletAddress } from "../simulator";
import type { BookOrder } from "./store";

export interface SettlementOptions {
  rpcUrl: string;
  /** Index into anvil's dev accounts of the operator that sends matchOrders (the simulator uses #0). */
  operatorIndex?: number;
  /** The market maker every order trades against. */
  houseWallet?: Address;
  /** Blocks on top of the inclusion block before a trade is CONFIRMED. */
  confirmations?: number;
  pollMs?: number;
  /** A sent settlement not mined within this many blocks is FAILED (dropped). */
  dropAfterBlocks?: number;
  /** Start paused: orders are MATCHED but nothing is sent until resume(). */
  paused?: boolean;
}

const ZERO_BYTES32: Hex = `0x${"00".repeat(32)}`;
/** matchOrders with one maker order uses ~40k gas; a fixed limit skips an eth_estimateGas round trip per order. */
const SETTLEMENT_GAS = 300_000n;

/**
 * Settles accepted orders on the local chain as Polymarket's operator does: one `matchOrders` per order, sent to the
 * order's verifying contract, with the subscriber's order as the taker order (so its OrderFilled has maker = the
 * subscriber's wallet and orderHash = the EIP-712 hash) against an opposite maker order of the house wallet. Trades
 * go MATCHED → MINED (receipt) → CONFIRMED (`confirmations` blocks later), or FAILED (reverted, not sendable, dropped).
 */
export class Settlement {
  private queue: BookOrder[] = [];
  private readonly sent = new Map<Hex, { entry: BookOrder; sentAfterBlock: bigint }>();
  private readonly mined = new Set<BookOrder>();
  private lastScanned = 0n;
  private paused: boolean;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  private constructor(
    private readonly chain: PublicClient,
    private readonly wallet: WalletClient,
    private readonly operator: Address,
    private readonly house: Address,
    private readonly confirmations: number,
    private readonly pollMs: number,
    private readonly dropAfterBlocks: number,
    paused: boolean,
  ) {
    this.paused = paused;
  }

  static async create(options: SettlementOptions): Promise<Settlement> {
    // cacheTime 0: viem would otherwise serve the block number from a 4 s cache, longer than a test block.
    const chain = createPublicClient({ transport: http(options.rpcUrl), cacheTime: 0 });
    const wallet = createWalletClient({ transport: http(options.rpcUrl) });
    const index = options.operatorIndex ?? 1;
    const operator = (await wallet.getAddresses())[index];
    if (!operator) throw new Error(`anvil has no dev account #${index} to operate settlement`);
    const settlement = new Settlement(
      chain,
      wallet,
      operator,
      options.houseWallet ?? walletAddress("order-book-house"),
      options.confirmations ?? 1,
      options.pollMs ?? 50,
      options.dropAfterBlocks ?? 30,
      options.paused ?? false,
    );
    settlement.schedule();
    return settlement;
  }

  enqueue(entry: BookOrder): void {
    this.queue.push(entry);
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => {
        if (!this.stopped) this.schedule();
      });
    }, this.pollMs);
  }

  private async tick(): Promise<void> {
    try {
      if (!this.paused && this.queue.length > 0) await this.sendQueued();
      if (this.sent.size > 0 || this.mined.size > 0) await this.track();
    } catch {
      // A failed RPC (anvil busy or stopping) is retried on the next tick; trades keep their state meanwhile.
    }
  }

  private async sendQueued(): Promise<void> {
    // Nothing in flight: the settlements about to be sent can only land above the current head.
    if (this.sent.size === 0 && this.mined.size === 0) this.lastScanned = await this.chain.getBlockNumber();
    const batch = this.queue;
    this.queue = [];
    for (const entry of batch) {
      try {
        const hash = await this.wallet.sendTransaction({
          account: this.operator,
          chain: null,
          to: entry.domain.verifyingContract,
          data: this.matchOrdersCall(entry),
          gas: SETTLEMENT_GAS,
        });
        entry.trade.transactionHash = hash;
        this.sent.set(hash, { entry, sentAfterBlock: this.lastScanned });
      } catch (err) {
        entry.trade.status = "FAILED";
        entry.trade.failure = `matchOrders could not be sent: ${(err as { shortMessage?: string }).shortMessage ?? (err as Error).message}`;
      }
    }
  }

  /** Reads the receipts of every block since the last scan (one call per block), then promotes and drops trades. */
  private async track(): Promise<void> {
    const head = await this.chain.getBlockNumber();
    for (let number = this.lastScanned + 1n; number <= head; number++) {
      const receipts = (await this.chain.request({ method: "eth_getBlockReceipts", params: [toHex(number)] })) ?? [];
      for (const receipt of receipts) {
        const sent = this.sent.get(receipt.transactionHash);
        if (!sent) continue;
        this.sent.delete(receipt.transactionHash);
        sent.entry.trade.blockNumber = number;
        if (receipt.status === "0x1") {
          sent.entry.trade.status = "MINED";
          this.mined.add(sent.entry);
        } else {
          sent.entry.trade.status = "FAILED";
          sent.entry.trade.failure = "matchOrders reverted";
        }
      }
      this.lastScanned = number;
    }
    for (const entry of this.mined) {
      if (head - entry.trade.blockNumber! >= BigInt(this.confirmations)) {
        entry.trade.status = "CONFIRMED";
        this.mined.delete(entry);
      }
    }
    for (const [hash, { entry, sentAfterBlock }] of this.sent) {
      if (head - sentAfterBlock > BigInt(this.dropAfterBlocks)) {
        entry.trade.status = "FAILED";
        entry.trade.failure = `matchOrders ${hash} not mined within ${this.dropAfterBlocks} blocks`;
        this.sent.delete(hash);
      }
    }
  }

  /** The subscriber's order fully filled at its own limit as the taker, against one opposite house maker order. */
  private matchOrdersCall(entry: BookOrder): Hex {
    const { order, orderHash } = entry;
    const taker = {
      orderHash,
      maker: order.maker,
      side: order.side,
      tokenId: order.tokenId,
      makerAmountFilled: order.makerAmount,
      takerAmountFilled: order.takerAmount,
      fee: 0n,
      builder: order.builder,
      metadata: order.metadata,
    };
    const house = {
      orderHash: keccak256(concat([toHex("poly-syncer/devchain/order-book/house"), orderHash])),
      maker: this.house,
      side: order.side === ORDER_SIDES.BUY ? ORDER_SIDES.SELL : ORDER_SIDES.BUY,
      tokenId: order.tokenId,
      makerAmountFilled: order.takerAmount,
      takerAmountFilled: order.makerAmount,
      fee: 0n,
      builder: ZERO_BYTES32,
      metadata: ZERO_BYTES32,
    };
    return encodeFunctionData({ abi: STAND_IN_V2_ABI, functionName: "matchOrders", args: [taker, [house]] });
  }
}
