# ruff: noqa: T201 (a command-line tool: it prints its report)
"""`make audit`: the pinned dependencies (requirements.lock) against the advisory index, with
pip-audit (seed 003, 16: regular scanning for vulnerabilities). Offline-tolerant: when the
index cannot be reached (every package unaudited, or no connection at all) it says so and
passes — a machine without the index proves nothing either way; a known vulnerability fails.

Exit 0: no known vulnerability (or the index unreachable, said loudly); 1: vulnerabilities."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT_S = 180


def main() -> int:
    audit = Path(sys.executable).with_name("pip-audit")
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "audit.json"
        command = [str(audit), "-r", str(ROOT / "requirements.lock"), "--no-deps", "--disable-pip"]
        command += ["--progress-spinner", "off", "-f", "json", "-o", str(report)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)  # noqa: S603
        except subprocess.TimeoutExpired:
            print(f"dependency audit: the advisory index did not answer in {TIMEOUT_S} s: NOT audited (passing)")
            return 0
        if not report.exists():
            reason = (done.stderr.strip().splitlines() or ["no report"])[-1]
            print(f"dependency audit: the advisory index is unreachable ({reason}): NOT audited (passing)")
            return 0
        found = json.loads(report.read_text())
    dependencies = found.get("dependencies", [])
    skipped = [d for d in dependencies if d.get("skip_reason")]
    vulnerable = [d for d in dependencies if d.get("vulns")]
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
            print(f"{dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixed})")
    if vulnerable:
        print(f"dependency audit: {len(vulnerable)} of {len(dependencies)} packages have known vulnerabilities")
        return 1
    if dependencies and len(skipped) == len(dependencies):
        print(f"dependency audit: the advisory index knows none of the {len(dependencies)} packages (unreachable or")
        print("a local mirror without advisories): NOT audited (passing)")
        return 0
    print(f"dependency audit: {len(dependencies) - len(skipped)} packages audited, no known vulnerability", end="")
    print(f" ({len(skipped)} not in the index)" if skipped else "")
    return 0


if __name__ == "__main__":
    sys.exit(main())
