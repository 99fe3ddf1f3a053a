/**
 * Label values the services emit, typed from the catalogue's vocabularies, so a value that no longer exists fails
 * the type check instead of matching nothing.
 */
import type { COPY_MILESTONES, ExecutorStage, ListenerStage, ProviderState } from "../services/metrics/catalogue";
import type { ServiceName } from "../stacks/topology/schema";
import { eq, oneOf, type Matcher } from "./promql";

const values = (label: string, list: readonly string[]): Matcher => (list.length === 1 ? eq(label, list[0]) : oneOf(label, list));

/** Both services export the process metrics; the scrape's `service` label tells them apart. */
export const service = (name: ServiceName): Matcher => eq("service", name);
export const listenerStage = (...stages: ListenerStage[]): Matcher => values("stage", stages);
export const executorStage = (...stages: ExecutorStage[]): Matcher => values("stage", stages);
export const copyMilestone = (milestone: (typeof COPY_MILESTONES)[number]): Matcher => eq("milestone", milestone);
export const providerState = (state: ProviderState): Matcher => eq("state", state);
/** What the listener times per provider: a new head or an exchange log (services/listener/detector.ts). */
export const arrivalKind = (kind: "head" | "log"): Matcher => eq("kind", kind);
