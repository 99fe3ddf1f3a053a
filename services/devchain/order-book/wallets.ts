import { encodeAbiParameters, getCreate2Address, keccak256, type Address, type Hex } from "viem";

/**
 * Where Polymarket deploys a user's proxy (signature type 1) and Safe (type 2): CREATE2 from its factories, salted
 * with the owner EOA. Constants and salts as in Polymarket's builder-relayer-client (`builder/derive.ts`,
 * `constants`, `config`) and rs-clob-client (`derive_proxy_wallet`, `derive_safe_wallet`, whose tests pin
 * 0xf39F…2266 → proxy 0x365f…3a70, Safe 0xd93b…6e47).
 */
export interface WalletFactories {
  proxyFactory: Address;
  proxyInitCodeHash: Hex;
  safeFactory: Address;
  safeInitCodeHash: Hex;
}

export const POLYGON_WALLET_FACTORIES: WalletFactories = {
  proxyFactory: "0xaB45c5A4B0c941a2F231C04C3f49182e1A254052",
  proxyInitCodeHash: "0xd21df8dc65880a8606f09fe0ce3df9b8869287ab0b058be05aa9e8af6330a00b",
  safeFactory: "0xaacFeEa03eb1561C4e67d661e40682Bd20E3541b",
  safeInitCodeHash: "0x2bce2127ff07fb632d16c8347c4ebf501f4841168bed00d9e6ef715ddb6fcecf",
};

/** The proxy wallet of `owner`: salt = keccak256(abi.encodePacked(owner)), i.e. of the 20 address bytes. */
export function proxyWalletOf(owner: Address, factories: WalletFactories = POLYGON_WALLET_FACTORIES): Address {
  return getCreate2Address({ from: factories.proxyFactory, salt: keccak256(owner), bytecodeHash: factories.proxyInitCodeHash });
}

/** The Safe of `owner`: salt = keccak256(abi.encode(owner)), i.e. of the address left-padded to 32 bytes. */
export function safeWalletOf(owner: Address, factories: WalletFactories = POLYGON_WALLET_FACTORIES): Address {
  const salt = keccak256(encodeAbiParameters([{ type: "address" }], [owner]));
  return getCreate2Address({ from: factories.safeFactory, salt, bytecodeHash: factories.safeInitCodeHash });
}
