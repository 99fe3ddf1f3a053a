/**
 * Decides how a changed value may appear in the pull-request summary. The summary is posted where anyone with read
 * access to the repository sees it, so a value is shown only when neither its name, its content, nor the provider
 * schema says it is secret.
 */
import {
  loadProviderSchema,
  PROVIDERS,
  type AttributeSchema,
  type BlockSchema,
  type ProviderSchemaFile,
} from "../../providers/catalogue";
import { findSecretInValue, isSecretAttributeName, SECRET_VALUE_PATTERNS } from "../policy/secrets";
import type { AttributeChange, PathSegment, ResourceChange } from "./diff";

const REDACTED = "(sensitive)";

/** Longer values (scripts, policies, certificates) are unreadable in a table cell, so only their sizes are shown. */
const MAX_SHOWN_VALUE_CHARS = 60;

/** Either a note standing in for the values, or the values themselves (`undefined` where the attribute is absent). */
export type ValueDisplay = { note: string } | { before: string | undefined; after: string | undefined };

/** What a reviewer sees for one changed attribute: "ccx23 → ccx33", "(sensitive)", "(changed, 812 → 904 chars)". */
export function describeValueChange(item: ResourceChange, change: AttributeChange): ValueDisplay {
  const { before, after } = change;
  if (!isScalar(before) || !isScalar(after)) {
    return { note: before === undefined ? "(added)" : after === undefined ? "(removed)" : "(changed)" };
  }
  if (isSensitive(item, change)) return { note: REDACTED };
  const [old, now] = [showScalar(before), showScalar(after)];
  if ([old, now].some(isLong)) {
    const chars = (text: string | undefined) => (text ?? "").length;
    if (old === undefined) return { note: `(added, ${chars(now)} chars)` };
    if (now === undefined) return { note: `(removed, ${chars(old)} chars)` };
    return { note: `(changed, ${chars(old)} → ${chars(now)} chars)` };
  }
  return { before: old, after: now };
}

/**
 * Replaces anything shaped like a credential in text that is printed without being a value: map keys inside attribute
 * paths, resource names, stack names. Values already went through describeValueChange; this is the last line.
 */
export function scrubText(text: string): string {
  return SECRET_VALUE_PATTERNS.reduce(
    (acc, { pattern }) => acc.replace(new RegExp(pattern.source, `${pattern.flags}g`), REDACTED),
    text,
  );
}

function isSensitive(item: ResourceChange, change: AttributeChange): boolean {
  if (item.sensitive) return true;
  // For outputs, variables and locals the item's own name plays the role of the attribute name.
  const names = ["output", "variable", "local"].includes(item.kind) ? [item.name] : [];
  names.push(...change.segments.filter((s): s is string => typeof s === "string"));
  if (names.some(isSecretAttributeName)) return true;
  if ([change.before, change.after].some((v) => v !== undefined && findSecretInValue(String(v)))) return true;
  return isSensitiveInSchema(item, change.segments);
}

type Scalar = string | number | boolean | null | undefined;

function isScalar(value: unknown): value is Scalar {
  return value === undefined || value === null || ["string", "number", "boolean"].includes(typeof value);
}

function showScalar(value: Scalar): string | undefined {
  if (value === undefined) return undefined;
  return value === "" ? '""' : String(value);
}

function isLong(text: string | undefined): boolean {
  return text !== undefined && (text.length > MAX_SHOWN_VALUE_CHARS || text.includes("\n"));
}

interface SchemaIndex {
  resources: Map<string, BlockSchema>;
  dataSources: Map<string, BlockSchema>;
  providers: Map<string, BlockSchema>;
}

let schemaIndex: SchemaIndex | undefined;

/** Only the catalogued providers ship schemas; aws and others rely on the name and value rules above. */
function loadSchemaIndex(): SchemaIndex {
  schemaIndex ??= indexSchemas(PROVIDERS.map((p) => [p.name, loadProviderSchema(p.name)]));
  return schemaIndex;
}

function indexSchemas(files: [localName: string, file: ProviderSchemaFile][]): SchemaIndex {
  const index: SchemaIndex = { resources: new Map(), dataSources: new Map(), providers: new Map() };
  for (const [localName, file] of files) {
    for (const entry of Object.values(file.provider_schemas)) {
      index.providers.set(localName, entry.provider.block);
      for (const [type, { block }] of Object.entries(entry.resource_schemas)) index.resources.set(type, block);
      for (const [type, { block }] of Object.entries(entry.data_source_schemas ?? {})) {
        index.dataSources.set(type, block);
      }
    }
  }
  return index;
}

function isSensitiveInSchema(item: ResourceChange, segments: readonly PathSegment[]): boolean {
  if (item.type === undefined) return false;
  const index = loadSchemaIndex();
  const block =
    item.kind === "resource"
      ? index.resources.get(item.type)
      : item.kind === "data"
        ? index.dataSources.get(item.type)
        : item.kind === "provider"
          ? index.providers.get(item.type)
          : undefined;
  return block !== undefined && sensitiveInBlock(block, segments, 0);
}

/** A value is sensitive when any attribute on its path is: a sensitive map or object hides everything inside it. */
function sensitiveInBlock(block: BlockSchema, segments: readonly PathSegment[], from: number): boolean {
  const i = skipIndices(segments, from);
  const key = segments[i];
  if (typeof key !== "string") return false;
  const attribute = block.attributes?.[key];
  if (attribute) return sensitiveInAttribute(attribute, segments, i + 1);
  const nested = block.block_types?.[key];
  if (!nested) return false;
  return sensitiveInBlock(nested.block, segments, nested.nesting_mode === "map" ? i + 2 : i + 1);
}

function sensitiveInAttribute(attribute: AttributeSchema, segments: readonly PathSegment[], from: number): boolean {
  if (attribute.sensitive) return true;
  const nested = attribute.nested_type;
  if (!nested) return false;
  return sensitiveInBlock({ attributes: nested.attributes }, segments, nested.nesting_mode === "map" ? from + 1 : from);
}

/** List and set elements appear as numeric segments; the schema describes every element alike. */
function skipIndices(segments: readonly PathSegment[], from: number): number {
  let i = from;
  while (typeof segments[i] === "number") i++;
  return i;
}
