/**
 * Checks synthesized Terraform JSON against provider schemas (the `terraform providers schema -json` format).
 * Terraform itself cannot run here, so this stands in for the argument validation `terraform validate` would do
 * for the providers in `providers/catalogue.ts` and Terraform's built-in one; resources of any other provider are left
 * alone.
 */
import { loadSynthOutput } from "../change-summary/load";
import { isExpression } from "../policy/stack-json";
import {
  AttributeSchema,
  BlockSchema,
  NestedBlockSchema,
  PROVIDERS,
  ProviderSchemaEntry,
  ProviderSchemaFile,
  loadProviderSchema,
} from "../../providers/catalogue";

export interface SchemaViolation {
  stack: string;
  /** Terraform address: "hcloud_server.listener_1", "data.x.y", "provider.hcloud" or "provider.hcloud.<alias>". */
  address: string;
  /** Dotted path inside the block, e.g. "network[0].ip"; "" when the whole block is meant. */
  attribute: string;
  message: string;
}

export function formatViolation(v: SchemaViolation): string {
  const target = v.attribute ? `${v.address}.${v.attribute}` : v.address;
  return `${v.stack}: ${target}: ${v.message}`;
}

type JsonObject = Record<string, unknown>;
type Report = (attribute: string, message: string) => void;

const RESOURCE_META_ARGUMENTS: ReadonlySet<string> = new Set([
  "count",
  "for_each",
  "depends_on",
  "lifecycle",
  "provider",
  "provisioner",
  "connection",
]);
const PROVIDER_META_ARGUMENTS: ReadonlySet<string> = new Set(["alias"]);
const NO_META_ARGUMENTS: ReadonlySet<string> = new Set();

export function validateStack(stackName: string, stackJson: unknown, schemas: ProviderSchemaFile[]): SchemaViolation[] {
  const violations: SchemaViolation[] = [];
  const reporterFor =
    (address: string): Report =>
    (attribute, message) =>
      violations.push({ stack: stackName, address, attribute, message });

  const stack = asObject(stackJson);
  if (!stack) {
    reporterFor("")("", "stack JSON is not an object");
    return violations;
  }
  const providers = providersByLocalName(schemas);

  // cdktf writes each provider as an array of configurations (one per alias); Terraform JSON also allows a lone object.
  for (const [name, value] of Object.entries(asObject(stack.provider) ?? {})) {
    const provider = providers.get(name);
    if (!provider) continue;
    for (const config of Array.isArray(value) ? value : [value]) {
      const alias = asObject(config)?.alias;
      const address = typeof alias === "string" ? `provider.${name}.${alias}` : `provider.${name}`;
      checkBlockBody(config, provider.provider.block, PROVIDER_META_ARGUMENTS, "", reporterFor(address));
    }
  }

  for (const kind of ["resource", "data"] as const) {
    for (const [type, instances] of Object.entries(asObject(stack[kind]) ?? {})) {
      // Terraform's implied provider of a resource type is the part before the first underscore.
      const provider = providers.get(type.split("_")[0]);
      if (!provider) continue;
      const schema = kind === "resource" ? provider.resource_schemas[type] : provider.data_source_schemas?.[type];
      for (const [name, body] of Object.entries(asObject(instances) ?? {})) {
        const report = reporterFor(kind === "data" ? `data.${type}.${name}` : `${type}.${name}`);
        if (schema) checkBlockBody(body, schema.block, RESOURCE_META_ARGUMENTS, "", report);
        else report("", `${kind === "data" ? "data source" : "resource"} type not in the provider schema`);
      }
    }
  }
  return violations;
}

/** Validates every stack listed in a cdktf output directory's manifest.json against all catalogued providers. */
export function validateSynthOutput(outdir: string): SchemaViolation[] {
  const { stacks } = loadSynthOutput(outdir);
  const schemas = PROVIDERS.map((p) => loadProviderSchema(p.name));
  return Object.entries(stacks).flatMap(([name, json]) => validateStack(name, json, schemas));
}

/**
 * Terraform's built-in provider (terraform.io/builtin/terraform) is never downloaded, so it has no file in
 * providers/schemas; this is its `terraform providers schema -json` entry for the types the stacks use.
 */
const BUILTIN_TERRAFORM: ProviderSchemaEntry = {
  provider: { block: {} },
  resource_schemas: {
    terraform_data: {
      block: {
        attributes: {
          id: { type: "string", computed: true },
          input: { type: "dynamic", optional: true },
          output: { type: "dynamic", computed: true },
          triggers_replace: { type: "dynamic", optional: true },
        },
      },
    },
  },
  data_source_schemas: {
    terraform_remote_state: {
      block: {
        attributes: {
          backend: { type: "string", required: true },
          config: { type: "dynamic", optional: true },
          defaults: { type: "dynamic", optional: true },
          outputs: { type: "dynamic", computed: true },
          workspace: { type: "string", optional: true },
        },
      },
    },
  },
};

/** Keyed by the provider's default local name, which is the last segment of its source address. */
function providersByLocalName(schemas: ProviderSchemaFile[]): Map<string, ProviderSchemaEntry> {
  const byName = new Map<string, ProviderSchemaEntry>([["terraform", BUILTIN_TERRAFORM]]);
  for (const file of schemas) {
    for (const [source, entry] of Object.entries(file.provider_schemas)) {
      byName.set(source.slice(source.lastIndexOf("/") + 1), entry);
    }
  }
  return byName;
}

function checkBlockBody(
  value: unknown,
  block: BlockSchema,
  metaArguments: ReadonlySet<string>,
  path: string,
  report: Report,
): void {
  const body = asObject(value);
  if (!body) {
    report(path, `expected a block (JSON object), got ${describeValue(value)}`);
    return;
  }
  const attributes = block.attributes ?? {};
  const blockTypes = block.block_types ?? {};
  const dynamicBlocks = checkDynamicBlocks(body.dynamic, blockTypes, path, report);

  for (const key of Object.keys(body)) {
    // "//" is a comment in any Terraform JSON block body (cdktf puts its metadata there); "dynamic" is checked above.
    const known =
      key === "//" ||
      key === "dynamic" ||
      metaArguments.has(key) ||
      Object.hasOwn(attributes, key) ||
      Object.hasOwn(blockTypes, key);
    if (!known) report(joinPath(path, key), "unknown attribute or block (not in the provider schema)");
  }
  checkAttributes(body, attributes, path, report);
  for (const [name, nested] of Object.entries(blockTypes)) {
    checkNestedBlock(body[name], nested, dynamicBlocks.has(name), joinPath(path, name), report);
  }
}

/** cdktf iterators emit `"dynamic": { "<block type>": { "for_each": ..., "iterator": ..., "content": {...} } }`. */
function checkDynamicBlocks(
  value: unknown,
  blockTypes: Record<string, NestedBlockSchema>,
  path: string,
  report: Report,
): Set<string> {
  const names = new Set<string>();
  if (value === undefined) return names;
  const dynamic = asObject(value);
  if (!dynamic) {
    report(joinPath(path, "dynamic"), `expected an object keyed by block type, got ${describeValue(value)}`);
    return names;
  }
  for (const [name, spec] of Object.entries(dynamic)) {
    const specPath = joinPath(path, `dynamic.${name}`);
    if (!Object.hasOwn(blockTypes, name)) {
      report(specPath, "dynamic block of a block type not in the provider schema");
      continue;
    }
    names.add(name);
    const specBody = asObject(spec);
    if (!specBody || specBody.for_each === undefined || specBody.content === undefined) {
      report(specPath, "dynamic block needs for_each and content");
      continue;
    }
    checkBlockBody(specBody.content, blockTypes[name].block, NO_META_ARGUMENTS, `${specPath}.content`, report);
  }
  return names;
}

function checkNestedBlock(
  value: unknown,
  nested: NestedBlockSchema,
  generatedDynamically: boolean,
  path: string,
  report: Report,
): void {
  let count: number;
  if (nested.nesting_mode === "map") {
    // A map block is an object keyed by label, one block body per label.
    const labelled = value == null ? {} : asObject(value);
    if (!labelled) {
      report(path, `expected an object keyed by block label, got ${describeValue(value)}`);
      return;
    }
    for (const [label, body] of Object.entries(labelled)) {
      checkBlockBody(body, nested.block, NO_META_ARGUMENTS, `${path}[${JSON.stringify(label)}]`, report);
    }
    count = Object.keys(labelled).length;
  } else {
    // Terraform JSON writes one block as an object and any number as an array of objects, whatever the nesting mode.
    if (value != null && typeof value !== "object") {
      report(path, `expected a block (object or array of objects), got ${describeValue(value)}`);
      return;
    }
    const items = value == null ? [] : Array.isArray(value) ? value : [value];
    items.forEach((item, i) =>
      checkBlockBody(item, nested.block, NO_META_ARGUMENTS, Array.isArray(value) ? `${path}[${i}]` : path, report),
    );
    count = items.length;
  }

  // How many blocks a dynamic block expands to is unknown until apply.
  if (generatedDynamically) return;
  const single = nested.nesting_mode === "single" || nested.nesting_mode === "group";
  const max = nested.max_items ?? (single ? 1 : Infinity);
  const min = nested.min_items ?? 0;
  if (count > max) report(path, `at most ${max} block(s) allowed, got ${count}`);
  if (count < min) report(path, `at least ${min} block(s) required, got ${count}`);
}

/** Checks the declared attributes of a block body or nested-attribute object; unknown keys are the caller's concern. */
function checkAttributes(
  body: JsonObject,
  attributes: Record<string, AttributeSchema>,
  path: string,
  report: Report,
): void {
  for (const [name, attribute] of Object.entries(attributes)) {
    const value = body[name];
    const attrPath = joinPath(path, name);
    // JSON null means "not set" to Terraform.
    if (value == null) {
      if (attribute.required) report(attrPath, "required attribute is missing");
    } else if (attribute.computed && !attribute.optional && !attribute.required) {
      report(attrPath, "computed-only attribute cannot be set");
    } else if (attribute.nested_type) {
      checkNestedAttributeValue(value, attribute.nested_type, attrPath, report);
    } else {
      checkValue(value, attribute.type, attrPath, report);
    }
  }
}

function checkNestedAttributeValue(
  value: unknown,
  nested: NonNullable<AttributeSchema["nested_type"]>,
  path: string,
  report: Report,
): void {
  if (isExpression(value)) return;
  const checkObject = (item: unknown, itemPath: string) => {
    const object = asObject(item);
    if (!object) {
      report(itemPath, `expected an object, got ${describeValue(item)}`);
      return;
    }
    for (const key of Object.keys(object)) {
      if (!Object.hasOwn(nested.attributes, key)) {
        report(joinPath(itemPath, key), "unknown attribute (not in the provider schema)");
      }
    }
    checkAttributes(object, nested.attributes, itemPath, report);
  };

  if (nested.nesting_mode === "single") {
    checkObject(value, path);
  } else if (nested.nesting_mode === "map") {
    const map = asObject(value);
    if (!map) report(path, `expected a map of objects, got ${describeValue(value)}`);
    else for (const [key, item] of Object.entries(map)) checkObject(item, `${path}[${JSON.stringify(key)}]`);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => checkObject(item, `${path}[${i}]`));
  } else {
    report(path, `expected a ${nested.nesting_mode} of objects, got ${describeValue(value)}`);
  }
}

/**
 * Checks a value against a cty type as it appears in the schema JSON: "string", "number", "bool", "dynamic",
 * ["list"|"set"|"map", T], ["object", {attr: T}, optionalAttrs?] or ["tuple", [T...]].
 * Only conversions Terraform performs itself are accepted, and an expression is accepted for any type.
 */
function checkValue(value: unknown, type: unknown, path: string, report: Report): void {
  if (isExpression(value) || type === "dynamic") return;
  const mismatch = () => report(path, `expected ${describeType(type)}, got ${describeValue(value)}`);

  if (type === "string") {
    if (!["string", "number", "boolean"].includes(typeof value)) mismatch();
  } else if (type === "number") {
    if (!(typeof value === "number" || (typeof value === "string" && NUMERIC.test(value)))) mismatch();
  } else if (type === "bool") {
    if (!(typeof value === "boolean" || value === "true" || value === "false")) mismatch();
  } else if (Array.isArray(type)) {
    const [kind, inner, optionalAttributes] = type as [string, unknown, string[] | undefined];
    if (kind === "list" || kind === "set") {
      if (!Array.isArray(value)) mismatch();
      else value.forEach((item, i) => checkValue(item, inner, `${path}[${i}]`, report));
    } else if (kind === "map") {
      const map = asObject(value);
      if (!map) mismatch();
      else {
        for (const [key, item] of Object.entries(map)) {
          checkValue(item, inner, `${path}[${JSON.stringify(key)}]`, report);
        }
      }
    } else if (kind === "object") {
      const object = asObject(value);
      if (!object) mismatch();
      else checkObjectValue(object, inner as Record<string, unknown>, new Set(optionalAttributes), path, report);
    } else if (kind === "tuple") {
      const elements = inner as unknown[];
      if (!Array.isArray(value) || value.length !== elements.length) mismatch();
      else value.forEach((item, i) => checkValue(item, elements[i], `${path}[${i}]`, report));
    }
  }
}

function checkObjectValue(
  object: JsonObject,
  attributeTypes: Record<string, unknown>,
  optional: Set<string>,
  path: string,
  report: Report,
): void {
  // Terraform would silently drop extra attributes, but in hand-written config they are almost always typos.
  for (const key of Object.keys(object)) {
    if (!Object.hasOwn(attributeTypes, key)) report(joinPath(path, key), "not an attribute of this object type");
  }
  for (const [key, type] of Object.entries(attributeTypes)) {
    if (object[key] != null) checkValue(object[key], type, joinPath(path, key), report);
    else if (!optional.has(key)) report(joinPath(path, key), "required object attribute is missing");
  }
}

/** Numeric strings Terraform converts to numbers. */
const NUMERIC = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

function asObject(value: unknown): JsonObject | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

function joinPath(parent: string, key: string): string {
  return parent ? `${parent}.${key}` : key;
}

/** Renders a cty type the way Terraform prints it, e.g. list(string), object({a=number}). */
function describeType(type: unknown): string {
  if (typeof type === "string") return type;
  if (!Array.isArray(type)) return JSON.stringify(type);
  const [kind, inner] = type as [string, unknown];
  if (kind === "object") {
    const fields = Object.entries(inner as Record<string, unknown>).map(([k, t]) => `${k}=${describeType(t)}`);
    return `object({${fields.join(", ")}})`;
  }
  if (kind === "tuple") return `tuple([${(inner as unknown[]).map(describeType).join(", ")}])`;
  return `${kind}(${describeType(inner)})`;
}

function describeValue(value: unknown): string {
  if (value == null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "object") return "object";
  if (typeof value === "boolean") return `bool ${value}`;
  const text = JSON.stringify(value);
  return `${typeof value} ${text.length > 40 ? `${text.slice(0, 37)}...` : text}`;
}
