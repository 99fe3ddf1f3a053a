/**
 * What a secret looks like in synthesized Terraform. Shared by the synth-time policy (which refuses such output) and
 * the pull-request change summary (which redacts it), so both agree on one definition.
 */

/** Attribute names whose values are secret whatever they contain. */
export const SECRET_ATTRIBUTE_NAME =
  /(^|_)(password|passwd|secret|secret_string|secret_binary|token|api_?key|private_key|client_secret|auth|basic_auth_password|access_key|secret_key|credentials?)$/i;

interface SecretPattern {
  kind: string;
  pattern: RegExp;
}

/** Value shapes of credentials we might realistically leak: cloud keys, API tokens, key material, keyed URLs. */
export const SECRET_VALUE_PATTERNS: readonly SecretPattern[] = [
  { kind: "AWS access key id", pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { kind: "PEM private key", pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { kind: "hex private key", pattern: /\b0x[0-9a-fA-F]{64}\b/ },
  { kind: "Grafana service account token", pattern: /\bglsa_[A-Za-z0-9]{32}_[0-9a-f]{8}\b/ },
  { kind: "Grafana Cloud token", pattern: /\bglc_[A-Za-z0-9+/=]{32,}/ },
  { kind: "GitHub token", pattern: /\bgh[pousr]_[A-Za-z0-9]{36,}\b/ },
  { kind: "Slack token", pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/ },
  // Mixed case is required so that sha256 digests (lower-case hex, 64 chars) of our bundles are not taken for tokens.
  {
    kind: "Hetzner API token",
    pattern: /(?<![A-Za-z0-9])(?=[A-Za-z0-9]{64}(?![A-Za-z0-9]))(?=[a-z0-9]*[A-Z])(?=[A-Z0-9]*[a-z])[A-Za-z0-9]{64}/,
  },
  { kind: "credentials in URL", pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@"]+:[^/\s@"]+@/i },
  { kind: "RPC URL with an embedded key", pattern: /\/(v2|v3|ws\/v3)\/[A-Za-z0-9_-]{20,}/ },
];

export interface SecretFinding {
  kind: string;
  /** The matched text, shortened so that reporting a finding does not itself leak the secret. */
  preview: string;
}

export function findSecretInValue(value: string): SecretFinding | undefined {
  for (const { kind, pattern } of SECRET_VALUE_PATTERNS) {
    const match = pattern.exec(value);
    if (match) return { kind, preview: redactPreview(match[0].trim()) };
  }
  return undefined;
}

export function isSecretAttributeName(name: string): boolean {
  return SECRET_ATTRIBUTE_NAME.test(name);
}

function redactPreview(text: string): string {
  return text.length <= 8 ? "****" : `${text.slice(0, 4)}…(${text.length} chars)`;
}
