import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SERVICE_NAMES } from "../../stacks/topology";
import { SERVICE_DEPLOYMENTS } from "../../services/deploy/services";
import { renderServiceUnit, unitName } from "../../services/deploy/systemd";

/** Directive lines of a unit (comments and section headers dropped). */
function directives(unit: string): string[] {
  return unit.split("\n").filter((l) => /^[A-Za-z]+=/.test(l));
}

it("the two services on the copy path get their hosts' device interrupts moved off their CPUs", () => {
  expect(SERVICE_NAMES.filter((s) => SERVICE_DEPLOYMENTS[s].deviceInterruptsOnCpu0).sort()).toEqual(["executor", "listener"]);
});

describe.each(SERVICE_NAMES)("systemd unit of the %s", (service) => {
  const unit = renderServiceUnit(service);
  const lines = directives(unit);
  const deployment = SERVICE_DEPLOYMENTS[service];

  it("runs the installed bundle as the dedicated user with the host's config", () => {
    expect(lines).toEqual(
      expect.arrayContaining([
        "User=polysync",
        "Group=polysync",
        `ExecStart=/usr/bin/node --enable-source-maps --max-old-space-size=${deployment.heapMaxMiB}${deployment.nodeFlags.map((f) => ` ${f}`).join("")} /opt/polysync/${service}/current/${service}.mjs --config /etc/polysync/${service}.json`,
        `StateDirectory=polysync/${service}`,
      ]),
    );
  });

  it("is hardened: read-only system, no privileges, no capabilities, a syscall allow-list", () => {
    for (const line of [
      "NoNewPrivileges=yes",
      "CapabilityBoundingSet=",
      "AmbientCapabilities=",
      "ProtectSystem=strict",
      "ProtectHome=yes",
      "PrivateTmp=yes",
      "PrivateDevices=yes",
      "ProtectKernelTunables=yes",
      "ProtectKernelModules=yes",
      "ProtectControlGroups=yes",
      "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
      "RestrictSUIDSGID=yes",
      "SystemCallFilter=@system-service",
      "SystemCallFilter=~@privileged",
      "SystemCallArchitectures=native",
    ]) {
      expect(lines).toContain(line);
    }
    // V8's JIT needs W+X pages: this one would stop node from starting.
    expect(lines.some((l) => l.startsWith("MemoryDenyWriteExecute="))).toBe(false);
  });

  it("bounds memory, pins the service to its own cores and restarts with a bounded crash loop", () => {
    expect(lines).toEqual(
      expect.arrayContaining([
        `MemoryMax=${deployment.memoryMaxMiB}M`,
        "CPUAffinity=1-63",
        "Restart=on-failure",
        "RestartSec=5s",
        "StartLimitIntervalSec=600",
        "StartLimitBurst=5",
      ]),
    );
    expect(deployment.heapMaxMiB).toBeLessThan(deployment.memoryMaxMiB);
    // Debian 12's systemd 252 ignores these (they arrived in 254); StartLimit* bound the loop instead.
    expect(lines.some((l) => /^Restart(Steps|MaxDelaySec)=/.test(l))).toBe(false);
  });

  it("moves device interrupts to CPU 0 first, as root and without blocking the start, on latency-critical hosts", () => {
    const pre = lines.filter((l) => l.startsWith("ExecStartPre="));
    expect(pre).toEqual(deployment.deviceInterruptsOnCpu0 ? [`ExecStartPre=-+/bin/sh /opt/polysync/${service}/current/irq-to-cpu0.sh`] : []);
  });

  it("stops gracefully on SIGTERM within a bound", () => {
    expect(lines).toEqual(
      expect.arrayContaining(["KillSignal=SIGTERM", "KillMode=mixed", `TimeoutStopSec=${deployment.stopTimeoutSec}s`]),
    );
  });

  const analyze = spawnSync("systemd-analyze", ["--version"]);
  (analyze.status === 0 ? it : it.skip)("is accepted by this host's systemd-analyze without a warning", () => {
    const file = join(mkdtempSync(join(tmpdir(), "polysync-unit-")), unitName(service));
    writeFileSync(file, unit);
    const verify = spawnSync("systemd-analyze", ["verify", file], { encoding: "utf8" });
    expect({ status: verify.status, stderr: verify.stderr }).toEqual({ status: 0, stderr: "" });
  });
});

it("gives the listener --expose-gc (idle GC between blocks)", () => {
  expect(directives(renderServiceUnit("listener")).find((l) => l.startsWith("ExecStart="))).toContain(" --expose-gc ");
});
