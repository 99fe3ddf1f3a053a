/**
 * Every metric the services export, named once. Dashboards, alert rules, runbooks and the triage command import these
 * names instead of spelling them, so a rename breaks the build instead of a 3 a.m. query.
 *
 * Bucket lists are literals on purpose: latency SLO thresholds must sit exactly on a bucket boundary.
 */

/** 100 µs … 5 s: fine enough to show a sub-millisecond p99 of our own code and a multi-second provider stall. */
export const LATENCY_BUCKETS_SECONDS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3,
  5,
] as const;

export type MetricType = "counter" | "gauge" | "histogram";

export interface MetricDefinition {
  name: string;
  type: MetricType;
  help: string;
  labelNames: readonly string[];
  buckets?: readonly number[];
}

function metric<const T extends MetricType, const L extends readonly string[]>(
  name: string,
  type: T,
  help: string,
  labelNames: L,
  buckets?: readonly number[],
) {
  return { name, type, help, labelNames, ...(buckets ? { buckets } : {}) } as const;
}

/**
 * Listener stages per fill: decode the log; intent = size and build its followers' intents; detect = the log's first
 * arrival at any provider socket until those intents are built (our whole share, queueing behind other logs of the
 * same read included); publish = handing the intents to the bus until it acknowledges them (the bus's share);
 * published = first arrival until the bus acknowledged every intent (detect + publish as one observation: the detection
 * SLI, which two histograms cannot be added into).
 */
export const LISTENER_STAGES = ["decode", "intent", "publish", "detect", "published"] as const;
export type ListenerStage = (typeof LISTENER_STAGES)[number];

/** Error kinds of the RPC layer; one vocabulary for the listener and the latency exporter. */
export const RPC_ERROR_KINDS = [
  "timeout",
  "http_429",
  "http_5xx",
  "http_other",
  "rpc_error",
  "malformed",
  "wrong_chain",
  "network",
  "empty_logs",
] as const;
export type RpcErrorKind = (typeof RPC_ERROR_KINDS)[number];

/** A provider's state as the listener sees it; exactly one is 1 per provider. */
export const PROVIDER_STATES = ["healthy", "lagging", "stalled", "open_circuit", "wrong_chain", "disconnected"] as const;
export type ProviderState = (typeof PROVIDER_STATES)[number];

export const LISTENER_METRICS = {
  providerArrivalLag: metric(
    "polysync_listener_provider_arrival_lag_seconds",
    "histogram",
    "How long after the first provider this provider delivered the same head or log (0 for the first).",
    ["provider", "kind"],
    LATENCY_BUCKETS_SECONDS,
  ),
  firstArrivals: metric(
    "polysync_listener_first_arrivals_total",
    "counter",
    "Heads and logs this provider delivered before every other provider.",
    ["provider", "kind"],
  ),
  stageDuration: metric(
    "polysync_listener_stage_duration_seconds",
    "histogram",
    "Per fill: decode, intent (size + build), detect (first arrival → intents built), publish (hand-off → bus acknowledgement), published (first arrival → bus acknowledgement).",
    ["stage"],
    LATENCY_BUCKETS_SECONDS,
  ),
  headLagBlocks: metric(
    "polysync_rpc_head_lag_blocks",
    "gauge",
    "Blocks this provider's head is behind the best head seen across providers.",
    ["provider"],
  ),
  providerState: metric(
    "polysync_rpc_provider_state",
    "gauge",
    "1 for the provider's current state (healthy, lagging, stalled, open_circuit, wrong_chain, disconnected).",
    ["provider", "state"],
  ),
  reconnects: metric(
    "polysync_rpc_reconnects_total",
    "counter",
    "WebSocket reconnects by provider and reason (stalled, closed, error, wrong_chain).",
    ["provider", "reason"],
  ),
  rpcErrors: metric("polysync_rpc_errors_total", "counter", "RPC errors by provider and kind.", ["provider", "kind"]),
  requestDuration: metric(
    "polysync_rpc_request_duration_seconds",
    "histogram",
    "HTTP JSON-RPC round trip by provider and method (successful answers only).",
    ["provider", "method"],
    LATENCY_BUCKETS_SECONDS,
  ),
  hedges: metric(
    "polysync_rpc_hedged_requests_total",
    "counter",
    "Requests that sent a hedge leg, by which leg answered first (primary, hedge) or none.",
    ["winner"],
  ),
  backfills: metric(
    "polysync_listener_backfills_total",
    "counter",
    "Blocks fetched by eth_getLogs outside the subscriptions, by reason (gap, reconcile, startup, reorg).",
    ["reason"],
  ),
  blocksProcessed: metric(
    "polysync_listener_blocks_processed_total",
    "counter",
    "Canonical blocks whose exchange logs were confirmed complete.",
    [],
  ),
  logsReceived: metric(
    "polysync_listener_logs_total",
    "counter",
    "Exchange logs received by source (provider name or backfill), before dedupe.",
    ["source"],
  ),
  fills: metric(
    "polysync_listener_leader_fills_total",
    "counter",
    "Distinct leader fills detected, by exchange layout (v1, v2).",
    ["layout"],
  ),
  intents: metric(
    "polysync_listener_intents_total",
    "counter",
    "Copy intents by outcome: published, or the skip reason from the sizing policy.",
    ["outcome"],
  ),
  intentsCancelled: metric(
    "polysync_listener_intents_cancelled_total",
    "counter",
    "Cancel messages sent for intents whose fill left the canonical chain.",
    ["reason"],
  ),
  reorgs: metric(
    "polysync_listener_reorgs_total",
    "counter",
    "Reorgs seen, by how they were noticed (removed_log, head).",
    ["source"],
  ),
  malformed: metric(
    "polysync_listener_malformed_total",
    "counter",
    "Malformed logs or RPC payloads that were counted and skipped, by source and what was wrong.",
    ["source", "what"],
  ),
  bestHead: metric("polysync_listener_best_head_block", "gauge", "Highest trusted head block number.", []),
  lastProcessedBlock: metric(
    "polysync_listener_last_processed_block",
    "gauge",
    "Highest block whose exchange logs are confirmed complete.",
    [],
  ),
  ready: metric("polysync_listener_ready", "gauge", "1 when at least one healthy provider is at the current head.", []),
} as const;

/**
 * Executor stages per intent: queue_wait = intent built by the listener → executor starts on it (bus + queue);
 * risk = the re-check against current exposure; sign = order build + EIP-712 hash + signature; journal = the durable
 * at-most-once claim; submit = the venue round trips (every attempt); venue_ack = intent built → venue accepted (the
 * execution SLI); onchain_fill = venue accepted → the subscriber's OrderFilled mined.
 */
export const EXECUTOR_STAGES = ["queue_wait", "risk", "sign", "journal", "submit", "venue_ack", "onchain_fill"] as const;
export type ExecutorStage = (typeof EXECUTOR_STAGES)[number];

/** What became of one intent (one count each); `filled` is counted in addition to `accepted` once the fill is mined. */
export const EXECUTOR_OUTCOMES = [
  "accepted",
  "filled",
  "rejected",
  "stale",
  "duplicate",
  "risk_blocked",
  "venue_error",
  "cancelled",
  "invalid",
] as const;
export type ExecutorOutcome = (typeof EXECUTOR_OUTCOMES)[number];

/** Copy latency milestones, both measured from the leader's fill first seen by the listener. */
export const COPY_MILESTONES = ["accepted", "filled"] as const;

/** 0 … 30 blocks: a copy lands in the leader's next block or two when all is well. */
export const BLOCK_BUCKETS = [0, 1, 2, 3, 4, 5, 7, 10, 15, 20, 30] as const;

export const EXECUTOR_METRICS = {
  stageDuration: metric(
    "polysync_executor_stage_duration_seconds",
    "histogram",
    "Per intent: queue_wait, risk, sign, journal, submit, venue_ack (intent → venue accepted), onchain_fill (accepted → mined).",
    ["stage"],
    LATENCY_BUCKETS_SECONDS,
  ),
  outcomes: metric("polysync_executor_outcomes_total", "counter", "Intents by what became of them.", ["outcome", "reason"]),
  inFlight: metric("polysync_executor_in_flight", "gauge", "Intents between taken from the bus and a final outcome.", []),
  venueRequests: metric(
    "polysync_executor_venue_requests_total",
    "counter",
    "Order submissions to the venue by result (accepted, duplicate, rejected, unknown); retries count again.",
    ["result"],
  ),
  copyLatency: metric(
    "polysync_executor_copy_latency_seconds",
    "histogram",
    "Leader fill first seen → subscriber order accepted by the venue, and → subscriber fill mined (end-to-end copy latency).",
    ["milestone"],
    LATENCY_BUCKETS_SECONDS,
  ),
  copyLatencyBlocks: metric(
    "polysync_executor_copy_latency_blocks",
    "histogram",
    "Blocks between the leader's fill and the subscriber's fill on chain.",
    [],
    BLOCK_BUCKETS,
  ),
  ready: metric("polysync_executor_ready", "gauge", "1 while the executor takes intents (bus subscribed, journal open).", []),
} as const;

/** RPC methods the latency exporter times on every provider: the ones the listener's confirmer and poller depend on. */
export const PROBE_METHODS = ["eth_blockNumber", "eth_getLogs", "eth_getBlockByNumber"] as const;
export type ProbeMethod = (typeof PROBE_METHODS)[number];

/**
 * The latency exporter (services/latency-exporter): an independent view of every provider, so "is it the RPC?" has an
 * answer that does not depend on the listener being healthy. Same error vocabulary as the listener (RPC_ERROR_KINDS).
 */
export const LATENCY_EXPORTER_METRICS = {
  headArrivalLag: metric(
    "polysync_probe_head_arrival_lag_seconds",
    "histogram",
    "How long after the fastest provider this provider's newHeads subscription delivered the same block (0 for the first).",
    ["provider"],
    LATENCY_BUCKETS_SECONDS,
  ),
  headLagBlocks: metric(
    "polysync_probe_head_lag_blocks",
    "gauge",
    "Blocks this provider's latest head is behind the highest head any provider delivered.",
    ["provider"],
  ),
  requestDuration: metric(
    "polysync_probe_request_duration_seconds",
    "histogram",
    "Round trip of the exporter's probe requests by provider and method (successful answers only).",
    ["provider", "method"],
    LATENCY_BUCKETS_SECONDS,
  ),
  requests: metric(
    "polysync_probe_requests_total",
    "counter",
    "Probe requests sent, by provider and method (the denominator of the error rate).",
    ["provider", "method"],
  ),
  errors: metric(
    "polysync_probe_errors_total",
    "counter",
    "Probe failures by provider, method (eth_blockNumber, eth_getLogs, eth_getBlockByNumber, eth_chainId, or newHeads for the subscription) and kind (RPC_ERROR_KINDS).",
    ["provider", "method", "kind"],
  ),
  wsConnected: metric("polysync_probe_ws_connected", "gauge", "1 while the provider's WebSocket is open and on the right chain.", ["provider"]),
  lastHeadSeconds: metric(
    "polysync_probe_last_head_timestamp_seconds",
    "gauge",
    "Unix time the provider's newHeads subscription last delivered a head; time() minus this is the subscription's silence.",
    ["provider"],
  ),
  subscriptionLive: metric(
    "polysync_probe_subscription_live",
    "gauge",
    "1 while the newHeads subscription delivers heads as other providers advance, 0 when it went silent.",
    ["provider"],
  ),
  wrongChain: metric("polysync_probe_wrong_chain", "gauge", "1 when the provider answered eth_chainId with another chain.", ["provider"]),
} as const;

export const PROCESS_METRICS = {
  eventLoopDelay: metric(
    "polysync_event_loop_delay_seconds",
    "histogram",
    "How late a 10 ms timer fired: the event-loop delay every callback of this process sees.",
    [],
    LATENCY_BUCKETS_SECONDS,
  ),
} as const;

/** Created by prom-client's default collectors, not by createInstruments; named here so nobody spells them. */
export const NODE_DEFAULT_METRICS = {
  eventLoopLagP99: metric("nodejs_eventloop_lag_p99_seconds", "gauge", "Event-loop lag p99 (prom-client).", []),
  gcDuration: metric("nodejs_gc_duration_seconds", "histogram", "GC pauses by kind (prom-client).", ["kind"]),
  residentMemory: metric("process_resident_memory_bytes", "gauge", "Resident memory (prom-client).", []),
} as const;

export const ALL_METRICS: readonly MetricDefinition[] = [
  ...Object.values(LISTENER_METRICS),
  ...Object.values(EXECUTOR_METRICS),
  ...Object.values(LATENCY_EXPORTER_METRICS),
  ...Object.values(PROCESS_METRICS),
  ...Object.values(NODE_DEFAULT_METRICS),
];
