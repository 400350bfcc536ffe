"""`make bench`'s small tier (2,000 submissions): the harness runs end to end against gunicorn and reports every
figure. Only its completeness and correctness are checked (no errors, rows stored == successful responses), never
its timings: speed claims come from `make bench` runs, not from the suite.

Runs on the suite's engine: on PostgreSQL in a database beside the suite's (``<name>_bench<pid>_2k``, made afresh
and dropped by the script); on SQLite in a file of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "home",
    "process page",
    "submission form",
    "report, first page",
    "report, last page",
    "report, text search with no hit",
    "report, filtered by group",
    "report, filtered by status",
    "report, filtered by country",
    "trace page",
    "document",
    "document, version 1",
    "compare versions",
    "methodology",
    "/me/",
    "workspace queue, first page",
    "workspace queue, last page",
    "review page",
    "re-confirmation queue",
    "contests",
    "release",
    "blocked attempts",
    "mapping.csv, first row",
    "report.json, first byte",
}
BUILT = {"mapping.json", "disposition-of-comments.xlsx"}


@pytest.mark.bench
def test_the_benchmark_harness_reports_every_figure_without_errors_on_a_small_tier(tmp_path):
    results = tmp_path / "results.json"
    args = ["--tiers", "2000", "--repeat", "3", "--downloads-repeat", "1", "--intake-seconds", "2", "--clients", "8"]
    args += ["--build-timeout", "120"]  # a build that never comes fails here, not at the subprocess's timeout
    args += ["--results", str(results), "--fresh", "--scratch"]
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        args += ["--database-url", f"sqlite:///{tmp_path / 'bench.sqlite3'}"]
    else:
        base = os.environ["DATABASE_URL"].rsplit("/", 1)
        # Beside the suite's database, named for this run: <name>_bench<pid>_2k, made afresh and dropped at the end.
        args += ["--database-url", f"{base[0]}/{base[1].split('?')[0]}_bench{os.getpid()}"]
    env = {key: value for key, value in os.environ.items() if key not in {"DJANGO_SETTINGS_MODULE", "DEBUG"}}

    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    tier = json.loads(results.read_text())["tiers"]["2000"]
    assert tier["load_average_before"] and tier["load_average_after"]
    assert tier["generated_seconds"] > 0
    # Made afresh: on PostgreSQL vacuumed as autovacuum would (index-only scans need the visibility map).
    assert (tier["vacuum_seconds"] is not None) == (connection.vendor == "postgresql")
    assert {row["page"] for row in tier["pages"]} == PAGES
    for row in tier["pages"]:
        assert row["errors"] == 0 and row["n"] >= 1, row
        assert row["median_ms"] > 0 and row["p95_ms"] >= row["median_ms"], row
        assert isinstance(row["queries"], int), row  # the X-Trace-Queries header was there
    assert next(r for r in tier["pages"] if r["page"] == "home")["queries"] >= 1

    intake = tier["intake"]
    for side in ("filing", "bare"):
        figures = intake[side]
        assert figures["ok"] > 0 and figures["errors"] == 0, figures
        assert figures["rows"] == figures["ok"] and figures["rows_equal_ok"], figures
        assert figures["per_second"] > 0 and figures["median_ms"] is not None
    assert intake["ratio"] > 0

    assert tier["indicators"]["compute_ms"] > 0 and tier["indicators"]["floor_ms"] > 0
    assert tier["indicators"]["ratio"] > 0
    exports = {export["export"]: export for export in tier["exports"]}
    assert set(exports) == {"mapping.csv", *BUILT}
    for export in exports.values():
        assert export["errors"] == 0 and export["built"] == (export["export"] in BUILT), export
        assert export["status"] == 200 and export["rows"] > 0 and export["rows_per_second"] > 0, export
        assert export["mb"] > 0 and export["seconds"] > 0, export
        assert export["peak_worker_growth_mb"] is not None and export["peak_worker_rss_mb"] > 0, export
    # The built downloads: the first request queued the build (202), the task worker beside gunicorn built it, the
    # polls saw the file (200), and the ready file was served.
    for name in BUILT:
        export = exports[name]
        assert export["first_status"] == 202 and export["polls"] >= 1 and not export["error"], export
        assert 0 < export["build_seconds"] <= export["ready_seconds"], export
        assert export["build_rows_per_second"] > 0, export
        assert export["task_worker_growth_mb"] is not None and export["task_worker_rss_mb"] > 0, export
        assert export["first_byte_n"] >= 1 and export["first_byte_median_ms"] > 0, export
        assert export["first_byte_p95_ms"] >= export["first_byte_median_ms"], export
    # mapping.csv and mapping.json: one row per clause link, one per other submission; at least one per submission
    # filed, and the same rows in both. The spreadsheet: one row per submission, the intake's filings included.
    assert exports["mapping.csv"]["rows"] >= 2000
    assert exports["mapping.json"]["rows"] == exports["mapping.csv"]["rows"]
    assert exports["disposition-of-comments.xlsx"]["rows"] == 2000 + tier["intake"]["filing"]["rows"]
    assert "report, first page" in run.stdout and "Results:" in run.stdout
    assert "disposition-of-comments.xlsx: built in" in run.stdout and ": error" not in run.stdout
