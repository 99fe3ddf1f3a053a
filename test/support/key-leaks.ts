import type { Hex } from "viem";

/** The renderings a leaked private key would take in a message or log line: hex either case, base64, decimal. */
export function keyRenderings(privateKey: Hex): string[] {
  const hex = privateKey.slice(2).toLowerCase();
  return [hex, hex.toUpperCase(), Buffer.from(hex, "hex").toString("base64"), BigInt(privateKey).toString()];
}

/** Fails naming the rendering when `text` contains the key in any of its renderings. */
export function expectNoKey(text: string, privateKey: Hex): void {
  for (const rendering of keyRenderings(privateKey)) {
    if (text.includes(rendering)) throw new Error(`private key leaked (as ${rendering.slice(0, 6)}…) in: ${text.slice(0, 200)}`);
  }
}

/**
 * The local providers as a service config's `providers`, with the API key in each URL's path (the local providers
 * ignore paths, real ones authenticate with it) read from `apiKeyEnv`: what the process tests check never leaks.
 */
export function providersWithKeyInPath(providers: Iterable<{ name: string; httpUrl: string; wsUrl: string }>, apiKeyEnv: string) {
  return [...providers].map((p) => ({ name: p.name, httpUrl: `${p.httpUrl}/v2/{apiKey}`, wsUrl: `${p.wsUrl}/v2/{apiKey}`, apiKeyEnv }));
}
