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
# Built downloads go to a scratch directory, removed at the end.
EXPORTS_DIR = tempfile.TemporaryDirectory(prefix="trace-bench-exports-")
os.environ["EXPORTS_ROOT"] = EXPORTS_DIR.name
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


# The same rows as Builder._batch, written by PostgreSQL itself (INSERT ... SELECT generate_series): a million
# submissions in a few minutes instead of half an hour. Revisions are not sealed into the history chain
# (chain_position, prev_hash and entry_hash stay empty): no export reads them.
FILL_SQL = """
CREATE TEMP TABLE IF NOT EXISTS bench_authors AS
  SELECT row_number() OVER (ORDER BY id) - 1 AS i, id, country, organisation, display_name
  FROM accounts_user WHERE email LIKE 'author%%@example.org';
CREATE TEMP TABLE IF NOT EXISTS bench_groups AS
  SELECT row_number() OVER (ORDER BY position) - 1 AS i, id FROM consultations_stakeholdergroup
  WHERE process_id = %(process)s;
CREATE TEMP TABLE IF NOT EXISTS bench_clauses AS
  SELECT row_number() OVER (ORDER BY position) - 1 AS i, id, identity_id, fingerprint FROM outcomes_clause
  WHERE version_id = %(version)s;
INSERT INTO consultations_submission (process_id, number, reference, author_id, stakeholder_group_id, country,
  organisation, author_name, attribution, title, text, target_clause, proposed_change, text_sha256, form_token,
  received_at, updated_at, withdrawn_at, status, withheld)
SELECT %(process)s, n, %(code)s || '-' || CASE WHEN n < 100000 THEN lpad(n::text, 5, '0') ELSE n::text END,
  a.id, g.id, a.country, a.organisation, a.display_name,
  CASE WHEN n %% 5 = 0 THEN 'group' ELSE 'name' END, 'Suggestion ' || n || ' on inclusion', t.text,
  (1 + n %% 20) || '.' || (1 + n %% 5), CASE WHEN n %% 2 = 1 THEN 'Add: “and community networks”.' ELSE '' END,
  encode(sha256(convert_to(t.text, 'UTF8')), 'hex'), gen_random_uuid(),
  %(opens)s::timestamptz + n * interval '1 second', %(opens)s::timestamptz + n * interval '1 second',
  CASE WHEN n %% 10 = 0 THEN %(opens)s::timestamptz + interval '1 day' END,
  CASE WHEN n %% 10 = 0 THEN 'withdrawn' WHEN n %% 10 <= 4 THEN 'reflected' WHEN n %% 10 <= 6 THEN 'excluded'
    ELSE 'pending' END,
  n %% 10 = 6
FROM generate_series(%(first)s, %(last)s) n
JOIN bench_authors a ON a.i = n %% 1000
JOIN bench_groups g ON g.i = (n + n / 7) %% 6
CROSS JOIN LATERAL (SELECT repeat(replace(%(text)s, '{n}', n::text), 1 + n %% 3) AS text) t;
INSERT INTO dispositions_decisionrevision (submission_id, number, change, kind, ground, extent, legal_provision,
  justification, decided_at, withheld, entry_hash, prev_hash)
SELECT s.id, 1, 'decided', CASE WHEN s.number %% 10 <= 4 THEN 'reflected' ELSE 'excluded' END,
  CASE s.number %% 10 WHEN 5 THEN 'legal' WHEN 6 THEN 'public_morality' ELSE '' END,
  CASE WHEN s.number %% 10 <= 2 THEN 'full' WHEN s.number %% 10 <= 4 THEN 'partial' ELSE '' END,
  CASE WHEN s.number %% 10 = 5 THEN 'Data Protection Act, s. ' || s.number %% 90 ELSE '' END,
  CASE WHEN s.number %% 10 = 6 THEN 'Defamatory statements about a named person.' ELSE '' END,
  %(closes)s::timestamptz + (s.number %% 2000) * interval '1 hour', s.number %% 10 = 6, '', ''
FROM consultations_submission s
WHERE s.process_id = %(process)s AND s.number BETWEEN %(first)s AND %(last)s AND s.number %% 10 BETWEEN 1 AND 6;
INSERT INTO dispositions_disposition (submission_id, revision_id, kind, ground, extent, legal_provision,
  justification, decided_at, first_decided_at, withheld)
SELECT r.submission_id, r.id, r.kind, r.ground, r.extent, r.legal_provision, r.justification, r.decided_at,
  r.decided_at, r.withheld
FROM dispositions_decisionrevision r JOIN consultations_submission s ON s.id = r.submission_id
WHERE s.process_id = %(process)s AND s.number BETWEEN %(first)s AND %(last)s;
INSERT INTO dispositions_clauselink (revision_id, identity_id, clause_id, fingerprint, extent, note)
SELECT r.id, c.identity_id, c.id, c.fingerprint,
  CASE WHEN s.number %% 10 <= 2 AND k = 0 THEN 'full' ELSE 'partial' END,
  CASE WHEN k %% 2 = 0 THEN 'Reflected in the words “small organisations” (' || (k + 1) || ').' ELSE '' END
FROM dispositions_decisionrevision r JOIN consultations_submission s ON s.id = r.submission_id
CROSS JOIN LATERAL generate_series(0, s.number %% 3) k
JOIN bench_clauses c ON c.i = (s.number * 7 + k * 41) %% %(clauses)s
WHERE s.process_id = %(process)s AND s.number BETWEEN %(first)s AND %(last)s AND s.number %% 10 BETWEEN 1 AND 4;
"""


def sql_grow(builder: Builder, upto: int) -> None:
    """Builder.grow with the rows written by PostgreSQL (``--fill sql``), in batches of 100,000."""
    process = builder.process
    text = text_of(0).replace("Suggestion 0", "Suggestion {n}")
    with connection.cursor() as cursor:
        for first in range(builder.size + 1, upto + 1, 100_000):
            last = min(first + 99_999, upto)
            params = {
                "process": process.pk,
                "version": builder.clauses[0].version_id,
                "clauses": len(builder.clauses),
                "code": process.code,
                "opens": process.opens_at,
                "closes": process.closes_at,
                "text": text,
                "first": first,
                "last": last,
            }
            cursor.execute(FILL_SQL, params)
            connection.commit() if not connection.get_autocommit() else None
            print(f"  filled {last:,}", flush=True)
    builder.rows += sum(1 if not 1 <= n % 10 <= 4 else 1 + n % 3 for n in range(builder.size + 1, upto + 1))
    builder.size = upto
    Process.objects.filter(pk=process.pk).update(last_number=upto)
    process.touch()
    process.refresh_from_db()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def download(client: Client, path: str) -> int:
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    if response.streaming:
        size = 0
        for chunk in response.streaming_content:
            size += len(chunk)
        if hasattr(response, "close"):
            response.close()
        return size
    return len(response.content)


def orm_csv(process: Process) -> int:
    """mapping.csv through the ORM path (what SQLite serves; on PostgreSQL the view uses COPY)."""
    from traceability.reports.exports.mapping import csv_stream, mapping_rows

    return sum(len(chunk) for chunk in csv_stream(mapping_rows(process)))


def build(process: Process, kind: str) -> int:
    """The background task's work for a built download (the .xlsx, mapping.json), from scratch."""
    from traceability.reports.exports.builds import export_build
    from traceability.reports.models import BuiltExport

    BuiltExport.objects.filter(process=process).delete()
    export = BuiltExport.objects.create(
        process=process,
        kind=kind,
        language="en",
        stats_version=process.stats_version,
        last_number=process.last_number,
        total=process.last_number,
    )
    assert export_build(export_id=export.pk) == "ready"
    export.refresh_from_db()
    return export.size


def measure(label: str, run, rows: int, cold: bool = False) -> dict[str, object]:
    if cold:
        cache.clear()
    gc.collect()
    started = time.perf_counter()
    size = run()
    seconds = time.perf_counter() - started
    # Second pass for memory: tracemalloc slows Python down, so it is kept out of the timed pass.
    if cold:
        cache.clear()
    gc.collect()
    peak = None
    if MEMORY_PASS:
        tracemalloc.start()
        run()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return {
        "export": label,
        "rows": rows,
        "bytes": size,
        "seconds": seconds,
        "rows_per_second": rows / seconds,
        "mb_per_second": size / 1e6 / seconds,
        "peak_python_mb": peak / 1e6 if peak is not None else None,
    }


def exports(client: Client, process: Process, rows: int, size: int) -> list[tuple[str, object, int, bool]]:
    """(label, what to run, rows it writes, whether the indicator cache starts cold)."""
    from traceability.reports.models import ExportKind

    def link(name: str) -> str:
        return reverse(name, args=[process.slug])

    csv_label = "mapping.csv (COPY)" if connection.vendor == "postgresql" else "mapping.csv"
    listed = [(csv_label, lambda: download(client, link("reports:mapping-csv")), rows, False)]
    if connection.vendor == "postgresql":
        listed.append(("mapping.csv (ORM path)", lambda: orm_csv(process), rows, False))
    return listed + [
        ("mapping.json build (task)", lambda: build(process, ExportKind.MAPPING_JSON), rows, False),
        ("mapping.json, built, served", lambda: download(client, link("reports:mapping-json")), rows, False),
        ("report.json (cold)", lambda: download(client, link("reports:report-json")), size, True),
        ("report.json (warm)", lambda: download(client, link("reports:report-json")), size, False),
        ("xlsx build (task)", lambda: build(process, ExportKind.DISPOSITION_OF_COMMENTS), size, False),
        ("xlsx, built, served", lambda: download(client, link("reports:doc-xlsx")), size, False),
    ]


def explain(process: Process) -> str:
    """The plan of the mapping query (ORM path) and, on PostgreSQL, of one COPY range of 1,000 receipt numbers
    from the middle of the process, with the time it took."""
    from traceability.outcomes.models import DocumentVersion
    from traceability.reports.exports.mapping import mapping_queryset
    from traceability.reports.exports.mapping_copy import copy_sql

    plans = [mapping_queryset(process).explain()]
    if connection.vendor == "postgresql":
        middle = process.last_number // 2
        version = DocumentVersion.objects.report_version_for(process)
        select = copy_sql(process, version, middle, middle + 999)[len("COPY (") : -len(") TO STDOUT WITH (FORMAT csv)")]
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + select)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    return "\n\n".join(plans)


MEMORY_PASS = True


def reuse(name: str, only: str) -> None:
    """Measure the exports of the process kept in database ``name`` (by an earlier ``--keep`` run)."""
    connection.close()
    connection.settings_dict["NAME"] = name
    process = Process.objects.get(slug="bench")
    size = process.last_number
    rows = sum(1 if not 1 <= n % 10 <= 4 else 1 + n % 3 for n in range(1, size + 1))
    print(f"{name}: {size:,} submissions, {rows:,} mapping rows")
    for label, run, count, cold in exports(Client(), process, rows, size):
        if only not in label:
            continue
        result = measure(label, run, count, cold)
        peak = result["peak_python_mb"]
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{label:30} {count:>9,} {result['bytes'] / 1e6:>8.1f} {result['seconds']:>7.2f} "
            f"{result['rows_per_second']:>9,.0f} {'' if peak is None else f'{peak:8.2f}'}   "
            f"(load {os.getloadavg()[0]:.1f}, peak RSS {rss:.0f} MB)",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated submission counts, ascending")
    parser.add_argument("--explain", action="store_true", help="print the mapping query's plan at the largest size")
    parser.add_argument(
        "--fill",
        choices=["orm", "sql"],
        default="orm",
        help="write the rows with bulk_create (orm) or with INSERT ... SELECT generate_series (sql, PostgreSQL)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch database (its name is printed)")
    parser.add_argument(
        "--reuse",
        default="",
        help="measure again in a database kept by --keep (its process as it is; --sizes is ignored)",
    )
    parser.add_argument("--no-memory", action="store_true", help="skip the (slow) tracemalloc pass")
    parser.add_argument("--only", default="", help="measure only the exports whose label contains this text")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]

    global MEMORY_PASS
    MEMORY_PASS = not args.no_memory
    if args.reuse:
        reuse(args.reuse, args.only)
        return
    old_name = scratch_database()
    vendor = f"{connection.vendor} {connection.Database.sqlite_version if connection.vendor == 'sqlite' else ''}"
    if connection.vendor == "postgresql":
        vendor = f"postgresql {connection.cursor().connection.server_version}"
    elif args.fill == "sql":
        parser.error("--fill sql needs PostgreSQL")
    results: list[dict[str, object]] = []
    try:
        builder = Builder()
        client = Client()
        for size in sizes:
            started = time.perf_counter()
            sql_grow(builder, size) if args.fill == "sql" else builder.grow(size)
            built = time.perf_counter() - started
            print(f"\n{vendor.strip()}: {size:,} submissions, {builder.rows:,} mapping rows (built in {built:.1f} s)")
            print(f"{'export':30} {'rows':>9} {'MB':>8} {'s':>7} {'rows/s':>9} {'MB/s':>7} {'peak MB':>8}")
            for label, run, rows, cold in exports(client, builder.process, builder.rows, size):
                if args.only not in label:
                    continue
                result = measure(label, run, rows, cold)
                result.update(size=size, build_seconds=built, load_average=os.getloadavg())
                results.append(result)
                rate, speed, peak = result["rows_per_second"], result["mb_per_second"], result["peak_python_mb"]
                print(
                    f"{label:30} {rows:>9,} {result['bytes'] / 1e6:>8.1f} {result['seconds']:>7.2f} "
                    f"{rate:>9,.0f} {speed:>7.1f} {peak or 0:>8.2f}   (load {os.getloadavg()[0]:.1f})",
                    flush=True,
                )
        if args.explain:
            print("\n" + explain(builder.process))
        maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"\npeak resident set of the whole run (data building included): {maxrss:.0f} MB")
    finally:
        if args.keep:
            print(f"kept the scratch database {connection.settings_dict['NAME']}")
        else:
            connection.creation.destroy_test_db(old_name, verbosity=0)

    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    meta = {"vendor": vendor.strip(), "python": platform.python_version(), "cpus": os.cpu_count(), "at": stamp}
    (out / f"export-{connection.vendor}-{stamp}.json").write_text(json.dumps({**meta, "results": results}, indent=2))


if __name__ == "__main__":
    main()
