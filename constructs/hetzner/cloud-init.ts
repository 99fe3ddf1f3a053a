/**
 * First-boot configuration for a service host, as cloud-init YAML. Pure: every input is a plain value or a Terraform
 * token string, so the rendered document is unit-tested without synthesizing a stack.
 *
 * Neither the bundle version nor the service's systemd unit is in here: hcloud replaces a server whose user_data
 * changes. The version a host runs lives in an SSM parameter that the host follows (first boot and a sync timer), and
 * the unit ships inside the bundle (services/deploy/systemd.ts), so a release, flags and hardening included, rolls out
 * without replacing servers.
 */
import { stringify } from "yaml";
import {
  CONFIG_DIR,
  INSTALL_ROOT,
  MANAGER_CPU_AFFINITY_DROP_IN,
  SERVICE_HOME,
  SERVICE_USER,
  serviceConfigPath,
  unitName,
} from "../../services/deploy/systemd";

/** IAM Roles Anywhere credential helper, pinned by version and the checksum AWS publishes for it. */
export const AWS_SIGNING_HELPER = {
  url: "https://rolesanywhere.amazonaws.com/releases/1.5.0/X86_64/Linux/aws_signing_helper",
  sha256: "519717f2408f3191e0ec8b35531c41bf20344b94b292cf1d763df4e6fc93af44",
} as const;

export const NODE_MAJOR = 20;

export interface ServiceHostInit {
  service: string;
  env: string;
  region: string;
  awsRegion: string;
  /** Port the service serves /metrics, /healthz and /readyz on. */
  metricsPort: number;
  /** SSM parameter holding `{version, sha256, key}` of the bundle this host must run. */
  bundleParameter: string;
  artifactBucket: string;
  /** SSM parameter with the region's RPC provider list (endpoints and secret ARNs, never keys). */
  rpcConfigParameter: string;
  /** Secrets the service may read at start-up (ARNs); their values are set out of band. */
  secretArns: string[];
  /** Roles Anywhere: where the host's X.509 identity is exchanged for the service's role. */
  rolesAnywhere: { trustAnchorArn: string; profileArn: string; roleArn: string };
}

export function renderServiceHostCloudInit(init: ServiceHostInit): string {
  const serviceConfig = {
    service: init.service,
    env: init.env,
    region: init.region,
    awsRegion: init.awsRegion,
    metricsPort: init.metricsPort,
    rpcConfigParameter: init.rpcConfigParameter,
    secretArns: init.secretArns,
  };
  const doc = {
    users: [{ name: SERVICE_USER, system: true, shell: "/usr/sbin/nologin", homedir: SERVICE_HOME }],
    ssh_pwauth: false,
    disable_root: true,
    package_update: true,
    package_upgrade: true,
    packages: ["ca-certificates", "curl", "gnupg", "jq", "awscli", "prometheus-node-exporter", "chrony"],
    write_files: [
      { path: serviceConfigPath(init.service), permissions: "0644", content: `${JSON.stringify(serviceConfig, null, 2)}\n` },
      {
        path: `${CONFIG_DIR}/bundle.env`,
        permissions: "0644",
        content: envFile({
          SERVICE: init.service,
          UNIT: unitName(init.service),
          AWS_REGION: init.awsRegion,
          AWS_PROFILE: "polysync",
          BUNDLE_PARAMETER: init.bundleParameter,
          ARTIFACT_BUCKET: init.artifactBucket,
          INSTALL_ROOT,
        }),
      },
      { path: `${SERVICE_HOME}/.aws/config`, permissions: "0644", owner: "root:root", content: awsConfig(init) },
      { path: "/usr/local/sbin/polysync-sync-bundle", permissions: "0755", content: SYNC_BUNDLE_SCRIPT },
      { ...MANAGER_CPU_AFFINITY_DROP_IN, permissions: "0644" },
      { path: "/etc/systemd/system/polysync-sync-bundle.service", permissions: "0644", content: SYNC_UNIT },
      { path: "/etc/systemd/system/polysync-sync-bundle.timer", permissions: "0644", content: SYNC_TIMER },
      // NTP discipline matters: latency histograms compare our clock with block timestamps.
      { path: "/etc/chrony/conf.d/polysync.conf", permissions: "0644", content: "makestep 1 3\nmaxdistance 1.0\n" },
    ],
    runcmd: [
      ["bash", "-euo", "pipefail", "-c", installNodeCommand()],
      ["bash", "-euo", "pipefail", "-c", installSigningHelperCommand()],
      // Re-executes the manager so the CPU drop-in holds for everything started from here on (and after reboots).
      ["systemctl", "daemon-reexec"],
      ["systemctl", "enable", "--now", "chrony", "prometheus-node-exporter", "polysync-sync-bundle.timer"],
      // First boot installs whatever version Terraform points at, with its unit; nothing runs while it is unreleased.
      ["systemctl", "start", "polysync-sync-bundle.service"],
    ],
  };
  return `#cloud-config\n${stringify(doc, { lineWidth: 0 })}`;
}

function envFile(vars: Record<string, string>): string {
  return Object.entries(vars)
    .map(([k, v]) => `${k}=${v}`)
    .join("\n")
    .concat("\n");
}

function awsConfig(init: ServiceHostInit): string {
  const { trustAnchorArn, profileArn, roleArn } = init.rolesAnywhere;
  return [
    "[profile polysync]",
    `region = ${init.awsRegion}`,
    "credential_process = /usr/local/bin/aws_signing_helper credential-process" +
      " --certificate /etc/polysync/identity/cert.pem --private-key /etc/polysync/identity/key.pem" +
      ` --trust-anchor-arn ${trustAnchorArn} --profile-arn ${profileArn} --role-arn ${roleArn}`,
    "",
  ].join("\n");
}

function installNodeCommand(): string {
  return [
    "install -d -m 0755 /etc/apt/keyrings",
    "curl -fsSL https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key | gpg --dearmor -o /etc/apt/keyrings/nodesource.gpg",
    `echo "deb [signed-by=/etc/apt/keyrings/nodesource.gpg] https://deb.nodesource.com/node_${NODE_MAJOR}.x nodistro main" > /etc/apt/sources.list.d/nodesource.list`,
    "apt-get update",
    "apt-get install -y nodejs",
    `node --version | grep -q '^v${NODE_MAJOR}\\.'`,
  ].join(" && ");
}

function installSigningHelperCommand(): string {
  return [
    `curl -fsSL -o /tmp/aws_signing_helper ${AWS_SIGNING_HELPER.url}`,
    `echo "${AWS_SIGNING_HELPER.sha256}  /tmp/aws_signing_helper" | sha256sum -c -`,
    "install -m 0755 /tmp/aws_signing_helper /usr/local/bin/aws_signing_helper",
  ].join(" && ");
}

/**
 * Follows the SSM bundle pointer: downloads a new version, verifies its sha256 before unpacking, installs the unit
 * that came with it, switches the `current` symlink atomically and restarts the service. An unreleased pointer is a
 * no-op, not an error. A new version starts afresh even if the old one had used up its start limit.
 */
const SYNC_BUNDLE_SCRIPT = `#!/usr/bin/env bash
set -euo pipefail
source /etc/polysync/bundle.env
export AWS_CONFIG_FILE=/var/lib/polysync/.aws/config
pointer=$(aws ssm get-parameter --name "$BUNDLE_PARAMETER" --query Parameter.Value --output text)
version=$(jq -r .version <<<"$pointer")
sha256=$(jq -r .sha256 <<<"$pointer")
key=$(jq -r .key <<<"$pointer")
if [ "$version" = "unreleased" ]; then echo "no bundle released for $SERVICE yet"; exit 0; fi
[[ "$sha256" =~ ^[0-9a-f]{64}$ ]] || { echo "bundle pointer $BUNDLE_PARAMETER has a malformed sha256" >&2; exit 1; }
target="$INSTALL_ROOT/$SERVICE/$sha256"
if [ "$(readlink -f "$INSTALL_ROOT/$SERVICE/current" || true)" = "$target" ]; then exit 0; fi
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
aws s3 cp --only-show-errors "s3://$ARTIFACT_BUCKET/$key" "$tmp"
echo "$sha256  $tmp" | sha256sum -c --quiet -
install -d -m 0755 "$target"
tar -xzf "$tmp" -C "$target"
install -m 0644 "$target/$UNIT" "/etc/systemd/system/$UNIT"
ln -sfn "$target" "$INSTALL_ROOT/$SERVICE/current.new"
mv -T "$INSTALL_ROOT/$SERVICE/current.new" "$INSTALL_ROOT/$SERVICE/current"
systemctl daemon-reload
systemctl reset-failed "$UNIT" || true
systemctl enable "$UNIT"
systemctl restart "$UNIT"
echo "installed $SERVICE $version ($sha256)"
`;

const SYNC_UNIT = `[Unit]
Description=Install the Poly Syncer bundle version Terraform points at
After=network-online.target
Wants=network-online.target

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/polysync-sync-bundle
`;

const SYNC_TIMER = `[Unit]
Description=Follow the Poly Syncer bundle pointer

[Timer]
OnBootSec=30s
OnUnitActiveSec=60s
RandomizedDelaySec=30s

[Install]
WantedBy=timers.target
`;
