import type { ExecutionView, Tail, ViewModel } from "./view-model";

const fmt = (ms: number | undefined, digits = 1) => (ms === undefined ? "-" : ms.toFixed(digits));
const pad = (text: string, width: number) => text.padEnd(width);

/** The terminal view as plain text; pure, so the layout is tested without a terminal. */
export function renderView(vm: ViewModel): string {
  const lines: string[] = [];
  lines.push(
    `Poly Syncer local stack   head ${vm.bestHead}  confirmed ${vm.lastConfirmed}   ${vm.blockTimeMs} ms blocks   up ${vm.uptimeS.toFixed(0)} s   Ctrl-C stops`,
  );
  lines.push("");
  lines.push("provider    state          head      lag  head arrival vs first p50/p99 ms  first  reconnects  errors");
  for (const p of vm.providers) {
    lines.push(
      `${pad(p.name, 12)}${pad(p.state, 15)}${pad(p.head, 10)}${pad(p.lag, 5)}${pad(`${fmt(p.arrivalP50Ms)} / ${fmt(p.arrivalP99Ms)}`, 36)}${pad(String(p.firstArrivals), 7)}${pad(String(p.reconnects), 12)}${p.errors}`,
    );
  }
  lines.push("");
  const c = vm.counters;
  lines.push(
    `fills ${c.fills}   intents ${c.intents}   skipped ${c.skipped}   cancelled ${c.cancelled}   reorgs ${c.reorgs}   blocks backfilled after a gap ${c.backfills}   malformed ${c.malformed}`,
  );
  lines.push(`listener stages p50/p99 ms: ${vm.stages.map((s) => `${s.stage} ${fmt(s.p50Ms, 3)}/${fmt(s.p99Ms, 3)}`).join("   ")}`);
  lines.push(
    `detection (block at node → intent on bus): p50 ${fmt(vm.detection.p50Ms)} ms  p99 ${fmt(vm.detection.p99Ms)} ms  max ${fmt(vm.detection.maxMs)} ms  (n=${vm.detection.n})   event-loop p99 ${fmt(vm.eventLoopP99Ms, 2)} ms`,
  );
  lines.push("");
  lines.push("latest intents:");
  for (const r of vm.recent) {
    lines.push(`  ${new Date(r.atMs).toISOString().slice(11, 23)}  ${pad(r.subscriber, 8)} ${pad(r.side, 5)} copying ${r.leader.slice(0, 10)}…  ${fmt(r.detectMs)} ms after the block`);
  }
  if (vm.execution) lines.push("", ...renderExecution(vm.execution));
  lines.push("");
  lines.push(`inject a fault:  curl -X PUT ${vm.controlUrl}/providers/quicknode/faults/stall -d '{}'   clear:  curl -X DELETE ${vm.controlUrl}/faults`);
  return lines.join("\n");
}

const tailText = (t: Tail, unit: string, digits: number) =>
  t.n === 0 ? "-" : `p50 ${fmt(t.p50, digits)}  p99 ${fmt(t.p99, digits)}  max ${fmt(t.max, digits)} ${unit} (n=${t.n})`;

function renderExecution(ex: ExecutionView): string[] {
  const count = (outcome: string) => ex.outcomes[outcome] ?? 0;
  const others = Object.entries(ex.outcomes)
    .filter(([outcome]) => outcome !== "accepted" && outcome !== "filled")
    .map(([outcome, n]) => `${outcome} ${n}`);
  return [
    `orders accepted ${count("accepted")}   filled on chain ${count("filled")}   in flight ${ex.inFlight}${others.length ? `   ${others.join("   ")}` : ""}`,
    `executor stages p50/p99 ms: ${ex.stages.map((s) => `${s.stage} ${fmt(s.p50Ms, 2)}/${fmt(s.p99Ms, 2)}`).join("   ")}`,
    `copy latency, leader fill → order accepted: ${tailText(ex.copy.acceptedMs, "ms", 1)};  ${tailText(ex.copy.acceptedBlocks, "blocks", 0)}`,
    `copy latency, leader fill → subscriber fill on chain: ${tailText(ex.copy.filledMs, "ms", 1)};  ${tailText(ex.copy.filledBlocks, "blocks", 0)}`,
    "latest orders:",
    ...ex.recentOrders.map(
      (o) =>
        `  ${new Date(o.atMs).toISOString().slice(11, 23)}  ${pad(o.region, 8)} ${pad(o.subscriber, 8)} ${pad(o.outcome, 12)} ${fmt(o.sinceFillMs)} ms, ${o.blocks ?? "-"} blocks after the leader's fill${o.reason ? `  (${o.reason})` : ""}`,
    ),
  ];
}
