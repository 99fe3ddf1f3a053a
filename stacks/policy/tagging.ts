/**
 * Every taggable resource carries env, region, service and owner, so cost, alerts and inventory can be sliced by them.
 * AWS tags may come from the provider's default_tags; Hetzner has no defaults, so its labels must be on the resource.
 */
import { REQUIRED_TAG_KEYS } from "../../constructs/context";
import { loadProviderSchema } from "../../providers/catalogue";
import { blocks, resources, type Attrs, type StackJson, type Violation } from "./stack-json";

export function checkTagging(stack: StackJson): Violation[] {
  const defaults = awsDefaultTags(stack);
  const violations: Violation[] = [];
  for (const { type, address, attrs } of resources(stack)) {
    const field = tagField(type);
    if (!field) continue;
    const own = (attrs[field] ?? {}) as Attrs;
    const effective = field === "tags" ? { ...defaults.get(providerAlias(attrs)), ...own } : own;
    const missing = REQUIRED_TAG_KEYS.filter((k) => typeof effective[k] !== "string" || effective[k] === "");
    if (missing.length > 0) {
      violations.push({ policy: "required-tags", address, message: `missing ${field} ${missing.join(", ")}` });
    }
  }
  return violations;
}

/** default_tags per provider alias ("" for the default provider). */
function awsDefaultTags(stack: StackJson): Map<string, Attrs> {
  return new Map(
    (stack.provider?.aws ?? []).map((p) => {
      const tags = blocks(p.default_tags).reduce<Attrs>((acc, b) => ({ ...acc, ...((b.tags ?? {}) as Attrs) }), {});
      return [typeof p.alias === "string" ? p.alias : "", tags];
    }),
  );
}

function providerAlias(attrs: Attrs): string {
  return typeof attrs.provider === "string" ? (attrs.provider.split(".")[1] ?? "") : "";
}

const tagFieldCache = new Map<string, "tags" | "labels" | undefined>();

/** Which attribute carries tags for a resource type, or undefined if the type cannot be tagged. */
export function tagField(type: string): "tags" | "labels" | undefined {
  if (!tagFieldCache.has(type)) tagFieldCache.set(type, lookupTagField(type));
  return tagFieldCache.get(type);
}

function lookupTagField(type: string): "tags" | "labels" | undefined {
  if (type.startsWith("hcloud_")) {
    const schema = Object.values(loadProviderSchema("hcloud").provider_schemas)[0];
    return schema.resource_schemas[type]?.block.attributes?.labels ? "labels" : undefined;
  }
  if (type.startsWith("aws_")) {
    // The prebuilt bindings know which AWS types take tags: their classes expose a `tagsInput` getter.
    const module = require(`@cdktf/provider-aws/lib/${type.slice(4).replace(/_/g, "-")}`) as Record<string, unknown>;
    const cls = Object.values(module).find(
      (v): v is { prototype: object; tfResourceType: string } =>
        typeof v === "function" && (v as { tfResourceType?: string }).tfResourceType === type,
    );
    if (!cls) throw new Error(`tagging policy: no binding class for ${type}`);
    return Object.getOwnPropertyDescriptor(cls.prototype, "tagsInput") ? "tags" : undefined;
  }
  return undefined;
}
