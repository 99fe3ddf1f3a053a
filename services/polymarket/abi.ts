import { parseAbi, toEventSelector } from "viem";

// Exact signatures from Polymarket's contracts: topic0 is derived from them, so a typo here would make the listener
// blind. test/polymarket/abi.test.ts cross-checks the derived topics against the published hashes.
export const EXCHANGE_V1_EVENTS = parseAbi([
  "event OrderFilled(bytes32 indexed orderHash, address indexed maker, address indexed taker, uint256 makerAssetId, uint256 takerAssetId, uint256 makerAmountFilled, uint256 takerAmountFilled, uint256 fee)",
  "event OrdersMatched(bytes32 indexed takerOrderHash, address indexed takerOrderMaker, uint256 makerAssetId, uint256 takerAssetId, uint256 makerAmountFilled, uint256 takerAmountFilled)",
]);

// CLOB V2 exchanges and ExchangeV3 share these layouts.
export const EXCHANGE_V2_EVENTS = parseAbi([
  "event OrderFilled(bytes32 indexed orderHash, address indexed maker, address indexed taker, uint8 side, uint256 tokenId, uint256 makerAmountFilled, uint256 takerAmountFilled, uint256 fee, bytes32 builder, bytes32 metadata)",
  "event OrdersMatched(bytes32 indexed takerOrderHash, address indexed takerOrderMaker, uint8 side, uint256 tokenId, uint256 makerAmountFilled, uint256 takerAmountFilled)",
]);

export const ORDER_FILLED_V1_TOPIC = toEventSelector(EXCHANGE_V1_EVENTS[0]);
export const ORDERS_MATCHED_V1_TOPIC = toEventSelector(EXCHANGE_V1_EVENTS[1]);
export const ORDER_FILLED_V2_TOPIC = toEventSelector(EXCHANGE_V2_EVENTS[0]);
export const ORDERS_MATCHED_V2_TOPIC = toEventSelector(EXCHANGE_V2_EVENTS[1]);

/** "v1": legacy CTF exchanges (asset id 0 = collateral); "v2": CLOB V2 exchanges and ExchangeV3 (explicit side). */
export type ExchangeLayout = "v1" | "v2";
