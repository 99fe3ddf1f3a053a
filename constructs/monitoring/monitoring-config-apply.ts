/**
 * The monitoring hosts' side of a config rollout: who may upload a bundle, where it lands, and the root-owned script
 * that checks and installs it. All of this is first-boot bootstrap (monitoring-cloud-init.ts); the bundle itself
 * travels over SSH (monitoring-config-rollout.ts), so config changes never touch the servers' user_data.
 */
import { CONFIG_DIR } from "./prometheus-config";

/** Owns the upload and may run the apply script as root, nothing else. */
export const DEPLOY_USER = "polysync-config";
export const DEPLOY_HOME = "/var/lib/polysync-config";
/** In the deploy user's home: it exists as soon as that user can log in, unlike anything created later in boot. */
export const BUNDLE_PATH = `${DEPLOY_HOME}/monitoring-config.json`;
export const APPLY_SCRIPT_PATH = "/usr/local/sbin/polysync-apply-monitoring-config";
export const SUDOERS_PATH = "/etc/sudoers.d/polysync-config";

/** The empty argument list ("") forbids arguments: the deploy user can run the script exactly as it is. */
export const SUDOERS_RULE = `${DEPLOY_USER} ALL=(root) NOPASSWD: ${APPLY_SCRIPT_PATH} ""\n`;

/** What the bundle at BUNDLE_PATH holds: file contents by path relative to CONFIG_DIR. */
export interface MonitoringConfigBundle {
  files: Record<string, string>;
}

/**
 * Python because cloud-init, which bootstraps these hosts, is Python: python3 is on every host this runs on, and JSON
 * and atomic renames are in its standard library. `-I` ignores PYTHON* variables and the user site directory.
 */
export const APPLY_SCRIPT = `#!/usr/bin/python3 -I
"""Installs the monitoring config bundle at ${BUNDLE_PATH}.

Every file is checked in a staging directory first (promtool, amtool), so a bad bundle leaves the live configuration
as it was and exits non-zero with the checker's message. Then the files are renamed into place, rule files the
bundle no longer has are removed, and Prometheus and Alertmanager are reloaded.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

# For the tests only: sudo's env_reset drops these, so the deploy user cannot point root at other paths or commands.
ROOT = os.environ.get("POLYSYNC_CONFIG_ROOT", "")
SYSTEMCTL = os.environ.get("POLYSYNC_SYSTEMCTL", "/bin/systemctl")

BUNDLE = ROOT + "${BUNDLE_PATH}"
LIVE = ROOT + "${CONFIG_DIR}"
PROMTOOL = "/usr/bin/promtool"
AMTOOL = "/usr/bin/amtool"
REQUIRED = ("prometheus.yml", "alertmanager.yml")
# Anything else would let whoever uploads the bundle write files elsewhere as root.
ALLOWED = re.compile(r"^(prometheus\\.yml|alertmanager\\.yml|rules/[A-Za-z0-9_-][A-Za-z0-9_.-]*\\.yml)$")


def fail(message):
    print("polysync-apply-monitoring-config: " + message, file=sys.stderr)
    sys.exit(1)


def load_bundle():
    try:
        with open(BUNDLE, encoding="utf-8") as f:
            files = json.load(f)["files"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        fail("cannot read %s: %s" % (BUNDLE, e))
    if not isinstance(files, dict):
        fail("%s: files is not an object" % BUNDLE)
    refused = sorted(p for p, c in files.items() if not ALLOWED.match(p) or not isinstance(c, str))
    if refused:
        fail("refusing the bundle, it names paths outside the monitoring config: " + ", ".join(refused))
    missing = [p for p in REQUIRED if p not in files]
    if missing:
        fail("refusing the bundle, it lacks " + ", ".join(missing))
    return files


def check(argv):
    result = subprocess.run(argv, capture_output=True, text=True)
    if result.returncode != 0:
        fail("%s failed; the live configuration is unchanged\\n%s%s" % (" ".join(argv), result.stdout, result.stderr))


def write(path, content):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(content)
    os.chmod(path, 0o644)


def main():
    files = load_bundle()
    rules = sorted(p for p in files if p.startswith("rules/"))
    os.makedirs(os.path.join(LIVE, "rules"), exist_ok=True)
    # Inside LIVE so that each rename below stays on one filesystem and is atomic; the rule_files glob does not reach it.
    with tempfile.TemporaryDirectory(prefix=".polysync-staging-", dir=LIVE) as staging:
        for path, content in files.items():
            write(os.path.join(staging, path), content)
        # --syntax-only: prometheus.yml names the live rules directory, so its rules are checked from staging instead.
        check([PROMTOOL, "check", "config", "--syntax-only", os.path.join(staging, "prometheus.yml")])
        if rules:
            check([PROMTOOL, "check", "rules"] + [os.path.join(staging, p) for p in rules])
        check([AMTOOL, "check-config", os.path.join(staging, "alertmanager.yml")])

        # Prometheus and Alertmanager read these files only at start and on reload, which comes after the last rename.
        for path in files:
            os.replace(os.path.join(staging, path), os.path.join(LIVE, path))
    removed = []
    for name in sorted(os.listdir(os.path.join(LIVE, "rules"))):
        if name.endswith(".yml") and "rules/" + name not in files:
            os.remove(os.path.join(LIVE, "rules", name))
            removed.append(name)

    # reload-or-restart: a service that is not running (stopped, or failed on an earlier config) starts on this one.
    for unit in ("prometheus.service", "prometheus-alertmanager.service"):
        if subprocess.run([SYSTEMCTL, "reload-or-restart", unit]).returncode != 0:
            fail("systemctl reload-or-restart %s failed" % unit)
    print("installed %d files, removed %s; reloaded Prometheus and Alertmanager" % (len(files), ", ".join(removed) or "nothing"))


main()
`;
