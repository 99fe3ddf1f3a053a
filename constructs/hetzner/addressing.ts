import type { ServiceName } from "../../stacks/topology/schema";

/**
 * Private addressing inside a region's Hetzner network. Fixed addresses per host slot keep configs and firewall rules
 * stable across server replacement.
 */

/** Host slot offsets within the services subnet: listeners .10-.19, executors .20-.29, latency exporters .30-.39. */
const SLOT_BASE: Record<ServiceName, number> = { listener: 10, executor: 20, "latency-exporter": 30 };
const SLOTS_PER_SERVICE = 10;

export function servicesSubnet(networkCidr: string): string {
  const [base, prefix] = splitCidr(networkCidr);
  if (prefix > 24) throw new Error(`network ${networkCidr} is smaller than a /24: no room for the services subnet`);
  const octets = base.split(".").map(Number);
  // The first /24 after the network address: stays inside any network from /8 to /24.
  return prefix === 24 ? networkCidr : `${octets[0]}.${octets[1]}.${octets[2] + 1}.0/24`;
}

export function hostAddress(networkCidr: string, service: string, index: number): string {
  const base = (SLOT_BASE as Partial<Record<string, number>>)[service];
  if (base === undefined) throw new Error(`no address slots for service "${service}"`);
  if (!Number.isInteger(index) || index < 0 || index >= SLOTS_PER_SERVICE) {
    throw new Error(`host index ${index} for ${service} is outside 0..${SLOTS_PER_SERVICE - 1}`);
  }
  const [subnetBase] = splitCidr(servicesSubnet(networkCidr));
  const octets = subnetBase.split(".").map(Number);
  return `${octets[0]}.${octets[1]}.${octets[2]}.${base + index}`;
}

function splitCidr(cidr: string): [string, number] {
  const match = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(cidr);
  if (!match || match[1].split(".").some((o) => Number(o) > 255) || Number(match[2]) > 32) {
    throw new Error(`"${cidr}" is not an IPv4 CIDR`);
  }
  return [match[1], Number(match[2])];
}
