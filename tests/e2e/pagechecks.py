"""Lighthouse and the Nu HTML validator against the e2e server (tests/e2e/test_page_checks.py).

Both come from the npm registry into .ci/node_modules (`npm ci --prefix .ci`, run by `make test` and .ci/run;
pinned in .ci/package.json and its lock file) and run offline: Lighthouse drives Debian's Chromium, vnu.jar runs on
the machine's Java (17+)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from . import harness

TOOLS = harness.ROOT / ".ci" / "node_modules"
LIGHTHOUSE = TOOLS / "lighthouse" / "cli" / "index.js"
VNU_JAR = TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"
RESULTS = harness.ROOT / "var" / "page-checks"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
# htmx and its SSE extension are driven by attributes the HTML standard does not know: the only messages ignored.
HTMX_ATTRIBUTE = re.compile(r"Attribute “(hx|sse)-[a-z:-]+” (is )?not allowed")


def missing_tools() -> str | None:
    """Why the checks cannot run here (None when they can)."""
    if not LIGHTHOUSE.exists() or not VNU_JAR.exists():
        return f"Lighthouse / vnu.jar are not installed in {TOOLS} (npm ci --prefix .ci, or make test)"
    for tool in ("node", "java"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed"
    return None


def nu_errors(pages: dict[str, str]) -> dict[str, list[str]]:
    """Validate each page's HTML (name -> markup) in one vnu.jar run; name -> its errors ("line N: message")."""
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for name, html in pages.items():
            path = Path(tmp) / f"{re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')}.html"
            path.write_text(html, encoding="utf-8")
            files[path.name] = name
        run = subprocess.run(
            [
                "java",
                "-jar",
                str(VNU_JAR),
                "--format",
                "json",
                "--stdout",
                "--errors-only",
                *sorted(Path(tmp).iterdir()),
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
    report = json.loads(run.stdout or "{}")
    errors: dict[str, list[str]] = {name: [] for name in pages}
    for message in report.get("messages", []):
        if message.get("type") != "error" or HTMX_ATTRIBUTE.search(message.get("message", "")):
            continue
        url = message.get("url", "?")
        name = files.get(url.rsplit("/", 1)[-1], url)
        errors.setdefault(name, []).append(
            f"line {message.get('lastLine', '?')}: {message['message']} [{message.get('extract', '').strip()[:80]}]"
        )
    return errors


def lighthouse(url: str, name: str) -> dict[str, float]:
    """Lighthouse's category scores (0-100) for one page, mobile profile; the full report is kept in var/."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    report = RESULTS / f"lighthouse-{name}.json"
    env = {**os.environ, "CHROME_PATH": harness.chromium_path() or "/usr/bin/chromium"}
    command = [
        "node",
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage",
    ]
    # Lighthouse itself sometimes fails to drive Chromium on a busy machine (a CI run exited 1 once on a page that
    # scores 100 here): one more try, and if that fails too the error says what Lighthouse printed.
    for _ in range(2):
        run = subprocess.run(command, env=env, capture_output=True, text=True, timeout=240)
        if run.returncode == 0:
            break
    else:
        raise AssertionError(f"Lighthouse failed twice on {url} (exit {run.returncode}): {run.stderr[-2000:]}")
    data = json.loads(report.read_text())
    return {key: round((data["categories"][key]["score"] or 0) * 100) for key in CATEGORIES}
