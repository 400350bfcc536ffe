"""``make bench``: every page, the intake, the indicators and the downloads, at 10k, 100k and 1M submissions.

    make bench                                    # tiers 10000,100000,1000000 (BENCH_TIERS=2000 for a quick one)
    .venv/bin/python bench/bench.py --tiers 2000 --repeat 5 --intake-seconds 3
    .venv/bin/python bench/bench.py --help

For each tier (a number of submissions) it:

1. uses the database ``<name>_<tier>`` beside the one ``--database-url`` names (default
   ``postgres://postgres@127.0.0.1:5432/trace_bench``, so ``trace_bench_10k``, ``trace_bench_100k``,
   ``trace_bench_1m``; SQLite: ``<file>_<tier>.sqlite3``): creates it if missing, migrates it, and fills it with
   ``manage.py generate_load --submissions <tier> --process bench`` unless it already holds that process (then it is
   reused: a tier's data is made once), then on PostgreSQL ``VACUUM ANALYZE`` (what autovacuum does to a live
   database; timed apart). ``--fresh`` drops and makes it again; ``--scratch`` drops it at the end.
2. starts gunicorn (2 sync workers, DEBUG off, ``TRACE_BENCH=1``, rate limits off, persistent database connections:
   ``CONN_MAX_AGE=60`` as ``.env.example`` sets for production, unless the environment sets it) on a free loopback
   port, and
   beside it the background task worker as ``make run`` does (``manage.py db_worker --no-reload --queue-name '*'``,
   the same environment, the database backend), both stopped at the end;
3. measures, one request at a time after one warm-up: every public and workspace page (median and p95 of
   ``--repeat`` requests, and the SQL queries each ran, from the ``X-Trace-Queries`` header that only
   ``TRACE_BENCH=1`` turns on), and the time to the first row of ``mapping.csv`` and the first byte of ``report.json``;
4. intake: ``--clients`` concurrent clients POST real filings for ``--intake-seconds`` (signed in, the form's CSRF
   token, a new one-time form token each, rate limits off), then the same clients POST to the bare one-INSERT
   view under the same server: requests per second, the ratio, errors, and rows stored == successful responses;
5. indicators: ``compute()`` from scratch against a hand-written SQL GROUP BY of the same figures (the floor);
6. exports: ``mapping.csv`` downloaded whole; the built downloads (``mapping.json``, the ``.xlsx``) as a reader
   gets them: the first request queues the build (202 Accepted), GET again after each ``Retry-After`` until the
   file comes (200; ``--build-timeout``), the build time (queued to ready, by the build's own timestamps) and the
   task worker's memory, then the ready file's time to the first byte and the whole download. Rows per second and
   the peak memory the serving worker grew by (resident set size, sampled every 20 ms). A 202 is no error; a 5xx,
   the worker dying or the timeout is.

Results go to ``bench/results.json`` (``--results``; git ignores it) with the load average before and after each
tier, and a table is printed. Each tier runs in a child process of its own (one Django set-up per database).
"""

from __future__ import annotations

import argparse
import csv
import http.client
import io
import json
import os
import platform
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import IO
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import loadtest  # noqa: E402  (bench/loadtest.py: database, gunicorn and client helpers)

DEFAULT_TIERS = "10000,100000,1000000"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/trace_bench"
SLUG = "bench"
QUERY_HEADER = "X-Trace-Queries"
NO_HIT = "zqxjvk-no-such-word"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiers", default=os.environ.get("BENCH_TIERS") or DEFAULT_TIERS, help="submissions per tier")
    parser.add_argument(
        "--database-url", default=None, help=f"default: $BENCH_DATABASE_URL, else {DEFAULT_DATABASE_URL}"
    )
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument(
        "--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", "20")), help="requests per page"
    )
    parser.add_argument("--page-seconds", type=float, default=30.0, help="stop repeating a page after this long")
    parser.add_argument("--downloads-repeat", type=int, default=3, help="first-byte requests per download")
    parser.add_argument("--clients", type=int, default=16, help="concurrent intake clients")
    parser.add_argument("--intake-seconds", type=float, default=float(os.environ.get("BENCH_INTAKE_SECONDS", "15")))
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (default 2)")
    parser.add_argument("--timeout", type=int, default=900, help="gunicorn worker timeout (the 1M spreadsheet)")
    parser.add_argument(
        "--build-timeout", type=float, default=3600.0, help="seconds to wait for a built download (.xlsx, mapping.json)"
    )
    parser.add_argument(
        "--no-exports", action="store_true", help="skip the whole downloads and the builds (mapping.json, .xlsx)"
    )
    parser.add_argument(
        "--only",
        default="pages,intake,indicators,exports",
        help="the parts to measure, comma-separated (default: pages,intake,indicators,exports)",
    )
    parser.add_argument("--fresh", action="store_true", help="drop each tier's database and generate it again")
    parser.add_argument("--scratch", action="store_true", help="drop each tier's database at the end")
    parser.add_argument("--run-tier", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--tier-results", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.database_url = args.database_url or os.environ.get("BENCH_DATABASE_URL") or DEFAULT_DATABASE_URL
    try:
        args.tier_list = [int(t) for t in str(args.tiers).replace("_", "").split(",") if t.strip()]
    except ValueError:
        parser.error(f"--tiers {args.tiers!r}: give numbers of submissions, e.g. 10000,100000")
    if not args.tier_list or min(args.tier_list) < 100:
        parser.error("Each tier needs at least 100 submissions.")
    args.parts = {part.strip() for part in args.only.split(",") if part.strip()}
    unknown = args.parts - {"pages", "intake", "indicators", "exports"}
    if unknown or not args.parts:
        parser.error(f"--only {args.only!r}: choose among pages, intake, indicators, exports")
    if args.repeat < 1 or args.clients < 1 or args.intake_seconds <= 0:
        parser.error("--repeat and --clients must be positive, --intake-seconds above 0.")
    return args


def label(tier: int) -> str:
    if tier % 1_000_000 == 0:
        return f"{tier // 1_000_000}m"
    if tier % 1000 == 0:
        return f"{tier // 1000}k"
    return str(tier)


def tier_url(url: str, tier: int) -> str:
    """The database of one tier, beside ``url``: ``<name>_<tier>`` on the same server, or a SQLite file beside."""
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///") :])
        return "sqlite:///" + str(path.with_name(f"{path.stem}_{label(tier)}{path.suffix}"))
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    return urlunsplit(parts._replace(path=f"/{name}_{label(tier)}"[:64]))


def load_average() -> list[float]:
    try:
        return [round(value, 2) for value in os.getloadavg()]
    except OSError:
        return []


def percentile(values: list[float], q: float) -> float:
    return loadtest.percentile(values, q)


# ----------------------------------------------------------------------------- HTTP


class Client:
    """One signed-in (or anonymous) client: a session cookie and the CSRF cookie the server hands out."""

    def __init__(self, host: str, port: int, cookies: dict[str, str] | None = None) -> None:
        self.host, self.port = host, port
        self.cookies = dict(cookies or {})
        self.conn: http.client.HTTPConnection | None = None

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=1200)
        return self.conn

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(
        self, method: str, path: str, data: dict[str, object] | None = None, *, first_byte: bool = False
    ) -> dict[str, object]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{self.host}:{self.port}{path}"
        started = time.perf_counter()
        try:
            conn = self._connection()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            if first_byte:
                if response.status == 200 and path.endswith(".csv"):
                    # The first record, not the header line, which a streamed CSV sends before its statement runs.
                    response.readline()
                    response.readline()
                else:
                    response.read(1)
                seconds = time.perf_counter() - started
                text = ""
                self.close()  # the rest of the download is not wanted
            else:
                text = response.read().decode("utf-8", errors="replace")
                seconds = time.perf_counter() - started
                if response.getheader("Connection", "").lower() == "close" or response.will_close:
                    self.close()
        except OSError as error:
            self.close()
            return {"status": 0, "seconds": time.perf_counter() - started, "error": repr(error), "text": ""}
        for header in response.msg.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        queries = response.getheader(QUERY_HEADER)
        return {
            "status": response.status,
            "seconds": seconds,
            "queries": int(queries) if queries is not None else None,
            "location": response.getheader("Location") or "",
            "retry_after": response.getheader("Retry-After"),
            "text": text,
        }


LAST_LINK = re.compile(
    r'<a[^>]*href="(?P<a>[^"]+)"[^>]*rel="last"|<a[^>]*rel="last"[^>]*href="(?P<b>[^"]+)"|'
    r'<a[^>]*href="(?P<c>[^"]+)"[^>]*>\s*(?:Last|Last page)\s*<',
    re.IGNORECASE,
)


def last_page_path(path: str, first_page: str) -> str:
    """The list's last page: the link the first page gives to it (rel="last", or labelled "Last"), else the
    page number past the end (Django's paginator answers it with the last page)."""
    import html

    match = LAST_LINK.search(first_page)
    if match:
        href = html.unescape(match.group("a") or match.group("b") or match.group("c"))
        return href if href.startswith("/") else path.split("?")[0] + href
    joiner = "&" if "?" in path else "?"
    return f"{path}{joiner}page=999999999"


def measure(client: Client, name: str, path: str, *, repeat: int, seconds: float, first_byte: bool = False) -> dict:
    # Pages get one warm-up request; downloads do not (nothing of them is kept between requests but report.json's
    # cached indicators, which its later requests show), and the 1M spreadsheet takes minutes.
    warm = {"status": 200} if first_byte else client.request("GET", path)
    samples, statuses, queries, errors = [], [], [], []
    started = time.monotonic()
    for i in range(repeat):
        result = client.request("GET", path, first_byte=first_byte)
        statuses.append(result["status"])
        if result["status"] != 200:
            errors.append(f"{result['status']} {result.get('error', '')}".strip())
        else:
            samples.append(result["seconds"])
        if result.get("queries") is not None:
            queries.append(result["queries"])
        if i >= 2 and time.monotonic() - started > seconds:
            break
    return {
        "page": name,
        "path": path,
        "n": len(statuses),
        "median_ms": round(statistics.median(samples) * 1000, 1) if samples else None,
        "p95_ms": round(percentile(samples, 0.95) * 1000, 1) if samples else None,
        "queries": max(queries) if queries else None,
        "queries_vary": len(set(queries)) > 1,
        "errors": len(errors) + (warm["status"] != 200),
        "error_detail": sorted(set(errors))[:3] if errors else ([str(warm["status"])] if warm["status"] != 200 else []),
        "first_byte": first_byte,
    }


# ----------------------------------------------------------------------------- one tier (child process)


def prepare_tier(args: argparse.Namespace, url: str) -> dict[str, object]:
    """Django on the tier's database: migrated, the process generated (or reused), accounts with sessions."""
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", "--noinput", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    from traceability.consultations.models import Process

    generated = None
    process = Process.objects.filter(slug=SLUG).first()
    if process is not None and process.last_number < args.run_tier:
        raise SystemExit(
            f"{connection.settings_dict['NAME']} holds a process '{SLUG}' with {process.last_number} submissions, "
            f"not {args.run_tier}: run with --fresh to make it again."
        )
    vacuumed = None
    if process is None:
        started = time.perf_counter()
        call_command("generate_load", submissions=args.run_tier, process=SLUG, seed=1)
        generated = round(time.perf_counter() - started, 1)
        if connection.vendor == "postgresql":
            # What autovacuum does to a live database: a freshly loaded table has no visibility map, so no
            # index-only scan (the redline's comment counts read 17,000 table rows at 1M instead of an index).
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
            vacuumed = round(time.perf_counter() - started, 1)
    from traceability.operations.bench import ensure_ceiling_table

    ensure_ceiling_table()
    # Builds from an earlier run of a reused tier: their files went with that run's directory, and a build queued
    # then (and never run) would otherwise be run by this run's worker while the pages are measured. With its row
    # gone, such a task ends at once.
    from traceability.reports.models import BuiltExport

    BuiltExport.objects.filter(process__slug=SLUG).delete()
    return {"generated_seconds": generated, "vacuum_seconds": vacuumed}


def accounts(run_id: str, clients: int) -> dict[str, object]:
    from allauth.account.models import EmailAddress
    from django.db.models import Count

    from traceability.accounts.models import StakeholderKind, User
    from traceability.consultations.models import Process, StakeholderGroup, Submission, SubmissionStatus
    from traceability.dispositions.models import Disposition, DispositionKind

    process = Process.objects.get(slug=SLUG)
    organiser = process.organisers.order_by("pk").first()
    # The person with the most submissions reads /me/ and the submission form.
    top = (
        Submission.objects.filter(process=process)
        .values("author")
        .annotate(n=Count("pk"))
        .order_by("-n", "author")
        .first()
    )
    stakeholder = User.objects.get(pk=top["author"])
    EmailAddress.objects.get_or_create(user=stakeholder, email=stakeholder.email, defaults={"verified": True})
    decided = (
        Disposition.objects.filter(submission__process=process, kind=DispositionKind.REFLECTED, revision__number=2)
        .select_related("submission")
        .order_by("pk")
        .first()
    ) or Disposition.objects.filter(submission__process=process).select_related("submission").order_by("pk").first()
    groups = list(
        StakeholderGroup.objects.filter(process=process).annotate(n=Count("submissions")).order_by("-n", "pk")
    )
    country = (
        Submission.objects.filter(process=process, attribution="name", withheld=False)
        .exclude(status=SubmissionStatus.WITHDRAWN)
        .exclude(country="")
        .values("country")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    kinds = list(StakeholderKind.values)
    by_kind = {g.kind: g.pk for g in groups}
    intake_users = []
    for n in range(clients):
        kind = kinds[n % len(kinds)]
        user = loadtest.make_user(
            email=f"intake-{run_id.lower()}-{n}@bench.invalid", display_name=f"Intake {n}", kind=kind, country="KE"
        )
        intake_users.append((loadtest.session_cookie(user), by_kind[kind]))
    return {
        "process": process,
        "organiser_cookie": loadtest.session_cookie(organiser),
        "stakeholder_cookie": loadtest.session_cookie(stakeholder),
        "reference": decided.submission.reference,
        "group": groups[1].pk if len(groups) > 1 else groups[0].pk,
        "country": country["country"] if country else "KE",
        "intake": intake_users,
    }


def pages(args: argparse.Namespace, host: str, port: int, who: dict[str, object]) -> list[dict]:
    from django.conf import settings

    process = who["process"]
    base = f"/en/processes/{process.slug}"
    cookie = settings.SESSION_COOKIE_NAME
    anonymous = Client(host, port)
    stakeholder = Client(host, port, {cookie: who["stakeholder_cookie"]})
    organiser = Client(host, port, {cookie: who["organiser_cookie"]})
    report_first = anonymous.request("GET", f"{base}/report/")
    queue_first = organiser.request("GET", f"{base}/workspace/")
    ref = who["reference"]
    plan = [
        ("home", anonymous, "/en/"),
        ("process page", anonymous, f"{base}/"),
        ("submission form", stakeholder, f"{base}/submit/"),
        ("report, first page", anonymous, f"{base}/report/"),
        ("report, last page", anonymous, last_page_path(f"{base}/report/", report_first["text"])),
        ("report, text search with no hit", anonymous, f"{base}/report/?q={NO_HIT}"),
        ("report, filtered by group", anonymous, f"{base}/report/?group={who['group']}"),
        ("report, filtered by status", anonymous, f"{base}/report/?status=excluded"),
        ("report, filtered by country", anonymous, f"{base}/report/?country={who['country']}"),
        ("trace page", anonymous, f"{base}/submissions/{ref}/"),
        ("document", anonymous, f"{base}/document/"),
        ("document, version 1", anonymous, f"{base}/document/?version=1"),
        ("compare versions", anonymous, f"{base}/document/compare/?old=1&new=2"),
        ("methodology", anonymous, "/en/methodology/"),
        ("/me/", stakeholder, "/en/me/"),
        ("workspace queue, first page", organiser, f"{base}/workspace/"),
        ("workspace queue, last page", organiser, last_page_path(f"{base}/workspace/", queue_first["text"])),
        ("review page", organiser, f"{base}/workspace/submissions/{ref}/"),
        ("re-confirmation queue", organiser, f"{base}/workspace/reconfirm/"),
        ("contests", organiser, f"{base}/workspace/contests/"),
        ("release", organiser, f"{base}/workspace/release/"),
        ("blocked attempts", organiser, f"{base}/workspace/blocked/"),
    ]
    downloads = [
        # The built downloads (mapping.json, the .xlsx) are measured with the exports, once their file is built.
        ("mapping.csv, first row", f"{base}/report/mapping.csv"),
        ("report.json, first byte", f"{base}/report/report.json"),
    ]
    rows = []
    for name, client, path in plan:
        rows.append(measure(client, name, path, repeat=args.repeat, seconds=args.page_seconds))
        print(f"  {name:<44} {rows[-1]['median_ms']!s:>9} ms  {rows[-1]['queries']!s:>4} queries", flush=True)
    for name, path in downloads:
        rows.append(
            measure(anonymous, name, path, repeat=args.downloads_repeat, seconds=args.page_seconds, first_byte=True)
        )
        print(f"  {name:<44} {rows[-1]['median_ms']!s:>9} ms", flush=True)
    for client in (anonymous, stakeholder, organiser):
        client.close()
    return rows


def _fire(seconds: float, clients: list, work) -> tuple[list[dict], float]:  # type: ignore[no-untyped-def]
    results: list[dict] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(clients) + 1)
    stop = threading.Event()

    def run(client: object) -> None:
        barrier.wait()
        while not stop.is_set():
            outcome = work(client)
            with lock:
                results.append(outcome)

    threads = [threading.Thread(target=run, args=(client,), daemon=True) for client in clients]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - started


def intake(args: argparse.Namespace, host: str, port: int, who: dict[str, object]) -> dict[str, object]:
    from django.conf import settings

    from traceability.consultations.models import Submission
    from traceability.operations.bench import ceiling_rows

    process = who["process"]
    path = f"/en/processes/{process.slug}/submit/"
    cookie = settings.SESSION_COOKIE_NAME
    filers = []
    for session, group in who["intake"][: args.clients]:
        client = Client(host, port, {cookie: session})
        form = client.request("GET", path)
        fields = loadtest.form_values(form["text"])
        filers.append((client, group, fields.get("csrfmiddlewaretoken", "")))
    counter = iter(range(10**9))

    def file(filer: tuple) -> dict:
        client, group, csrf = filer
        n = next(counter)
        # What a fresh form gives: a new one-time token (the server refuses a replayed one as the same filing).
        data = {
            "csrfmiddlewaretoken": csrf,
            "form_token": str(uuid.uuid4()),
            "title": f"Intake {n}: a suggestion on inclusion",
            "text": f"Please say how every stakeholder group is heard ({n}).\n\nWe propose a public disposition.",
            "target_clause": "",
            "proposed_change": "",
            "stakeholder_group": group,
            "attribution": "group" if n % 2 else "name",
        }
        result = client.request("POST", path, data)
        ok = result["status"] == 302 and "/receipt/" in result["location"]
        return {"status": result["status"], "seconds": result["seconds"], "ok": ok}

    before = Submission.objects.filter(process=process).count()
    filed, filing_seconds = _fire(args.intake_seconds, filers, file)
    filed_rows = Submission.objects.filter(process=process).count() - before
    for client, _group, _csrf in filers:
        client.close()  # opened again by the signed-in floor below

    bare_clients = [Client(host, port) for _ in range(args.clients)]

    def insert(client: Client) -> dict:
        n = next(counter)
        result = client.request("POST", "/__bench__/insert/", {"title": f"Intake {n}", "text": f"Bare insert {n}."})
        return {"status": result["status"], "seconds": result["seconds"], "ok": result["status"] == 201}

    before = ceiling_rows()
    bare, bare_seconds = _fire(args.intake_seconds, bare_clients, insert)
    bare_rows = ceiling_rows() - before
    for client in bare_clients:
        client.close()

    # The same INSERT behind the sign-in and the CSRF check alone: the filers' sessions and tokens.
    def signed_in(filer: tuple) -> dict:
        client, _group, csrf = filer
        n = next(counter)
        data = {"csrfmiddlewaretoken": csrf, "title": f"Intake {n}", "text": f"Signed-in insert {n}."}
        result = client.request("POST", "/__bench__/insert-signed-in/", data)
        return {"status": result["status"], "seconds": result["seconds"], "ok": result["status"] == 201}

    before = ceiling_rows()
    signed, signed_seconds = _fire(args.intake_seconds, filers, signed_in)
    signed_rows = ceiling_rows() - before
    for client, _group, _csrf in filers:
        client.close()

    def summary(results: list[dict], seconds: float, rows: int) -> dict[str, object]:
        ok = sum(r["ok"] for r in results)
        latencies = [r["seconds"] for r in results if r["ok"]]
        return {
            "requests": len(results),
            "ok": ok,
            "errors": len(results) - ok,
            "per_second": round(ok / seconds, 1) if seconds else 0.0,
            "median_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
            "p95_ms": round(percentile(latencies, 0.95) * 1000, 1) if latencies else None,
            "rows": rows,
            "rows_equal_ok": rows == ok,
        }

    filing = summary(filed, filing_seconds, filed_rows)
    ceiling = summary(bare, bare_seconds, bare_rows)
    signed_floor = summary(signed, signed_seconds, signed_rows)

    def ratio(a: dict, b: dict) -> float | None:
        return round(a["per_second"] / b["per_second"], 3) if b["per_second"] else None

    return {
        "clients": args.clients,
        "seconds": args.intake_seconds,
        "filing": filing,
        "bare": ceiling,
        "ratio": ratio(filing, ceiling),
        "signed_in": signed_floor,
        "signed_in_ratio": ratio(signed_floor, ceiling),
        "filing_to_signed_in_ratio": ratio(filing, signed_floor),
    }


FLOOR_SQL = {
    "groups": """
        SELECT s.stakeholder_group_id, s.status, d.extent, d.ground, d.legal_provision = '', d.justification = '',
               COUNT(*)
        FROM consultations_submission s LEFT JOIN dispositions_disposition d ON d.submission_id = s.id
        WHERE s.process_id = %s GROUP BY 1, 2, 3, 4, 5, 6""",
    "countries": """
        SELECT CASE WHEN s.attribution = 'name' AND s.status <> 'withdrawn' AND NOT s.withheld AND s.author_name <> ''
                    THEN s.country ELSE '' END, s.status, d.extent, d.ground, COUNT(*)
        FROM consultations_submission s LEFT JOIN dispositions_disposition d ON d.submission_id = s.id
        WHERE s.process_id = %s GROUP BY 1, 2, 3, 4""",
    "reach": """
        SELECT COUNT(DISTINCT NULLIF(country, '')), COUNT(DISTINCT NULLIF(LOWER(TRIM(organisation)), ''))
        FROM consultations_submission WHERE process_id = %s AND status <> 'withdrawn'""",
    "interaction": """
        SELECT s.stakeholder_group_id, r.kind, r.answered_at IS NULL, COUNT(*), COUNT(DISTINCT s.author_id)
        FROM dispositions_response r
        JOIN dispositions_disposition d ON d.revision_id = r.revision_id
        JOIN consultations_submission s ON s.id = d.submission_id
        WHERE s.process_id = %s GROUP BY 1, 2, 3""",
    "median": """
        SELECT d.first_decided_at FROM dispositions_disposition d
        JOIN consultations_submission s ON s.id = d.submission_id
        WHERE s.process_id = %s AND s.status IN ('reflected', 'excluded', 'not_taken_up')
        ORDER BY d.first_decided_at LIMIT 2 OFFSET %s""",
}


def indicators(who: dict[str, object], repeat: int = 3) -> dict[str, object]:
    from django.db import connection

    from traceability.consultations.models import Process
    from traceability.reports.indicators import compute

    process = Process.objects.get(pk=who["process"].pk)

    def floor() -> None:
        with connection.cursor() as cursor:
            for name in ("groups", "countries", "reach", "interaction"):
                cursor.execute(FLOOR_SQL[name], [process.pk])
                rows = cursor.fetchall()
                if name == "groups":
                    decided = sum(r[-1] for r in rows if r[1] in ("reflected", "excluded", "not_taken_up"))
            cursor.execute(FLOOR_SQL["median"], [process.pk, max(0, (decided - 1) // 2)])
            cursor.fetchall()

    def timed(work) -> list[float]:  # type: ignore[no-untyped-def]
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            work()
            times.append(time.perf_counter() - started)
        return times

    floor()  # warm the same pages of the database for both
    compute(process)
    app = timed(lambda: compute(process))
    sql = timed(floor)
    app_ms, sql_ms = statistics.median(app) * 1000, statistics.median(sql) * 1000
    return {"compute_ms": round(app_ms, 1), "floor_ms": round(sql_ms, 1), "ratio": round(app_ms / sql_ms, 2)}


def worker_pids(master: int) -> list[int]:
    try:
        with open(f"/proc/{master}/task/{master}/children") as children:
            return [int(pid) for pid in children.read().split()]
    except OSError:
        return []


def rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class Peak:
    """The peak resident memory of some processes while a block runs (sampled every 20 ms), and their baseline."""

    def __init__(self, pids: list[int]) -> None:
        self.pids = pids
        self.baseline = {pid: rss_mb(pid) or 0.0 for pid in pids}
        self.peak = dict(self.baseline)
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._done.is_set():
            for pid in self.pids:
                value = rss_mb(pid)
                if value is not None and value > self.peak[pid]:
                    self.peak[pid] = value
            time.sleep(0.02)

    def __enter__(self) -> Peak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join()

    def grown_most(self) -> tuple[float | None, float | None]:
        """(growth, peak) of the process that grew the most: the one that did the work. A process's resident
        memory rarely shrinks, so an earlier request may already have grown it."""
        pid = max(self.pids, key=lambda p: (self.peak[p] - self.baseline[p], self.peak[p]), default=None)
        if pid is None:
            return None, None
        return round(self.peak[pid] - self.baseline[pid], 1), round(self.peak[pid], 1)


def retry_after(result: dict[str, object], default: float = 5.0) -> float:
    try:
        return max(0.0, float(result.get("retry_after") or default))
    except ValueError:
        return default


def wait_for_build(
    host: str, port: int, path: str, *, timeout: float, worker: loadtest.TaskWorker
) -> dict[str, object]:
    """A built download as a reader gets it: the first GET queues the build (202 Accepted), then GET again after
    each Retry-After until the file comes (200). A 202 is no error; anything else, the worker dying, or no file
    after ``timeout`` seconds is."""
    client = Client(host, port)
    started = time.perf_counter()
    result = client.request("GET", path, first_byte=True)
    first_status, polls, error = result["status"], 0, ""
    while result["status"] == 202:
        wait = retry_after(result)
        if time.perf_counter() - started + wait > timeout:
            error = f"not ready after {timeout:.0f} s"
            break
        time.sleep(wait)
        if worker.process.poll() is not None:
            error = f"the task worker exited with {worker.process.returncode}"
            break
        result = client.request("GET", path, first_byte=True)
        polls += 1
    client.close()
    if not error and result["status"] != 200:
        error = f"{result['status']} {result.get('error', '')}".strip()
    return {
        "first_status": first_status,
        "status": result["status"],
        "polls": polls,
        "ready_seconds": round(time.perf_counter() - started, 2),
        "error": error,
    }


def build_seconds(process_id: int, kind: str) -> float | None:
    """From the first request (the build queued) to the file ready, by the build's own timestamps (the polls only
    see it to the nearest Retry-After)."""
    from traceability.consultations.models import Process
    from traceability.reports.models import BuildState, BuiltExport

    process = Process.objects.get(pk=process_id)
    export = (
        BuiltExport.objects.filter(
            process=process,
            kind=kind,
            state=BuildState.READY,
            stats_version=process.stats_version,
            last_number=process.last_number,
        )
        .order_by("-finished_at")
        .first()
    )
    if export is None or export.finished_at is None:
        return None
    return round((export.finished_at - export.created_at).total_seconds(), 2)


def sheet_rows(file: IO[bytes]) -> int:
    """The rows of every worksheet of a workbook less each sheet's header row: ``<row`` elements counted in the
    sheets' XML as it is unzipped (openpyxl would take minutes at a million)."""
    rows = 0
    with zipfile.ZipFile(file) as book:
        for name in book.namelist():
            if not re.fullmatch(r"xl/worksheets/sheet\d+\.xml", name):
                continue
            tail, found = b"", 0
            with book.open(name) as sheet:
                while chunk := sheet.read(1 << 20):
                    data = tail + chunk
                    found += sum(data.count(tag) - tail.count(tag) for tag in (b"<row ", b"<row>"))
                    tail = data[-5:]
            rows += found - 1
    return rows


def download_whole(host: str, port: int, path: str, workers: list[int]) -> dict[str, object]:
    """The whole file, kept in a temporary file, with the serving worker's memory, and the rows it holds."""
    with Peak(workers) as peak:
        started = time.perf_counter()
        conn = http.client.HTTPConnection(host, port, timeout=1800)
        conn.request("GET", path)
        response = conn.getresponse()
        size = 0
        saved = tempfile.TemporaryFile()
        while chunk := response.read(1 << 16):
            size += len(chunk)
            saved.write(chunk)
        seconds = time.perf_counter() - started
        conn.close()
    with saved:
        saved.seek(0)
        if path.endswith(".csv"):
            # Rows, not lines: texts have line breaks inside their quoted fields.
            rows = sum(1 for _ in csv.reader(io.TextIOWrapper(saved, encoding="utf-8-sig", newline=""))) - 1
        elif path.endswith(".json"):
            # One row a line (line breaks inside texts are escaped); the first line is the header.
            rows = sum(1 for line in saved if line.startswith(b"{")) - 1
        else:
            rows = sheet_rows(saved)
    grown, rss = peak.grown_most()
    return {
        "status": response.status,
        "rows": rows,
        "mb": round(size / 1e6, 1),
        "seconds": round(seconds, 4),  # a small tier downloads in milliseconds
        "peak_worker_growth_mb": grown,
        "peak_worker_rss_mb": rss,
    }


def exports(
    args: argparse.Namespace, host: str, port: int, who: dict[str, object], master: int, worker: loadtest.TaskWorker
) -> list[dict]:
    """mapping.csv streams: downloaded whole. The built downloads: the build (first request to file ready, with the
    task worker's memory), then the ready file: time to the first byte, and downloaded whole."""
    from traceability.reports.models import ExportKind

    process = who["process"]
    base = f"/en/processes/{process.slug}/report"
    results = []
    for name, kind in (
        ("mapping.csv", None),
        ("mapping.json", ExportKind.MAPPING_JSON),
        ("disposition-of-comments.xlsx", ExportKind.DISPOSITION_OF_COMMENTS),
    ):
        path = f"{base}/{name}"
        entry: dict[str, object] = {"export": name, "path": path, "built": kind is not None, "errors": 0}
        if kind is not None:
            with Peak([worker.process.pid]) as task_peak:
                build = wait_for_build(host, port, path, timeout=args.build_timeout, worker=worker)
            grown, rss = task_peak.grown_most()
            entry.update(build, task_worker_growth_mb=grown, task_worker_rss_mb=rss)
            entry["build_seconds"] = build_seconds(process.pk, kind)
            if build["error"]:
                entry.update(errors=1, error_detail=[build["error"]])
                results.append(entry)
                print(f"  {name:<44} build error: {build['error']}", flush=True)
                continue
            first_byte = measure(
                Client(host, port), name, path, repeat=args.downloads_repeat, seconds=args.page_seconds, first_byte=True
            )
            entry.update(
                first_byte_n=first_byte["n"],
                first_byte_median_ms=first_byte["median_ms"],
                first_byte_p95_ms=first_byte["p95_ms"],
                errors=first_byte["errors"],
                error_detail=first_byte["error_detail"],
            )
        whole = download_whole(host, port, path, worker_pids(master))
        entry.update(whole)
        if whole["status"] != 200:
            entry["errors"] = int(entry["errors"]) + 1
            entry.setdefault("error_detail", []).append(f"whole download: {whole['status']}")
        seconds = whole["seconds"]
        entry["rows_per_second"] = round(entry["rows"] / seconds) if seconds else None
        if entry.get("build_seconds"):
            entry["build_rows_per_second"] = round(entry["rows"] / entry["build_seconds"])
        results.append(entry)
        built = f"built in {entry['build_seconds']} s, " if kind is not None else ""
        print(f"  {name:<44} {built}{entry['rows_per_second']!s:>9} rows/s served", flush=True)
    return results


def run_tier(args: argparse.Namespace) -> int:
    # SIGTERM unwinds through the finally block below, which stops the server.
    signal.signal(signal.SIGTERM, loadtest._stop_on_sigterm)
    tier = args.run_tier
    url = tier_url(args.database_url, tier)
    workdir = Path(tempfile.mkdtemp(prefix="trace-bench-"))
    secret_key = os.environ.get("SECRET_KEY") or "bench-" + secrets.token_hex(32)
    os.environ["TRACE_BENCH"] = "1"
    # The harness runs the database backend's worker; the built files go to a directory of this run.
    os.environ["TASKS_BACKEND"] = "database"
    os.environ["EXPORTS_ROOT"] = str(workdir / "exports")
    server = worker = None
    result: dict[str, object] = {"tier": tier, "load_average_before": load_average()}
    try:
        if args.fresh:
            loadtest.drop_database(url)
            if url.startswith("sqlite:///"):
                Path(url[len("sqlite:///") :]).unlink(missing_ok=True)
        loadtest.create_database_if_missing(url)
        loadtest.setup_django(url, secret_key)
        from django.db import connection, connections

        result["database"] = f"{connection.vendor} {connection.settings_dict['NAME']}"
        result.update(prepare_tier(args, url))
        who = accounts(secrets.token_hex(4).upper(), args.clients)
        connections.close_all()
        port = loadtest.free_port("127.0.0.1")
        # Persistent database connections, as .env.example sets for production (CONN_MAX_AGE=60), unless the
        # environment says otherwise (CONN_MAX_AGE=0: a new connection per request, Django's default).
        result["conn_max_age"] = os.environ.get("CONN_MAX_AGE", "60")
        env = {
            **os.environ,
            "TRACE_RATE_LIMITS": "off",
            "PYTHONUNBUFFERED": "1",
            "TRACE_BENCH": "1",
            "CONN_MAX_AGE": result["conn_max_age"],
        }
        server = loadtest.Server(
            host="127.0.0.1",
            port=port,
            workers=args.workers,
            threads=1,
            env=env,
            log=workdir / "gunicorn.log",
            timeout=args.timeout,
        )
        worker = loadtest.TaskWorker(env=env, log=workdir / "db_worker.log")
        server.wait_ready()
        worker.check()
        print(f"Tier {tier:,} ({result['database']}), gunicorn and db_worker on 127.0.0.1:{port}:", flush=True)
        result["pages"] = pages(args, "127.0.0.1", port, who) if "pages" in args.parts else []
        if "intake" in args.parts:
            result["intake"] = intake(args, "127.0.0.1", port, who)
            figures = result["intake"]
            print(f"  intake: {figures['filing']['per_second']} vs {figures['bare']['per_second']} req/s")
        if "indicators" in args.parts:
            result["indicators"] = indicators(who)
        wanted = "exports" in args.parts and not args.no_exports
        result["exports"] = exports(args, "127.0.0.1", port, who, server.process.pid, worker) if wanted else []
        result["load_average_after"] = load_average()
        args.tier_results.write_text(json.dumps(result, indent=2, default=str) + "\n")
        return 0
    except BaseException:
        for process in (server, worker):
            if process is not None:
                print(f"(log: {process.log})", file=sys.stderr)
                print(process.log.read_text(errors="replace")[-3000:], file=sys.stderr)
        raise
    finally:
        if worker is not None:
            worker.stop()
        if server is not None:
            server.stop()
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if args.scratch:
            loadtest.drop_database(url)
            if url.startswith("sqlite:///"):
                for suffix in ("", "-wal", "-shm"):
                    Path(url[len("sqlite:///") :] + suffix).unlink(missing_ok=True)
        shutil.rmtree(workdir, ignore_errors=True)


# ----------------------------------------------------------------------------- the parent: tiers and the table


def export_line(export: dict[str, object]) -> str:
    name = export["export"]
    if export.get("errors"):
        return f"{name}: error: {'; '.join(export.get('error_detail') or [])}"
    whole = (
        f"{export['rows']:,} rows in {export['seconds']} s = {export['rows_per_second']:,} rows/s, {export['mb']} MB, "
        f"worker grew {export['peak_worker_growth_mb']} MB (peak {export['peak_worker_rss_mb']} MB resident)"
    )
    if not export.get("built"):
        return f"{name}: {whole}"
    rate = f"{export['build_rows_per_second']:,} rows/s" if export.get("build_rows_per_second") else "rows/s unknown"
    return (
        f"{name}: built in {export['build_seconds']} s ({rate}; ready seen after {export['ready_seconds']} s "
        f"at poll {export['polls']}; task worker grew {export['task_worker_growth_mb']} MB, peak "
        f"{export['task_worker_rss_mb']} MB), served in {export['first_byte_median_ms']} ms to the first byte "
        f"(p95 {export['first_byte_p95_ms']}); whole: {whole}"
    )


def print_table(results: dict[str, object]) -> None:
    tiers = results["tiers"]
    labels = [label(int(t)) for t in tiers]
    header = f"{'page':<44}" + "".join(f"{lab + ' median':>12}{'p95':>9}{'q':>4}" for lab in labels)
    print("\n" + header)
    print("-" * len(header))
    names = [row["page"] for row in next(iter(tiers.values())).get("pages") or []]
    for name in names:
        line = f"{name:<44}"
        for tier in tiers.values():
            row = next((r for r in tier["pages"] if r["page"] == name), None)
            if row is None or row["median_ms"] is None:
                line += f"{'error':>12}{'':>9}{'':>4}"
                continue
            q = "" if row["queries"] is None else str(row["queries"]) + ("*" if row["queries_vary"] else "")
            line += f"{row['median_ms']:>12.1f}{row['p95_ms']:>9.1f}{q:>4}"
        print(line)
    print("(ms; q: SQL queries per request, * when they varied between requests)")
    for tier_label, tier in zip(labels, tiers.values(), strict=True):
        print()
        if intake := tier.get("intake"):
            f, b = intake["filing"], intake["bare"]
            print(
                f"{tier_label}: intake {f['per_second']} req/s (errors {f['errors']}, rows {f['rows']} == ok "
                f"{f['ok']}: {f['rows_equal_ok']}) vs bare view {b['per_second']} req/s (errors {b['errors']}, "
                f"rows == ok: {b['rows_equal_ok']}): ratio {intake['ratio']}"
            )
            if signed := intake.get("signed_in"):
                print(
                    f"{tier_label}: the same INSERT signed in (session, account, CSRF) {signed['per_second']} req/s "
                    f"(errors {signed['errors']}, rows == ok: {signed['rows_equal_ok']}): "
                    f"{intake['signed_in_ratio']} of the bare view; the filing is "
                    f"{intake['filing_to_signed_in_ratio']} of it"
                )
        if ind := tier.get("indicators"):
            print(
                f"{tier_label}: indicators compute() {ind['compute_ms']} ms vs SQL floor {ind['floor_ms']} ms: "
                f"{ind['ratio']}x"
            )
        for export in tier["exports"]:
            print(f"{tier_label}: {export_line(export)}")
        generated = f", generated in {tier['generated_seconds']} s" if tier.get("generated_seconds") else ""
        if tier.get("vacuum_seconds"):
            generated += f" (then VACUUM ANALYZE, {tier['vacuum_seconds']} s)"
        print(
            f"{tier_label}: load average {tier['load_average_before']} before, {tier['load_average_after']} after"
            f"{generated}; CONN_MAX_AGE={tier.get('conn_max_age', '0')}"
        )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.run_tier is not None:
        return run_tier(args)
    results: dict[str, object] = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
        "server": {"workers": args.workers, "worker_class": "sync"},
        "repeat": args.repeat,
        "tiers": {},
    }
    env = {key: value for key, value in os.environ.items() if key not in {"DJANGO_SETTINGS_MODULE", "DEBUG"}}
    with tempfile.TemporaryDirectory(prefix="trace-bench-") as tmp:
        for tier in args.tier_list:
            out = Path(tmp) / f"{tier}.json"
            command = [sys.executable, __file__, "--run-tier", str(tier), "--tier-results", str(out)]
            command += ["--database-url", args.database_url, "--repeat", str(args.repeat)]
            command += ["--page-seconds", str(args.page_seconds), "--downloads-repeat", str(args.downloads_repeat)]
            command += ["--clients", str(args.clients), "--intake-seconds", str(args.intake_seconds)]
            command += ["--workers", str(args.workers), "--timeout", str(args.timeout)]
            command += ["--build-timeout", str(args.build_timeout), "--only", args.only]
            command += [flag for flag, on in (("--fresh", args.fresh), ("--scratch", args.scratch)) if on]
            command += ["--no-exports"] if args.no_exports else []
            run = subprocess.run(command, cwd=ROOT, env=env, check=False)  # noqa: S603 - our own script
            if run.returncode != 0:
                print(f"Tier {tier} failed (exit {run.returncode}).", file=sys.stderr)
                return run.returncode
            results["tiers"][str(tier)] = json.loads(out.read_text())
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)
    print(f"\nResults: {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
