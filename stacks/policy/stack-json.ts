/** Walking synthesized Terraform JSON: the common ground of every policy. */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type Attrs = Record<string, Json>;
export type StackJson = {
  provider?: Record<string, Attrs[]>;
  resource?: Record<string, Record<string, Attrs>>;
  [key: string]: unknown;
};

export interface Violation {
  policy: string;
  /** Terraform address, e.g. `hcloud_firewall.service-firewall_firewall_1A2B3C`, or `provider.hcloud`. */
  address: string;
  message: string;
}

export interface ResourceRef {
  type: string;
  name: string;
  address: string;
  attrs: Attrs;
}

export function resources(stack: StackJson): ResourceRef[] {
  return Object.entries(stack.resource ?? {}).flatMap(([type, byName]) =>
    Object.entries(byName).map(([name, attrs]) => ({ type, name, address: `${type}.${name}`, attrs })),
  );
}

/** Terraform JSON writes a nested block either as one object or as a list of them. */
export function blocks(value: Json | undefined): Attrs[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v): v is Attrs => typeof v === "object" && v !== null && !Array.isArray(v));
}

export function strings(value: Json | undefined): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === "string");
}

/** True for literal `true` and for the string Terraform accepts for it. */
export function isTrue(value: Json | undefined): boolean {
  return value === true || value === "true";
}

/** A value computed by Terraform (reference or expression): its content is not known at synth time. */
export function isExpression(value: unknown): boolean {
  return typeof value === "string" && value.includes("${");
}
