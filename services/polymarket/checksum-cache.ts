import { getAddress, type Address } from "viem";

/**
 * EIP-55 checksumming costs a keccak per call; the same few leaders and exchanges recur on every fill, so the hot path
 * checksums each address once. Bounded: cleared when full, a cheap reset for a cache of recurring keys.
 */
export class ChecksumCache {
  private readonly known = new Map<string, Address>();

  constructor(private readonly capacity = 10_000) {}

  of(lowerCaseAddress: string): Address {
    let address = this.known.get(lowerCaseAddress);
    if (address === undefined) {
      if (this.known.size >= this.capacity) this.known.clear();
      address = getAddress(lowerCaseAddress);
      this.known.set(lowerCaseAddress, address);
    }
    return address;
  }
}
