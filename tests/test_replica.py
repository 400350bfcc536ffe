"""Report reads go to a read replica when DATABASE_REPLICA_URL names one (traceability/replica.py).

The alias has to exist when Django starts, so the checks (tests/replica/checks.py) run in a pytest of their own
with DATABASE_REPLICA_URL set to this run's database: the "replica" alias is then a test mirror of "default", a
second connection to the same test database, and each connection's statements are recorded apart."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent


def test_report_reads_go_to_the_replica_and_everything_else_to_the_primary():
    default = settings.DATABASES["default"]
    if default["ENGINE"].endswith("sqlite3"):
        replica_url = f"sqlite:///{default['NAME']}"
    else:
        replica_url = os.environ["DATABASE_URL"]
    env = {**os.environ, "DATABASE_REPLICA_URL": replica_url}
    result = subprocess.run(  # noqa: S603  (our own interpreter and test file)
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/replica/checks.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "4 passed" in result.stdout
