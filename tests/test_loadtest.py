"""The load test's small form: 20 filings at once while the organiser decides, over real HTTP, against gunicorn.

Runs ``bench/loadtest.py`` (what ``make loadtest`` runs) on the suite's engine: on PostgreSQL in a scratch
database beside the suite's, created and dropped by the script; on SQLite in a file of its own. Every response
and every row is checked by the script; this test reads its results file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def test_twenty_simultaneous_filings_and_decisions_leave_consistent_rows(tmp_path):
    results = tmp_path / "results.json"
    args = ["--filings", "20", "--stakeholders", "10", "--decisions", "8", "--races", "2", "--results", str(results)]
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        args += ["--database-url", f"sqlite:///{tmp_path / 'loadtest.sqlite3'}"]
    else:
        args += ["--database-url", os.environ["DATABASE_URL"], "--scratch"]
    env = {key: value for key, value in os.environ.items() if key not in {"DJANGO_SETTINGS_MODULE", "DEBUG"}}

    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "loadtest.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert run.returncode == 0, run.stdout + run.stderr
    outcome = json.loads(results.read_text())
    assert outcome["checks"] and all(outcome["checks"].values()), outcome["checks"]
    assert outcome["submissions"] == 20
    assert outcome["decision_successes"] == outcome["decision_revisions"] == 8
    total = next(row for row in outcome["table"] if row["requests"] == "all requests")
    # 20 forms and 20 filings; 8 review pages and 10 decision posts (2 raced twice).
    assert total["n"] == 58 and total["5xx"] == 0 and total["failed"] == 0
    assert total["4xx"] == 2  # the raced duplicates, refused as stale
