/** The Terraform providers this project uses that have no prebuilt cdktf package, and where their schemas live. */
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface ProviderEntry {
  /** Local name, also the folder of the generated bindings. */
  name: string;
  /** Registry address as Terraform writes it in `terraform providers schema -json`. */
  source: string;
  version: string;
}

export const PROVIDERS: readonly ProviderEntry[] = [
  { name: "hcloud", source: "registry.terraform.io/hetznercloud/hcloud", version: "1.68.0" },
  { name: "grafana", source: "registry.terraform.io/grafana/grafana", version: "4.45.1" },
];

export const SCHEMA_DIR = join(__dirname, "schemas");
export const GENERATED_DIR = join(__dirname, "gen");

export interface AttributeSchema {
  type?: unknown;
  nested_type?: { attributes: Record<string, AttributeSchema>; nesting_mode: string };
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
  sensitive?: boolean;
}

export interface BlockSchema {
  attributes?: Record<string, AttributeSchema>;
  block_types?: Record<string, NestedBlockSchema>;
}

export interface NestedBlockSchema {
  nesting_mode: "single" | "list" | "set" | "map" | "group";
  block: BlockSchema;
  min_items?: number;
  max_items?: number;
}

export interface ProviderSchemaEntry {
  provider: { block: BlockSchema };
  resource_schemas: Record<string, { block: BlockSchema }>;
  data_source_schemas?: Record<string, { block: BlockSchema }>;
}

export interface ProviderSchemaFile {
  format_version: string;
  provider_schemas: Record<string, ProviderSchemaEntry>;
}

export function loadProviderSchema(name: string): ProviderSchemaFile {
  const path = join(SCHEMA_DIR, `${name}.schema.json`);
  const parsed = JSON.parse(readFileSync(path, "utf8")) as ProviderSchemaFile;
  if (!parsed.provider_schemas || Object.keys(parsed.provider_schemas).length !== 1) {
    throw new Error(`${path}: expected exactly one entry in provider_schemas`);
  }
  return parsed;
}
