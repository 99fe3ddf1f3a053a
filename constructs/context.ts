/**
 * Who a resource belongs to. Every construct receives one of these so that names, AWS tags and Hetzner labels are
 * derived in one place and the tagging policy can rely on them.
 */
export interface DeploymentContext {
  project: string;
  owner: string;
  env: string;
  /** Region name from the topology, or "global" for an environment's shared stack. */
  region: string;
}

/** The tag keys the tagging policy requires on every taggable resource. */
export const REQUIRED_TAG_KEYS = ["env", "region", "service", "owner"] as const;

/** Tags that are the same for every resource of a stack: set once as the AWS provider's default_tags. */
export function stackTags(ctx: DeploymentContext): Record<string, string> {
  return { project: ctx.project, env: ctx.env, region: ctx.region, owner: ctx.owner, "managed-by": "cdktf" };
}

/** Per-resource tags; the provider's default_tags supply the rest. */
export function serviceTags(service: string): Record<string, string> {
  return { service };
}

/** Hetzner has no default labels, so each resource carries the full set. */
export function hcloudLabels(ctx: DeploymentContext, service: string): Record<string, string> {
  return { ...stackTags(ctx), service };
}

/** `polysync-production-eu-central-listener-1`: unique per project, environment and region, readable in a console. */
export function resourceName(ctx: DeploymentContext, ...parts: Array<string | number>): string {
  return [ctx.project, ctx.env, ctx.region, ...parts].join("-");
}
