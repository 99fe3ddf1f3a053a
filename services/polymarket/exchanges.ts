import { getAddress, type Address } from "viem";
import { z } from "zod";
import type { ExchangeLayout } from "./abi";

export interface ExchangeContract {
  name: string;
  address: Address;
  layout: ExchangeLayout;
}

const address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "a 20-byte hex address")
  .transform((value) => getAddress(value));

export const exchangeContractSchema = z.object({
  name: z.string().min(1),
  address,
  layout: z.enum(["v1", "v2"]),
});

/**
 * Polygon mainnet exchanges as of late 2026. Addresses changed twice in one year, so services take the list from their
 * config file; this table is the default the config generators and the local chain use.
 */
export const POLYGON_EXCHANGES: readonly ExchangeContract[] = [
  { name: "ctf-exchange-v1", address: "0x4bFb41d5B3570DeFd03C39a9A4D8dE6Bd8B8982E", layout: "v1" },
  { name: "negrisk-ctf-exchange-v1", address: "0xC5d563A36AE78145C45a50134d48A1215220f80a", layout: "v1" },
  { name: "ctf-exchange-v2", address: "0xE111180000d2663C0091e4f400237545B87B996B", layout: "v2" },
  { name: "negrisk-ctf-exchange-v2", address: "0xe2222d279d744050d28e00520010520000310F59", layout: "v2" },
  { name: "exchange-v3", address: "0xe3333700cA9d93003F00f0F71f8515005F6c00Aa", layout: "v2" },
].map((e) => ({ ...e, address: getAddress(e.address) }) as ExchangeContract);

export const POLYGON_CHAIN_ID = 137;
