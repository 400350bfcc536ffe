"""``make bench``: every page, the intake, the indicators and the downloads, at 10k, 100k and 1M submissions.

    make bench                                    # tiers 10000,100000,1000000 (BENCH_TIERS=2000 for a quick one)
    .venv/bin/python bench/bench.py --tiers 2000 --repeat 5 --intake-seconds 3
    .venv/bin/python bench/bench.py --help

For each tier (a number of submissions) it:

1. uses the database ``<name>_<tier>`` beside the one ``--database-url`` names (default
   ``postgres://postgres@127.0.0.1:5432/trace_bench``, so ``trace_bench_10k``, ``trace_bench_100k``,
   ``trace_bench_1m``; SQLite: ``<file>_<tier>.sqlite3``): creates it if missing, migrates it, and fills it with
   ``manage.py generate_load --submissions <tier> --process bench`` unless it already holds that process (then it is
   reused: a tier's data is made once). ``--fresh`` drops and makes it again; ``--scratch`` drops it at the end.
2. starts gunicorn (2 sync workers, DEBUG off, ``TRACE_BENCH=1``, rate limits off) on a free loopback port;
3. measures, one request at a time after one warm-up: every public and workspace page (median and p95 of
   ``--repeat`` requests, and the SQL queries each ran, from the ``X-Trace-Queries`` header that only
   ``TRACE_BENCH=1`` turns on), and the time to the first byte of each download;
4. intake: ``--clients`` concurrent clients POST real filings for ``--intake-seconds`` (signed in, the form's CSRF
   token, a new one-time form token each, rate limits off), then the same clients POST to the bare one-INSERT
   view under the same server: requests per second, the ratio, errors, and rows stored == successful responses;
5. indicators: ``compute()`` from scratch against a hand-written SQL GROUP BY of the same figures (the floor);
6. exports: ``mapping.csv`` and the ``.xlsx`` downloaded whole: rows per second and the peak memory the serving
   worker grew by (resident set size, sampled every 20 ms).

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
from datetime import UTC, datetime
from pathlib import Path
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
    parser.add_argument("--no-exports", action="store_true", help="skip the whole downloads (mapping.csv, .xlsx)")
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
    if process is None:
        started = time.perf_counter()
        call_command("generate_load", submissions=args.run_tier, process=SLUG, seed=1)
        generated = round(time.perf_counter() - started, 1)
    from traceability.operations.bench import ensure_ceiling_table

    ensure_ceiling_table()
    return {"generated_seconds": generated}


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
    base = f"/processes/{process.slug}"
    cookie = settings.SESSION_COOKIE_NAME
    anonymous = Client(host, port)
    stakeholder = Client(host, port, {cookie: who["stakeholder_cookie"]})
    organiser = Client(host, port, {cookie: who["organiser_cookie"]})
    report_first = anonymous.request("GET", f"{base}/report/")
    queue_first = organiser.request("GET", f"{base}/workspace/")
    ref = who["reference"]
    plan = [
        ("home", anonymous, "/"),
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
        ("methodology", anonymous, "/methodology/"),
        ("/me/", stakeholder, "/me/"),
        ("workspace queue, first page", organiser, f"{base}/workspace/"),
        ("workspace queue, last page", organiser, last_page_path(f"{base}/workspace/", queue_first["text"])),
        ("review page", organiser, f"{base}/workspace/submissions/{ref}/"),
        ("re-confirmation queue", organiser, f"{base}/workspace/reconfirm/"),
        ("contests", organiser, f"{base}/workspace/contests/"),
        ("release", organiser, f"{base}/workspace/release/"),
        ("blocked attempts", organiser, f"{base}/workspace/blocked/"),
    ]
    downloads = [
        ("mapping.csv, first byte", f"{base}/report/mapping.csv"),
        ("mapping.json, first byte", f"{base}/report/mapping.json"),
        ("report.json, first byte", f"{base}/report/report.json"),
        ("disposition-of-comments.xlsx, first byte", f"{base}/report/disposition-of-comments.xlsx"),
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
    path = f"/processes/{process.slug}/submit/"
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
        client.close()

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
    ratio = round(filing["per_second"] / ceiling["per_second"], 3) if ceiling["per_second"] else None
    return {"clients": args.clients, "seconds": args.intake_seconds, "filing": filing, "bare": ceiling, "ratio": ratio}


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


def exports(host: str, port: int, who: dict[str, object], master: int) -> list[dict]:
    from traceability.consultations.models import Submission

    process = who["process"]
    rows_expected = Submission.objects.filter(process=process).count()
    results = []
    for name, path in (
        ("mapping.csv", f"/processes/{process.slug}/report/mapping.csv"),
        ("disposition-of-comments.xlsx", f"/processes/{process.slug}/report/disposition-of-comments.xlsx"),
    ):
        workers = worker_pids(master)
        baseline = {pid: rss_mb(pid) or 0.0 for pid in workers}
        peak = dict(baseline)
        done = threading.Event()

        def sample(workers: list[int] = workers, peak: dict = peak, done: threading.Event = done) -> None:
            while not done.is_set():
                for pid in workers:
                    value = rss_mb(pid)
                    if value is not None and value > peak[pid]:
                        peak[pid] = value
                time.sleep(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.perf_counter()
        conn = http.client.HTTPConnection(host, port, timeout=1800)
        conn.request("GET", path)
        response = conn.getresponse()
        size = 0
        with tempfile.TemporaryFile() as saved:
            while chunk := response.read(1 << 16):
                size += len(chunk)
                saved.write(chunk)
            seconds = time.perf_counter() - started
            conn.close()
            done.set()
            sampler.join()
            saved.seek(0)
            if name.endswith(".csv"):
                # Rows, not lines: texts have line breaks inside their quoted fields.
                rows = sum(1 for _ in csv.reader(io.TextIOWrapper(saved, encoding="utf-8-sig", newline=""))) - 1
            else:
                rows = rows_expected
        # The worker that served grew the most; its peak is what the download needed at most (a worker's resident
        # memory rarely shrinks, so an earlier request may already have grown it).
        server = max(workers, key=lambda pid: (peak[pid] - baseline[pid], peak[pid]), default=None)
        grown = peak[server] - baseline[server] if server is not None else None
        results.append(
            {
                "export": name,
                "status": response.status,
                "rows": rows,
                "mb": round(size / 1e6, 1),
                "seconds": round(seconds, 2),
                "rows_per_second": round(rows / seconds) if seconds else None,
                "peak_worker_growth_mb": round(grown, 1) if grown is not None else None,
                "peak_worker_rss_mb": round(peak[server], 1) if server is not None else None,
            }
        )
        print(f"  {name:<44} {results[-1]['rows_per_second']!s:>9} rows/s", flush=True)
    return results


def run_tier(args: argparse.Namespace) -> int:
    # SIGTERM unwinds through the finally block below, which stops the server.
    signal.signal(signal.SIGTERM, loadtest._stop_on_sigterm)
    tier = args.run_tier
    url = tier_url(args.database_url, tier)
    workdir = Path(tempfile.mkdtemp(prefix="trace-bench-"))
    secret_key = os.environ.get("SECRET_KEY") or "bench-" + secrets.token_hex(32)
    os.environ["TRACE_BENCH"] = "1"
    server = None
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
        env = {**os.environ, "TRACE_RATE_LIMITS": "off", "PYTHONUNBUFFERED": "1", "TRACE_BENCH": "1"}
        server = loadtest.Server(
            host="127.0.0.1",
            port=port,
            workers=args.workers,
            threads=1,
            env=env,
            log=workdir / "gunicorn.log",
            timeout=args.timeout,
        )
        server.wait_ready()
        print(f"Tier {tier:,} ({result['database']}), gunicorn on 127.0.0.1:{port}:", flush=True)
        result["pages"] = pages(args, "127.0.0.1", port, who)
        result["intake"] = intake(args, "127.0.0.1", port, who)
        print(f"  intake: {result['intake']['filing']['per_second']} vs {result['intake']['bare']['per_second']} req/s")
        result["indicators"] = indicators(who)
        result["exports"] = [] if args.no_exports else exports("127.0.0.1", port, who, server.process.pid)
        result["load_average_after"] = load_average()
        args.tier_results.write_text(json.dumps(result, indent=2, default=str) + "\n")
        return 0
    except BaseException:
        if server is not None:
            print(f"(server log: {server.log})", file=sys.stderr)
            print(server.log.read_text(errors="replace")[-3000:], file=sys.stderr)
        raise
    finally:
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


def print_table(results: dict[str, object]) -> None:
    tiers = results["tiers"]
    labels = [label(int(t)) for t in tiers]
    header = f"{'page':<44}" + "".join(f"{lab + ' median':>12}{'p95':>9}{'q':>4}" for lab in labels)
    print("\n" + header)
    print("-" * len(header))
    names = [row["page"] for row in next(iter(tiers.values()))["pages"]]
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
        intake = tier["intake"]
        f, b = intake["filing"], intake["bare"]
        print(
            f"\n{tier_label}: intake {f['per_second']} req/s (errors {f['errors']}, rows {f['rows']} == ok {f['ok']}: "
            f"{f['rows_equal_ok']}) vs bare view {b['per_second']} req/s (errors {b['errors']}, rows == ok: "
            f"{b['rows_equal_ok']}): ratio {intake['ratio']}"
        )
        ind = tier["indicators"]
        print(
            f"{tier_label}: indicators compute() {ind['compute_ms']} ms vs SQL floor {ind['floor_ms']} ms: "
            f"{ind['ratio']}x"
        )
        for export in tier["exports"]:
            print(
                f"{tier_label}: {export['export']}: {export['rows']:,} rows in {export['seconds']} s = "
                f"{export['rows_per_second']:,} rows/s, {export['mb']} MB, "
                f"worker grew {export['peak_worker_growth_mb']} MB (peak {export['peak_worker_rss_mb']} MB resident)"
            )
        generated = f", generated in {tier['generated_seconds']} s" if tier.get("generated_seconds") else ""
        print(
            f"{tier_label}: load average {tier['load_average_before']} before, {tier['load_average_after']} after"
            f"{generated}"
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
