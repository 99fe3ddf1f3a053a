import { parse } from "yaml";
import { hostAddress, servicesSubnet } from "../../constructs/hetzner/addressing";
import { serviceHostRules } from "../../constructs/hetzner/firewall-rules";
import { AWS_SIGNING_HELPER, renderServiceHostCloudInit } from "../../constructs/hetzner/cloud-init";
import { bundlePointer } from "../../constructs/bundles";

describe("private addressing", () => {
  it("places each service's hosts in its own slot range of the first /24", () => {
    expect(servicesSubnet("10.110.0.0/16")).toBe("10.110.1.0/24");
    expect(hostAddress("10.110.0.0/16", "listener", 0)).toBe("10.110.1.10");
    expect(hostAddress("10.110.0.0/16", "executor", 9)).toBe("10.110.1.29");
  });

  it("refuses slots and networks that do not fit", () => {
    expect(() => hostAddress("10.110.0.0/16", "listener", 10)).toThrow("host index 10 for listener is outside 0..9");
    expect(() => hostAddress("10.110.0.0/16", "grafana", 0)).toThrow('no address slots for service "grafana"');
    expect(() => servicesSubnet("10.110.0.0/25")).toThrow("smaller than a /24");
    expect(() => servicesSubnet("10.300.0.0/16")).toThrow('"10.300.0.0/16" is not an IPv4 CIDR');
  });
});

describe("service host firewall rules", () => {
  it("opens SSH to admins, metrics to monitoring and nothing else but ICMP", () => {
    const rules = serviceHostRules({ sshPort: 22, adminCidrs: ["198.51.100.0/28"], monitoringSources: ["192.0.2.1/32"], metricsPorts: [9464, 9100] });
    expect(rules.map((r) => [r.protocol, r.port ?? "-", r.sourceIps.join(",")])).toEqual([
      ["icmp", "-", "0.0.0.0/0,::/0"],
      ["tcp", "22", "198.51.100.0/28"],
      ["tcp", "9464", "192.0.2.1/32"],
      ["tcp", "9100", "192.0.2.1/32"],
    ]);
  });
});

describe("service host cloud-init", () => {
  const doc = renderServiceHostCloudInit({
    service: "executor",
    env: "production",
    region: "eu-central",
    awsRegion: "eu-central-1",
    metricsPort: 9465,
    bundleParameter: "/polysync/production/eu-central/bundles/executor",
    artifactBucket: "polysync-production-eu-central-artifacts-111122223333",
    rpcConfigParameter: "/polysync/production/eu-central/rpc-providers",
    secretArns: ["arn:aws:secretsmanager:eu-central-1:111122223333:secret:x"],
    rolesAnywhere: { trustAnchorArn: "arn:ta", profileArn: "arn:profile", roleArn: "arn:role" },
  });
  const config = parse(doc);
  const file = (path: string) => config.write_files.find((f: { path: string }) => f.path === path)?.content as string;

  it("is valid cloud-config with a system user and no password logins", () => {
    expect(doc.startsWith("#cloud-config\n")).toBe(true);
    expect(config.ssh_pwauth).toBe(false);
    expect(config.users[0]).toMatchObject({ name: "polysync", system: true, shell: "/usr/sbin/nologin" });
  });

  it("writes the service config without secrets, and leaves the service unit to the bundle", () => {
    expect(JSON.parse(file("/etc/polysync/executor.json"))).toMatchObject({ service: "executor", metricsPort: 9465 });
    // The unit ships in the bundle (services/deploy/systemd.ts): a change to it must not change user_data.
    expect(file("/etc/systemd/system/polysync-executor.service")).toBeUndefined();
    expect(doc).not.toContain("ProtectSystem");
    expect(file("/etc/polysync/bundle.env")).toContain("UNIT=polysync-executor.service\n");
  });

  it("keeps everything but the service on core 0", () => {
    expect(file("/etc/systemd/system.conf.d/50-polysync-cpu.conf")).toContain("[Manager]\n");
    expect(file("/etc/systemd/system.conf.d/50-polysync-cpu.conf")).toContain("\nCPUAffinity=0\n");
    expect(config.runcmd).toContainEqual(["systemctl", "daemon-reexec"]);
  });

  it("verifies the credential helper and every bundle by sha256 before using them", () => {
    expect(JSON.stringify(config.runcmd)).toContain(`${AWS_SIGNING_HELPER.sha256}  /tmp/aws_signing_helper\\" | sha256sum -c -`);
    const sync = file("/usr/local/sbin/polysync-sync-bundle");
    expect(sync.indexOf("sha256sum -c")).toBeLessThan(sync.indexOf("tar -xzf"));
    expect(sync).toContain('if [ "$version" = "unreleased" ]');
  });

  it("installs the unit that came with a verified bundle, then switches and restarts", () => {
    const sync = file("/usr/local/sbin/polysync-sync-bundle");
    const order = ["sha256sum -c", "tar -xzf", 'install -m 0644 "$target/$UNIT"', "mv -T", "systemctl daemon-reload", 'systemctl reset-failed "$UNIT"', 'systemctl restart "$UNIT"'];
    const positions = order.map((step) => sync.indexOf(step));
    expect(positions.every((p) => p >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });

  it("configures AWS access through Roles Anywhere, not stored keys", () => {
    const aws = file("/var/lib/polysync/.aws/config");
    expect(aws).toContain("credential_process = /usr/local/bin/aws_signing_helper credential-process");
    expect(aws).toContain("--role-arn arn:role");
    expect(aws).not.toMatch(/aws_access_key_id|aws_secret_access_key/);
  });
});

describe("bundle pointer", () => {
  const archive = "/dist/listener-1.0.0.tgz";

  it("is unreleased without a bundle and content-addressed with one", () => {
    expect(JSON.parse(bundlePointer("listener", undefined))).toEqual({ version: "unreleased" });
    const sha256 = "0123456789abcdef".repeat(4);
    expect(JSON.parse(bundlePointer("listener", { version: "1.0.0", sha256, archive }))).toEqual({
      version: "1.0.0",
      sha256,
      key: `bundles/listener/${sha256}.tgz`,
    });
  });

  it("rejects a malformed digest", () => {
    expect(() => bundlePointer("executor", { version: "1.0.0", sha256: "ABC", archive })).toThrow(
      "bundle for executor 1.0.0: sha256 must be 64 lower-case hex characters",
    );
  });
});
