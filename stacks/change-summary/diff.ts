/**
 * Structural diff of two cdktf synth outputs, item by item: resources, data sources, provider blocks, outputs, the
 * backend and provider version pins. Pure (parsed JSON in, data out) so it can run on any pair of synth outputs;
 * printing and redaction live in render.ts and redact.ts.
 */

export interface SynthOutput {
  /** Stack name → the parsed Terraform JSON of that stack (cdk.tf.json). */
  stacks: Record<string, unknown>;
}

export type PathSegment = string | number;

export type ItemKind =
  | "resource"
  | "data"
  | "provider"
  | "output"
  | "variable"
  | "local"
  | "module"
  | "backend"
  | "required_provider"
  | "terraform"
  | "other";

export interface AttributeChange {
  /** Display form, e.g. "ingress[1].cidr_blocks[0]". */
  path: string;
  segments: readonly PathSegment[];
  /** Raw values, `undefined` when absent on that side. Never print these without redact.ts. */
  before: unknown;
  after: unknown;
}

export interface ResourceChange {
  /** "aws_s3_bucket.artifacts", "data.aws_caller_identity.current", "provider.aws", "output.bucket_arn", … */
  address: string;
  action: "add" | "remove" | "change";
  /** What the item is and which schema describes it, so that redaction can look up sensitive attributes. */
  kind: ItemKind;
  /** Resource or data source type, or the provider's local name. */
  type?: string;
  name: string;
  /** The item itself is declared `sensitive: true` (outputs, variables) on either side. */
  sensitive: boolean;
  /**
   * Deepest changed paths, at most MAX_CHANGED_PATHS, then "… and N more". Empty for add and remove. Map keys appear
   * verbatim, so print these through render.ts, which scrubs credential-shaped text.
   */
  changedPaths: string[];
  /** The listed paths (without the "… and N more" entry), in the same order, with their values. */
  attributes: AttributeChange[];
}

export interface StackChange {
  stack: string;
  status: "added" | "removed" | "changed" | "unchanged";
  /** Sorted by address. */
  resources: ResourceChange[];
}

/** Enough for a reviewer to see what moved; a regenerated block with hundreds of leaves would drown the table. */
export const MAX_CHANGED_PATHS = 12;

/** cdktf's `//` keys hold construct paths and stack traces: refactoring churn, not infrastructure changes. */
const METADATA_KEY = "//";

interface Item {
  address: string;
  kind: ItemKind;
  type?: string;
  name: string;
  body: unknown;
}

export function diffSynthOutputs(base: SynthOutput, head: SynthOutput): StackChange[] {
  const names = sortedUnion(Object.keys(base.stacks), Object.keys(head.stacks));
  return names.map((stack) => {
    const inBase = Object.hasOwn(base.stacks, stack);
    const inHead = Object.hasOwn(head.stacks, stack);
    const resources = diffItems(
      inBase ? stackItems(base.stacks[stack]) : new Map(),
      inHead ? stackItems(head.stacks[stack]) : new Map(),
    );
    const status = !inBase ? "added" : !inHead ? "removed" : resources.length > 0 ? "changed" : "unchanged";
    return { stack, status, resources };
  });
}

function diffItems(base: Map<string, Item>, head: Map<string, Item>): ResourceChange[] {
  const changes: ResourceChange[] = [];
  for (const address of sortedUnion([...base.keys()], [...head.keys()])) {
    const before = base.get(address);
    const after = head.get(address);
    const item = after ?? before;
    if (!item) continue;
    const summary = {
      address,
      kind: item.kind,
      type: item.type,
      name: item.name,
      sensitive: isDeclaredSensitive(before?.body) || isDeclaredSensitive(after?.body),
    };
    if (!before || !after) {
      changes.push({ ...summary, action: before ? "remove" : "add", changedPaths: [], attributes: [] });
      continue;
    }
    const attributes: AttributeChange[] = [];
    collectChanges(before.body, after.body, [], attributes);
    if (attributes.length === 0) continue;
    const shown = attributes.slice(0, MAX_CHANGED_PATHS);
    const hidden = attributes.length - shown.length;
    const changedPaths = shown.map((a) => a.path);
    if (hidden > 0) changedPaths.push(`… and ${hidden} more`);
    changes.push({ ...summary, action: "change", changedPaths, attributes: shown });
  }
  return changes;
}

/** Arrays are compared by index and objects by key, down to the deepest differing value. */
function collectChanges(before: unknown, after: unknown, segments: PathSegment[], out: AttributeChange[]): void {
  if (Array.isArray(before) && Array.isArray(after)) {
    for (let i = 0; i < Math.max(before.length, after.length); i++) {
      collectChanges(before[i], after[i], [...segments, i], out);
    }
    return;
  }
  if (isRecord(before) && isRecord(after)) {
    for (const key of sortedUnion(Object.keys(before), Object.keys(after))) {
      if (key !== METADATA_KEY) collectChanges(before[key], after[key], [...segments, key], out);
    }
    return;
  }
  if (isUnset(before) && isUnset(after)) return;
  // Nested objects and arrays on one side only (a whole block added or removed) also end up here, as one path.
  if (before !== after) out.push({ path: formatPath(segments), segments, before, after });
}

/** Terraform treats null as "not set", and cdktf writes explicit nulls for unset fields of nested blocks. */
function isUnset(value: unknown): boolean {
  return value === undefined || value === null;
}

function stackItems(stackJson: unknown): Map<string, Item> {
  const items = new Map<string, Item>();
  const add = (item: Item) => items.set(item.address, item);
  for (const [section, content] of entries(stackJson)) {
    switch (section) {
      case METADATA_KEY:
        break;
      case "resource":
      case "data":
        for (const [type, byName] of entries(content)) {
          for (const [name, body] of entries(byName)) {
            const address = section === "data" ? `data.${type}.${name}` : `${type}.${name}`;
            add({ address, kind: section, type, name, body });
          }
        }
        break;
      case "provider":
        // cdktf writes a list per provider: the default configuration and any aliased ones.
        for (const [type, configs] of entries(content)) {
          for (const body of Array.isArray(configs) ? configs : [configs]) {
            const alias = isRecord(body) && typeof body.alias === "string" ? body.alias : undefined;
            const address = alias ? `provider.${type}.${alias}` : `provider.${type}`;
            add({ address, kind: "provider", type, name: alias ?? type, body });
          }
        }
        break;
      case "output":
      case "variable":
      case "locals":
      case "module": {
        const [prefix, kind] = NAMED_SECTIONS[section];
        for (const [name, body] of entries(content)) add({ address: `${prefix}.${name}`, kind, name, body });
        break;
      }
      case "terraform":
        terraformItems(content).forEach(add);
        break;
      default:
        // moved, import, check, …: rare enough that one item per section keeps them visible without special cases.
        add({ address: section, kind: "other", name: section, body: content });
    }
  }
  return items;
}

const NAMED_SECTIONS: Record<string, [prefix: string, kind: ItemKind]> = {
  output: ["output", "output"],
  variable: ["var", "variable"],
  locals: ["local", "local"],
  module: ["module", "module"],
};

/** The backend and each provider pin get their own row; a state migration or provider upgrade must stand out. */
function terraformItems(block: unknown): Item[] {
  const items: Item[] = [];
  const rest: Record<string, unknown> = {};
  for (const [key, value] of entries(block)) {
    if (key === "backend") {
      for (const [type, body] of entries(value)) {
        items.push({ address: `terraform.backend.${type}`, kind: "backend", type, name: type, body });
      }
    } else if (key === "required_providers") {
      for (const [name, body] of entries(value)) {
        items.push({ address: `terraform.required_providers.${name}`, kind: "required_provider", name, body });
      }
    } else {
      rest[key] = value;
    }
  }
  if (Object.keys(rest).length > 0) {
    items.push({ address: "terraform", kind: "terraform", name: "terraform", body: rest });
  }
  return items;
}

function isDeclaredSensitive(body: unknown): boolean {
  return isRecord(body) && body.sensitive === true;
}

/** A whole-item value (a local that is a plain string, say) has no attribute path of its own. */
function formatPath(segments: readonly PathSegment[]): string {
  if (segments.length === 0) return "(value)";
  return segments.map((s, i) => (typeof s === "number" ? `[${s}]` : i === 0 ? s : `.${s}`)).join("");
}

function entries(value: unknown): [string, unknown][] {
  return isRecord(value) ? Object.entries(value) : [];
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Code-unit order rather than localeCompare, so that output does not depend on the machine's locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedUnion(a: Iterable<string>, b: Iterable<string>): string[] {
  return [...new Set([...a, ...b])].sort(compareStrings);
}
