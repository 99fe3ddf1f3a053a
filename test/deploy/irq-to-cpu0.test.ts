import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../../services/deploy/manifest";
import { IRQ_SCRIPT } from "../../services/deploy/systemd";

const SCRIPT = join(REPO_ROOT, IRQ_SCRIPT.source);

/**
 * A copy of /proc/irq's layout: interrupts 24 and 25 accept a new affinity; 36 refuses, as a managed interrupt does
 * (its smp_affinity_list is a directory here, so the write fails even for root, which ignores file modes).
 */
function fakeIrqRoot(): string {
  const root = mkdtempSync(join(tmpdir(), "irq-"));
  writeFileSync(join(root, "default_smp_affinity"), "3\n");
  for (const irq of ["24", "25"]) {
    mkdirSync(join(root, irq));
    writeFileSync(join(root, irq, "smp_affinity_list"), "0-1\n");
  }
  mkdirSync(join(root, "36", "smp_affinity_list"), { recursive: true });
  return root;
}

function run(root: string) {
  return spawnSync("sh", [SCRIPT, root], { encoding: "utf8", env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" } });
}

describe("irq-to-cpu0.sh (the unit's ExecStartPre)", () => {
  test("moves every interrupt that accepts it to CPU 0, and new ones too, naming those the kernel keeps", () => {
    const root = fakeIrqRoot();
    const result = run(root);
    expect(result.status).toBe(0);
    expect(readFileSync(join(root, "24", "smp_affinity_list"), "utf8").trim()).toBe("0");
    expect(readFileSync(join(root, "25", "smp_affinity_list"), "utf8").trim()).toBe("0");
    expect(readFileSync(join(root, "default_smp_affinity"), "utf8").trim()).toBe("1");
    expect(result.stdout).toContain("irq-to-cpu0: 2 interrupt(s) on CPU 0; kept by the kernel (managed or per-CPU): 36");
  });

  test("a host without the directory is told so and the service still starts (exit 0)", () => {
    const result = run(join(tmpdir(), "no-such-irq-root"));
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/does not exist; interrupts left where they are/);
  });
});
