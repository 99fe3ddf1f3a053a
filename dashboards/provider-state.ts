/**
 * The listener exports provider state as one 0/1 series per state. A state timeline wants one number per provider, so
 * each state is encoded as its index in PROVIDER_STATES and mapped back to its name; a new state in the catalogue
 * gets a lane colour here or fails the build.
 */
import { LISTENER_METRICS, PROVIDER_STATES, type ProviderState } from "../services/metrics/catalogue";
import { providerState } from "./matchers";
import { selector } from "./promql";
import { stateTimeline, valueMappings } from "./panels";

const STATE_COLOURS: Record<ProviderState, string> = {
  healthy: "green",
  lagging: "yellow",
  stalled: "orange",
  open_circuit: "red",
  wrong_chain: "purple",
  disconnected: "dark-red",
};

/** `or` of the one series that is 1 per provider, times its index: absent series cannot drop a provider's lane. */
export function providerStateCode(): string {
  const terms = PROVIDER_STATES.map(
    (state, i) => `(${selector(LISTENER_METRICS.providerState, [providerState(state)])} == 1) * ${i}`,
  );
  return `max by (region, instance, provider) (${terms.join(" or ")})`;
}

export function providerStatePanel() {
  return stateTimeline({
    title: "Provider state, per listener",
    description:
      "Each listener's verdict on each provider. stalled = its head stopped while others advanced (its socket is rebuilt); lagging = behind the best head; open_circuit = its HTTP breaker is open. One provider down is routine; all of them at once on one listener is an incident.",
    unit: "none",
    queries: [{ expr: providerStateCode(), legend: "{{instance}} {{provider}}" }],
    mappings: valueMappings(PROVIDER_STATES.map((state, i) => [i, state, STATE_COLOURS[state]] as const)),
  });
}
