#!/bin/sh
# Moves the host's device interrupts to CPU 0, where systemd keeps everything but the service (ADR 0002): the
# service unit's CPUAffinity= confines processes, not interrupts, and an interrupt on the event loop's CPU stalls a
# fill. Run by the unit's ExecStartPre as root. Managed interrupts (a multi-queue device's per-CPU queues) refuse
# and stay with their queue's CPU; they are listed, never fatal: a host that keeps some is slower, not broken.
# Usage: irq-to-cpu0.sh [irq root, default /proc/irq] (tests point it at a copy).
set -u
root="${1:-/proc/irq}"
if [ ! -d "$root" ]; then
  echo "irq-to-cpu0: $root does not exist; interrupts left where they are"
  exit 0
fi
# Interrupts registered later (a device hot-plugged) start on CPU 0 too.
echo 1 > "$root/default_smp_affinity" 2>/dev/null || echo "irq-to-cpu0: $root/default_smp_affinity refused"
moved=0
kept=""
for file in "$root"/[0-9]*/smp_affinity_list; do
  [ -e "$file" ] || continue
  irq=$(basename "$(dirname "$file")")
  if echo 0 > "$file" 2>/dev/null; then
    moved=$((moved + 1))
  else
    kept="$kept $irq"
  fi
done
echo "irq-to-cpu0: $moved interrupt(s) on CPU 0${kept:+; kept by the kernel (managed or per-CPU):$kept}"
if pidof irqbalance >/dev/null 2>&1; then
  echo "irq-to-cpu0: irqbalance is running and will spread them again; disable it on service hosts"
fi
exit 0
