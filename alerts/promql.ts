/** Small PromQL builders, so rule expressions are assembled from catalogue names instead of hand-spelt strings. */

export type Matchers = Readonly<Record<string, string>>;

/** `name{a="x",b=~"y|z"}`: a value starting with `~` is a regex match. */
export function selector(name: string, matchers: Matchers = {}): string {
  const parts = Object.entries(matchers).map(([label, value]) =>
    value.startsWith("~") ? `${label}=~"${value.slice(1)}"` : `${label}="${value}"`,
  );
  return parts.length === 0 ? name : `${name}{${parts.join(",")}}`;
}

/** A regex matcher value for `selector` that matches exactly one of the given label values. */
export function oneOf(values: readonly string[]): string {
  return `~${values.join("|")}`;
}

/**
 * A number as a PromQL literal, rounded to 12 significant digits so that 14.4 × (1 − 0.99) reads 0.144 in the rules
 * instead of 0.14400000000000013.
 */
export function num(value: number): string {
  return String(Number(value.toPrecision(12)));
}

/**
 * How `le` reads on a scraped bucket: prom-client formats bucket bounds with JavaScript's number formatting
 * ("0.025", "1"), and Prometheus matches label values as strings.
 */
export function leLabel(bound: number): string {
  return String(bound);
}
