/**
 * Who can reach what. Two rules: nothing is open to the whole internet unless it is a documented public port, and
 * admin/metrics ports are never open to it, documented or not.
 */
import { DOCUMENTED_PUBLIC_PORTS } from "../../constructs/hetzner/firewall-rules";
import { blocks, resources, strings, type Json, type StackJson, type Violation } from "./stack-json";

const ANYWHERE = new Set(["0.0.0.0/0", "::/0"]);

interface Ingress {
  address: string;
  protocol: string;
  fromPort: number;
  toPort: number;
  sources: string[];
}

export function checkNetworkExposure(stack: StackJson, adminPorts: number[]): Violation[] {
  const violations: Violation[] = [];
  for (const rule of ingressRules(stack)) {
    const openSources = rule.sources.filter((s) => ANYWHERE.has(s) || isBroadPublic(s));
    if (openSources.length === 0) continue;
    const exposedAdmin = hasPorts(rule.protocol) ? adminPorts.filter((p) => p >= rule.fromPort && p <= rule.toPort) : [];
    if (exposedAdmin.length > 0) {
      violations.push({
        policy: "admin-ports-never-public",
        address: rule.address,
        message: `admin/metrics port ${exposedAdmin.join(", ")} is open to ${openSources.join(", ")}`,
      });
      continue;
    }
    if (!isDocumentedPublic(rule)) {
      violations.push({
        policy: "no-public-ingress",
        address: rule.address,
        message: `${rule.protocol} ${portText(rule)} is open to ${openSources.join(", ")} and is not a documented public port`,
      });
    }
  }
  return violations;
}

function ingressRules(stack: StackJson): Ingress[] {
  return resources(stack).flatMap(({ type, address, attrs }): Ingress[] => {
    switch (type) {
      case "hcloud_firewall":
        return blocks(attrs.rule)
          .filter((r) => r.direction === "in")
          .map((r) => ({ address, protocol: String(r.protocol), ...hcloudPorts(r.port), sources: strings(r.source_ips) }));
      case "aws_security_group":
        return blocks(attrs.ingress).map((r) => awsIngress(address, r.protocol, r.from_port, r.to_port, [
          ...strings(r.cidr_blocks),
          ...strings(r.ipv6_cidr_blocks),
        ]));
      case "aws_security_group_rule":
        return attrs.type === "ingress"
          ? [awsIngress(address, attrs.protocol, attrs.from_port, attrs.to_port, [...strings(attrs.cidr_blocks), ...strings(attrs.ipv6_cidr_blocks)])]
          : [];
      case "aws_vpc_security_group_ingress_rule":
        return [awsIngress(address, attrs.ip_protocol, attrs.from_port, attrs.to_port, [...strings(attrs.cidr_ipv4), ...strings(attrs.cidr_ipv6)])];
      default:
        return [];
    }
  });
}

function awsIngress(address: string, protocol: Json | undefined, from: Json | undefined, to: Json | undefined, sources: string[]): Ingress {
  // AWS writes "all protocols" as -1 and then ignores the port range.
  const all = String(protocol) === "-1" || String(protocol) === "all";
  return {
    address,
    protocol: all ? "all" : String(protocol),
    fromPort: all ? 0 : Number(from ?? 0),
    toPort: all ? 65535 : Number(to ?? 65535),
    sources,
  };
}

function hcloudPorts(port: Json | undefined): { fromPort: number; toPort: number } {
  if (port === undefined || port === null || port === "any") return { fromPort: 0, toPort: 65535 };
  const [from, to] = String(port).split("-").map(Number);
  return { fromPort: from, toPort: to ?? from };
}

/** A public prefix wider than a /16 is, for exposure purposes, the internet. */
function isBroadPublic(cidr: string): boolean {
  const m = /^(\d+)\.(\d+)\.\d+\.\d+\/(\d+)$/.exec(cidr);
  if (!m) return false;
  const [a, b, prefix] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const isPrivate = a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || a === 127;
  return !isPrivate && prefix < 16;
}

/** ICMP and friends have no ports: a port range on them means message types, not services. */
function hasPorts(protocol: string): boolean {
  return protocol === "tcp" || protocol === "udp" || protocol === "all" || protocol === "6" || protocol === "17";
}

function isDocumentedPublic(rule: Ingress): boolean {
  return DOCUMENTED_PUBLIC_PORTS.some(
    (d) => d.protocol === rule.protocol && (d.port === undefined ? rule.protocol === "icmp" : d.port === portText(rule)),
  );
}

function portText(rule: Ingress): string {
  return rule.fromPort === rule.toPort ? String(rule.fromPort) : `${rule.fromPort}-${rule.toPort}`;
}
