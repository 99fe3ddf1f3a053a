/**
 * Offline `cdktf get`: generates TypeScript bindings for providers that have no prebuilt
 * cdktf package from schema data kept in this repository (the `terraform providers schema -json`
 * format), so a clean clone needs neither the Terraform registry nor a Terraform binary.
 */
import { rmSync, mkdirSync, renameSync, existsSync } from "node:fs";
import { join } from "node:path";
import { generateProviderBindingsFromSchema } from "@cdktf/provider-generator";
import { GENERATED_DIR, PROVIDERS, loadProviderSchema } from "./catalogue";

async function main(): Promise<void> {
  const started = Date.now();
  const staging = `${GENERATED_DIR}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  for (const provider of PROVIDERS) {
    const schema = loadProviderSchema(provider.name);
    // provider_versions is what cdktf get records; it pins required_providers in the generated provider class.
    await generateProviderBindingsFromSchema(staging, {
      ...schema,
      provider_versions: { [provider.source]: provider.version },
    } as Parameters<typeof generateProviderBindingsFromSchema>[1]);
  }
  // Swap in one step so an interrupted run never leaves half-generated bindings behind.
  rmSync(GENERATED_DIR, { recursive: true, force: true });
  renameSync(join(staging, "providers"), GENERATED_DIR);
  rmSync(staging, { recursive: true, force: true });
  if (!existsSync(join(GENERATED_DIR, "hcloud", "index.ts"))) {
    throw new Error(`provider generation produced no hcloud bindings in ${GENERATED_DIR}`);
  }
  console.log(`generated ${PROVIDERS.map((p) => `${p.name}@${p.version}`).join(", ")} in ${Date.now() - started} ms`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack ?? err.message : err);
  process.exit(1);
});
