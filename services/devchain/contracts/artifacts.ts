import { readFileSync } from "node:fs";
import path from "node:path";
import { parseAbi, type Abi, type Hex } from "viem";
import { formatAbiItem } from "viem/utils";
import { z } from "zod";
import { EXCHANGE_V1_EVENTS, EXCHANGE_V2_EVENTS } from "../../polymarket/abi";

export const STAND_IN_CONTRACTS = ["StandInExchangeV1", "StandInExchangeV2", "StandInDepositWallet"] as const;
export type StandInContractName = (typeof STAND_IN_CONTRACTS)[number];

export const ARTIFACTS_PATH = path.join(__dirname, "artifacts.json");

// Hand-typed so viem infers the matchOrders argument types; loadStandIn() checks them against the compiled ABI, and
// the events are the listener's own ABIs, so a stand-in whose events drift from mainnet fails to load.
const V1_CALLS = parseAbi([
  "struct OrderFill { bytes32 orderHash; address maker; uint256 makerAssetId; uint256 takerAssetId; uint256 makerAmountFilled; uint256 takerAmountFilled; uint256 fee; }",
  "function matchOrders(OrderFill takerOrder, OrderFill[] makerOrders)",
  "error NoMakerOrders()",
  "error ZeroMaker()",
  "error ZeroAmount()",
  "error InvalidAssetIds()",
]);
const V2_CALLS = parseAbi([
  "struct OrderFill { bytes32 orderHash; address maker; uint8 side; uint256 tokenId; uint256 makerAmountFilled; uint256 takerAmountFilled; uint256 fee; bytes32 builder; bytes32 metadata; }",
  "function matchOrders(OrderFill takerOrder, OrderFill[] makerOrders)",
  "error NoMakerOrders()",
  "error ZeroMaker()",
  "error ZeroAmount()",
  "error InvalidSide()",
  "error ZeroTokenId()",
]);

export const STAND_IN_V1_ABI = [...V1_CALLS, ...EXCHANGE_V1_EVENTS] as const;
export const STAND_IN_V2_ABI = [...V2_CALLS, ...EXCHANGE_V2_EVENTS] as const;
/** ERC-1271, as the exchange (and the stand-in order book) call it on a signature-type-3 order's wallet. */
export const STAND_IN_DEPOSIT_WALLET_ABI = parseAbi([
  "function isValidSignature(bytes32 hash, bytes signature) view returns (bytes4)",
]);

const TYPED_ABIS = {
  StandInExchangeV1: STAND_IN_V1_ABI,
  StandInExchangeV2: STAND_IN_V2_ABI,
  StandInDepositWallet: STAND_IN_DEPOSIT_WALLET_ABI,
} as const;

const hex = z.string().regex(/^0x[0-9a-f]*$/, "lower-case hex") as unknown as z.ZodType<Hex>;

const contractArtifact = z.object({
  source: z.string(),
  sourceSha256: z.string().regex(/^[0-9a-f]{64}$/),
  abi: z.array(z.record(z.string(), z.unknown())),
  deployedBytecode: hex,
});

const artifactsFile = z.object({
  solcVersion: z.string(),
  evmVersion: z.string(),
  optimizer: z.object({ enabled: z.boolean(), runs: z.number().int() }),
  contracts: z.object(Object.fromEntries(STAND_IN_CONTRACTS.map((name) => [name, contractArtifact])) as {
    [K in StandInContractName]: typeof contractArtifact;
  }),
});

/** The committed build output of build.ts: what runtime code uses instead of solc. */
export type StandInArtifacts = z.infer<typeof artifactsFile>;

export interface StandIn<A extends Abi> {
  abi: A;
  deployedBytecode: Hex;
}

export function readArtifacts(file = ARTIFACTS_PATH): StandInArtifacts {
  return artifactsFile.parse(JSON.parse(readFileSync(file, "utf8")));
}

export function loadStandIn<N extends StandInContractName>(
  name: N,
  artifacts: StandInArtifacts = readArtifacts(),
): StandIn<(typeof TYPED_ABIS)[N]> {
  const artifact = artifacts.contracts[name];
  const typed: Abi = TYPED_ABIS[name];
  const compiled = signatures(artifact.abi as unknown as Abi);
  const expected = signatures(typed);
  if (compiled !== expected) {
    throw new Error(`${name} in artifacts.json does not match its typed ABI; rebuild or update artifacts.ts.\n` +
      `compiled:\n${compiled}\nexpected:\n${expected}`);
  }
  return { abi: TYPED_ABIS[name], deployedBytecode: artifact.deployedBytecode };
}

function signatures(abi: Abi): string {
  return abi
    .filter((item): item is Extract<Abi[number], { type: "function" | "event" | "error" }> =>
      ["function", "event", "error"].includes(item.type),
    )
    .map((item) =>
      item.type === "event"
        ? `event ${formatAbiItem(item)} indexed:${item.inputs.map((i) => (i.indexed ? 1 : 0)).join("")}`
        : `${item.type} ${formatAbiItem(item)}`,
    )
    .sort()
    .join("\n");
}
