"""Benchmark the tallies on PostgreSQL: indicators from the tallies against the full scan, the rebuild, and
what the triggers add to each filing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> .venv/bin/python bench/tally_bench.py --submissions 1000000

It adds one process named ``tally-bench-<n>`` to the (migrated) database DATABASE_URL names, filled with
plain SQL (``generate_series``) inside ``tallies_suspended()``, then rebuilds its tallies; it leaves the
process there for EXPLAIN (``--keep``) or deletes it at the end. Use a scratch database.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "traceability.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_countries import countries  # noqa: E402

from traceability.accounts.models import User  # noqa: E402
from traceability.consultations.history import history_maintenance  # noqa: E402
from traceability.consultations.models import Process, Submission  # noqa: E402
from traceability.consultations.services import process_create_default_groups  # noqa: E402
from traceability.dispositions.selectors import progress, progress_from_scan  # noqa: E402
from traceability.reports.indicators import compute, compute_from_scan  # noqa: E402
from traceability.reports.tallies import differences, rebuild_tallies, tallies_suspended  # noqa: E402

SUBMISSIONS = """
INSERT INTO consultations_submission (number, reference, country, organisation, author_name, attribution, title,
    text, target_clause, proposed_change, text_sha256, form_token, received_at, updated_at, withdrawn_at, author_id,
    process_id, stakeholder_group_id, status, target_id, round_id, withheld)
SELECT g + %(offset)s, %(code)s || '-' || lpad((g + %(offset)s)::text, 7, '0'),
    (%(countries)s::text[])[1 + (g * 7919) %% cardinality(%(countries)s::text[])],
    CASE WHEN g %% 7 = 0 THEN '' ELSE 'Organisation ' || (g %% 20000) END, 'Author ' || (g %% 1000),
    CASE WHEN g %% 4 = 0 THEN 'group' ELSE 'name' END, 'Title ' || g, repeat('A suggestion. ', 40), '', '',
    md5(g::text) || md5(g::text), md5((g + %(offset)s)::text || %(code)s)::uuid, now(), now(), NULL,
    (%(users)s::bigint[])[1 + g %% cardinality(%(users)s::bigint[])], %(process)s,
    (%(groups)s::bigint[])[1 + (g * g + g / 3) %% 6],
    (ARRAY['reflected','reflected','reflected','reflected','excluded','excluded','not_taken_up','pending',
           'pending','withdrawn'])[1 + g %% 10],
    NULL, NULL, g %% 10 = 5
FROM generate_series(1::bigint, %(n)s::bigint) g
"""
REVISIONS = """
INSERT INTO dispositions_decisionrevision (number, change, kind, ground, extent, legal_provision, justification,
    decided_at, submission_id, withheld, entry_hash, prev_hash)
SELECT 1, 'decided', s.status,
    CASE WHEN s.status <> 'excluded' THEN '' WHEN s.number %% 10 = 4 THEN 'legal' ELSE 'public_morality' END,
    CASE WHEN s.status <> 'reflected' THEN '' WHEN s.number %% 2 = 0 THEN 'full' ELSE 'partial' END,
    CASE WHEN s.status = 'excluded' AND s.number %% 10 = 4 THEN 'Act 1' ELSE '' END,
    CASE WHEN s.status = 'not_taken_up' OR (s.status = 'excluded' AND s.number %% 10 = 5) THEN 'Reason' ELSE '' END,
    %(closes)s::timestamptz + ((s.number %% 60) || ' days')::interval, s.id, s.withheld, '', ''
FROM consultations_submission s
WHERE s.process_id = %(process)s AND s.status IN ('reflected', 'excluded', 'not_taken_up')
"""
DISPOSITIONS = """
INSERT INTO dispositions_disposition (kind, ground, extent, legal_provision, justification, decided_at, submission_id,
    first_decided_at, revision_id, withheld)
SELECT r.kind, r.ground, r.extent, r.legal_provision, r.justification, r.decided_at, r.submission_id, r.decided_at,
    r.id, r.withheld
FROM dispositions_decisionrevision r JOIN consultations_submission s ON s.id = r.submission_id
WHERE s.process_id = %(process)s
"""
ONE_FILING = """
INSERT INTO consultations_submission (number, reference, country, organisation, author_name, attribution, title,
    text, target_clause, proposed_change, text_sha256, form_token, received_at, updated_at, author_id, process_id,
    stakeholder_group_id, status, withheld)
VALUES (%s, %s, 'KE', 'New organisation', 'A', 'name', 'T', 'A suggestion.', '', '', '', %s, now(), now(), %s, %s, %s,
    'pending', false)
"""


def timed(fn, repeat: int = 5) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def filings(process: Process, group_id: int, author_id: int, start: int, count: int) -> float:
    """``count`` single-row INSERTs, each its own transaction (as a filing commits): rows per second."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for number in range(start, start + count):
            with transaction.atomic():
                cursor.execute(
                    ONE_FILING,
                    [number, f"{process.code}-{number:07d}", str(uuid.uuid4()), author_id, process.pk, group_id],
                )
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--submissions", type=int, default=100_000)
    parser.add_argument("--filings", type=int, default=5_000)
    parser.add_argument("--keep", action="store_true", help="leave the process in the database")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("Run against PostgreSQL (DATABASE_URL=postgres://...).")
    n = args.submissions
    now = timezone.now()
    process = Process.objects.create(
        slug=f"tally-bench-{n}-{os.getpid()}",
        code=f"TB{os.getpid() % 10**8}",
        title="Tally benchmark",
        opens_at=now - timezone.timedelta(days=90),
        closes_at=now - timezone.timedelta(days=60),
    )
    groups = [g.pk for g in process_create_default_groups(process=process)]
    users = User.objects.bulk_create(
        User(email=f"tb{os.getpid()}-{k}@example.org", password="!", display_name=f"A {k}") for k in range(1000)
    )
    codes = [code for code, _ in countries][:190]
    params = {
        "n": n,
        "offset": 0,
        "code": process.code,
        "countries": codes,
        "users": [u.pk for u in users],
        "groups": groups,
        "process": process.pk,
        "closes": process.closes_at,
    }
    started = time.perf_counter()
    with tallies_suspended(), connection.cursor() as cursor:
        cursor.execute(SUBMISSIONS, params)
        cursor.execute(REVISIONS, params)
        cursor.execute(DISPOSITIONS, params)
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        rebuild_tallies(process.pk)
        rebuilt = time.perf_counter() - started
    Process.objects.filter(pk=process.pk).update(last_number=n)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"{n} submissions loaded in {loaded:.1f} s (triggers suspended); rebuild_tallies({process.pk}): {rebuilt:.2f} s"
    )
    with connection.cursor() as cursor:
        for table in ("reports_tally", "reports_organisationtally", "reports_decisiondaytally"):
            cursor.execute(f"SELECT count(*) FROM {table} WHERE process_id = %s", [process.pk])  # nosec B608
            print(f"  {table}: {cursor.fetchone()[0]} rows")

    process.refresh_from_db()
    tally_time, from_tallies = timed(lambda: compute(process))
    scan_time, from_scan = timed(lambda: compute_from_scan(process), repeat=3)
    progress_time, tally_progress = timed(lambda: progress(process))
    progress_scan_time, scan_progress = timed(lambda: progress_from_scan(process), repeat=3)
    count_time, _ = timed(lambda: process.active_submission_count())
    count_scan_time, _ = timed(lambda: Submission.objects.for_process(process).active().count(), repeat=3)
    same = (from_tallies.totals, from_tallies.groups, from_tallies.countries, from_tallies.responsiveness) == (
        from_scan.totals,
        from_scan.groups,
        from_scan.countries,
        from_scan.responsiveness,
    )
    print(f"indicators, all from tallies + detail uncached (compute): {tally_time * 1000:.1f} ms")
    print(
        f"indicators, full scan (compute_from_scan):                {scan_time * 1000:.1f} ms  (same numbers: {same})"
    )
    print(
        f"workspace progress: tallies {progress_time * 1000:.2f} ms, scan {progress_scan_time * 1000:.1f} ms "
        f"(same: {tally_progress == scan_progress})"
    )
    print(f"active submission count: tallies {count_time * 1000:.2f} ms, scan {count_scan_time * 1000:.1f} ms")

    group, author = groups[0], users[0].pk
    start = n + 1
    with_triggers = filings(process, group, author, start, args.filings)
    with connection.cursor() as cursor:  # session-wide, for this comparison only
        cursor.execute("SET trace.tallies = 'off'")
    without_triggers = filings(process, group, author, start + 3 * args.filings, args.filings)
    with connection.cursor() as cursor:
        cursor.execute("RESET trace.tallies")
    rebuild_tallies(process.pk)
    with tallies_suspended():
        # One transaction here (tallies_suspended is transaction-local): compare with the same shape below.
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for number in range(start + args.filings, start + 2 * args.filings):
                cursor.execute(
                    ONE_FILING, [number, f"{process.code}-{number:07d}", str(uuid.uuid4()), author, process.pk, group]
                )
        without_one_tx = args.filings / (time.perf_counter() - started)
        rebuild_tallies(process.pk)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for number in range(start + 2 * args.filings, start + 3 * args.filings):
            cursor.execute(
                ONE_FILING, [number, f"{process.code}-{number:07d}", str(uuid.uuid4()), author, process.pk, group]
            )
    with_one_tx = args.filings / (time.perf_counter() - started)
    print(
        "filings, one INSERT per transaction: "
        f"triggers on {with_triggers:.0f} rows/s, off {without_triggers:.0f} rows/s"
    )
    print(
        f"single-row INSERTs in one transaction: triggers on {with_one_tx:.0f} rows/s, off {without_one_tx:.0f} rows/s "
        f"({(1 / with_one_tx - 1 / without_one_tx) * 1e6:.0f} µs added per row)"
    )
    print("tallies equal a recount:", differences(process.pk) == [])
    if not args.keep:
        with history_maintenance():
            Submission.objects.filter(process=process).delete()
            process.delete()
        User.objects.filter(pk__in=[u.pk for u in users]).delete()
    else:
        print(f"kept process {process.pk} ({process.slug})")


if __name__ == "__main__":
    main()
