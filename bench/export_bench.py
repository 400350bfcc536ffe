"""Benchmark the report's downloads at scale, through the real views.

Builds a closed process with N submissions (by default 10,000 and then 100,000) with
dispositions and clause links, by bulk insert, in a scratch database; then, at each size,
downloads mapping.csv, mapping.json, report.json and the disposition-of-comments .xlsx
through Django's test client (the full view, middleware and streaming), and reports rows/s,
MB/s and the peak of Python memory allocated while serving (tracemalloc, measured in a
second pass so that it does not slow the timed one).

    .venv/bin/python bench/export_bench.py                      # SQLite, in a temporary file
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/trace_bench .venv/bin/python bench/export_bench.py

It never writes to db.sqlite3 or to the database DATABASE_URL names: it creates a scratch
database beside it (PostgreSQL: ``<name>_bench_<pid>`` on the same server; SQLite: a file in
a temporary directory) and drops it at the end, even on failure. Results are printed and
written to bench/results/ (not committed).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import sys
import tempfile
import time
import tracemalloc
import uuid
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# Serve as in production: DEBUG off (no query log kept in memory).
os.environ["DEBUG"] = "0"
os.environ.setdefault("SECRET_KEY", "bench-only-" + uuid.uuid4().hex)
os.environ["ALLOWED_HOSTS"] = "testserver"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "traceability.settings")
warnings.filterwarnings("ignore", "No directory at", UserWarning)  # WhiteNoise: collectstatic has not run

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from traceability.accounts.models import StakeholderKind, User  # noqa: E402
from traceability.consultations.models import Attribution, Process, Submission  # noqa: E402
from traceability.consultations.services import process_create_default_groups  # noqa: E402
from traceability.dispositions.bulk import bulk_decide  # noqa: E402
from traceability.outcomes.services import version_import  # noqa: E402

BATCH = 10_000
SQLITE_DIR = tempfile.TemporaryDirectory(prefix="trace-bench-")  # removed at exit
COUNTRIES = ["KE", "DE", "BR", "FR", "IN", "US", "JP", "ZA", "MX", "EG", "ID", ""]
# 20 sections of 5 paragraphs with (a) and (b): 320 clauses.
DOCUMENT = "\n".join(
    f"# {s}. Section {s}\n"
    + "\n".join(f"{s}.{p} Paragraph {s}.{p}.\n(a) first point;\n(b) second point." for p in range(1, 6))
    for s in range(1, 21)
)
EXPORTS = [
    ("mapping.csv", "reports:mapping-csv"),
    ("mapping.json", "reports:mapping-json"),
    ("report.json (cold)", "reports:report-json"),
    ("report.json (warm)", "reports:report-json"),
    ("disposition-of-comments.xlsx", "reports:doc-xlsx"),
]


def scratch_database() -> str:
    """Point the connection at a new scratch database (migrated); return the name to restore afterwards."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        db["TEST"]["NAME"] = str(Path(SQLITE_DIR.name) / "bench.sqlite3")
    else:
        db["TEST"]["NAME"] = f"{db['NAME']}_bench_{os.getpid()}"
    old_name = db["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    return old_name


def text_of(n: int) -> str:
    return (
        f'Suggestion {n}: the clause on "inclusion", as drafted, leaves out small organisations, '
        "community networks and people who are not online.\nPlease add them, and say how their views "
        "will be weighed; see also our earlier submission, which gave three examples <b>in bold</b>. "
    ) * (1 + n % 3)


class Builder:
    """Grows one process by bulk inserts: rows as the services would write them, in batches."""

    def __init__(self) -> None:
        now = timezone.now()
        self.process = Process.objects.create(
            slug="bench",
            code="BENCH",
            title="Benchmark process",
            opens_at=now - timedelta(days=60),
            closes_at=now - timedelta(days=30),
        )
        process_create_default_groups(process=self.process)
        self.groups = list(self.process.groups.order_by("position"))
        version = version_import(process=self.process, source=DOCUMENT, label="Final", created_by=None)
        self.clauses = list(version.clauses.order_by("position"))
        User.objects.bulk_create(
            User(
                email=f"author{i}@example.org",
                password="!",
                display_name=f"Author {i}",
                organisation=f"Organisation {i % 400}",
                stakeholder_kind=StakeholderKind.values[i % 6],
                country=COUNTRIES[i % len(COUNTRIES)],
            )
            for i in range(1000)
        )
        self.authors = list(User.objects.filter(email__startswith="author").order_by("pk"))
        self.size = 0
        self.rows = 0  # rows of the mapping: one per clause link, one per other submission

    def grow(self, upto: int) -> None:
        for start in range(self.size + 1, upto + 1, BATCH):
            self._batch(start, min(start + BATCH - 1, upto))
        self.size = upto
        Process.objects.filter(pk=self.process.pk).update(last_number=upto)
        self.process.touch()
        self.process.refresh_from_db()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # planner statistics, as autovacuum would gather after a bulk load

    def _batch(self, first: int, last: int) -> None:
        process, received = self.process, self.process.opens_at
        submissions = []
        for n in range(first, last + 1):
            author = self.authors[n % len(self.authors)]
            text = text_of(n)
            submissions.append(
                Submission(
                    process=process,
                    number=n,
                    reference=process.reference_for(n),
                    author=author,
                    stakeholder_group=self.groups[(n + n // 7) % 6],
                    country=author.country,
                    organisation=author.organisation,
                    author_name=author.display_name,
                    attribution=Attribution.GROUP if n % 5 == 0 else Attribution.NAME,
                    title=f"Suggestion {n} on inclusion",
                    text=text,
                    target_clause=f"{1 + n % 20}.{1 + n % 5}",
                    proposed_change="Add: “and community networks”." if n % 2 else "",
                    text_sha256=Submission.hash_text(text),
                    form_token=uuid.uuid4(),
                    received_at=received + timedelta(seconds=n),
                    updated_at=received + timedelta(seconds=n),
                    withdrawn_at=received + timedelta(days=1) if n % 10 == 0 else None,
                )
            )
        Submission.objects.bulk_create(submissions, batch_size=2000)
        ids = dict(Submission.objects.filter(process=process, number__range=(first, last)).values_list("number", "pk"))
        # By n % 10: 1-2 reflected fully, 3-4 partly, 5 excluded legal, 6 public morality, 7-9 pending, 0 withdrawn.
        decided = [n for n in ids if 1 <= n % 10 <= 6]
        close = process.closes_at
        Submission.objects.filter(pk__in=[ids[n] for n in ids if n % 10 == 0]).update(status="withdrawn")
        decisions = [
            {
                "submission_id": ids[n],
                "kind": "reflected" if n % 10 <= 4 else "excluded",
                "extent": ("full" if n % 10 <= 2 else "partial") if n % 10 <= 4 else "",
                "ground": "" if n % 10 <= 4 else ("legal" if n % 10 == 5 else "public_morality"),
                "legal_provision": f"Data Protection Act, s. {n % 90}" if n % 10 == 5 else "",
                "justification": "Defamatory statements about a named person." if n % 10 == 6 else "",
                "decided_at": close + timedelta(hours=n % 2000),
                "links": [
                    (
                        self.clauses[(n * 7 + k * 41) % len(self.clauses)],
                        "full" if n % 10 <= 2 and k == 0 else "partial",
                        f"Reflected in the words “small organisations” ({k + 1})." if k % 2 == 0 else "",
                    )
                    for k in range(1 + n % 3)
                ]
                if n % 10 <= 4
                else [],
            }
            for n in decided
        ]
        bulk_decide(decisions)
        links = [link for d in decisions for link in d["links"]]
        reflected = sum(1 for n in decided if n % 10 <= 4)
        self.rows += (last - first + 1) - reflected + len(links)


def download(client: Client, path: str) -> int:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    if response.streaming:
        size = 0
        for chunk in response.streaming_content:
            size += len(chunk)
        return size
    return len(response.content)


def measure(client: Client, label: str, path: str, rows: int) -> dict[str, object]:
    if label.endswith("(cold)"):
        cache.clear()
    gc.collect()
    started = time.perf_counter()
    size = download(client, path)
    seconds = time.perf_counter() - started
    # Second pass for memory: tracemalloc slows Python down, so it is kept out of the timed pass.
    if label.endswith("(cold)"):
        cache.clear()
    gc.collect()
    tracemalloc.start()
    download(client, path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {
        "export": label,
        "rows": rows,
        "bytes": size,
        "seconds": seconds,
        "rows_per_second": rows / seconds,
        "mb_per_second": size / 1e6 / seconds,
        "peak_python_mb": peak / 1e6,
    }


def explain(process: Process) -> str:
    from traceability.reports.exports.mapping import mapping_queryset

    return mapping_queryset(process).explain()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated submission counts, ascending")
    parser.add_argument("--explain", action="store_true", help="print the mapping query's plan at the largest size")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]

    old_name = scratch_database()
    vendor = f"{connection.vendor} {connection.Database.sqlite_version if connection.vendor == 'sqlite' else ''}"
    if connection.vendor == "postgresql":
        vendor = f"postgresql {connection.cursor().connection.server_version}"
    results: list[dict[str, object]] = []
    try:
        builder = Builder()
        client = Client()
        for size in sizes:
            started = time.perf_counter()
            builder.grow(size)
            built = time.perf_counter() - started
            print(f"\n{vendor.strip()}: {size:,} submissions, {builder.rows:,} mapping rows (built in {built:.1f} s)")
            print(f"{'export':30} {'rows':>9} {'MB':>8} {'s':>7} {'rows/s':>9} {'MB/s':>7} {'peak MB':>8}")
            for label, name in EXPORTS:
                rows = builder.rows if label.startswith("mapping") else size
                result = measure(client, label, reverse(name, args=[builder.process.slug]), rows)
                result.update(size=size, build_seconds=built)
                results.append(result)
                rate, speed, peak = result["rows_per_second"], result["mb_per_second"], result["peak_python_mb"]
                print(
                    f"{label:30} {rows:>9,} {result['bytes'] / 1e6:>8.1f} {result['seconds']:>7.2f} "
                    f"{rate:>9,.0f} {speed:>7.1f} {peak:>8.2f}"
                )
        if args.explain:
            print("\n" + explain(builder.process))
        maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"\npeak resident set of the whole run (data building included): {maxrss:.0f} MB")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)

    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    meta = {"vendor": vendor.strip(), "python": platform.python_version(), "cpus": os.cpu_count(), "at": stamp}
    (out / f"export-{connection.vendor}-{stamp}.json").write_text(json.dumps({**meta, "results": results}, indent=2))


if __name__ == "__main__":
    main()
