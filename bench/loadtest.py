"""Load test: stakeholders filing all at once while organisers decide, over real HTTP, against gunicorn.

    make loadtest                                   # 200 filings + 50 decisions, PostgreSQL trace_loadtest
    make loadtest LOADTEST_ARGS="--filings 1000 --workers 4"
    .venv/bin/python bench/loadtest.py --help

What it does:

1. Prepares the database that ``--database-url`` (else ``DATABASE_URL``, else
   ``postgres://postgres@127.0.0.1:5432/trace_loadtest``) names: creates it if missing (PostgreSQL) and
   migrates it. With ``--scratch`` it uses a fresh database beside it instead (PostgreSQL: ``<name>_loadtest_<pid>``
   on the same server; SQLite: a file in a temporary directory) and drops it at the end, failed or not.
2. Sets up a process of its own (a new code each run) whose comment round is open on an adopted draft, N
   stakeholders and one organiser, each with a session created server-side (no sign-in form: sign-ins are
   rate-limited), and collects the static files.
3. Starts gunicorn (``--workers``, ``--threads``; DEBUG off, ``TRACE_RATE_LIMITS=off``) on a loopback address
   (anything but 127.0.0.1, localhost and ::1 is refused), and stops it however this script ends.
4. Fires ``--filings`` filings at once, one thread each: GET the form (CSRF cookie, one-time form token), then
   POST it. Meanwhile ``--organiser-threads`` threads decide the submissions whose receipts come back, through
   the review page and its forms (GET for the CSRF token and ``based_on``, then POST): alternately "not taken up"
   and "excluded on a legal ground". The first ``--races`` decisions are posted twice at once with the same
   ``based_on`` (two tabs of one organiser): exactly one must be saved, the other refused as stale (409).
5. Checks, in the database: no 5xx and no failed connection; every filing accepted; submissions filed ==
   successful filing responses (a redirect to the receipt); references CODE-00001..CODE-n, no gap, no duplicate,
   the same set the receipts named; decision revisions == successful decision responses. Prints a table
   (requests, 2xx/3xx/4xx/5xx, p50/p95 latency, throughput) and writes it to ``--results``
   (default ``loadtest/results.json``, ignored by git). Exits 1 if a check fails.
"""

from __future__ import annotations

import argparse
import ctypes
import html
import http.client
import json
import os
import platform
import queue
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/trace_loadtest"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}

DOCUMENT = """# 1. Scope
1. This framework applies to every public consultation.
2. Organisers publish the outcome document.

# 2. Principles
3. Inclusion of all stakeholder groups.
4. Equal weight for every group.
"""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--filings", type=int, default=200, help="filings fired at once (default 200)")
    parser.add_argument("--stakeholders", type=int, default=50, help="stakeholders filing them (default 50)")
    parser.add_argument("--decisions", type=int, default=50, help="submissions decided during the run (default 50)")
    parser.add_argument("--races", type=int, default=5, help="decisions posted twice at once (default 5)")
    parser.add_argument("--organiser-threads", type=int, default=4, help="concurrent decision threads (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (default 4)")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to serve on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--database-url", default=None, help=f"default: $DATABASE_URL, else {DEFAULT_DATABASE_URL}")
    parser.add_argument("--scratch", action="store_true", help="use a fresh database beside it, dropped at the end")
    parser.add_argument("--results", type=Path, default=ROOT / "loadtest" / "results.json")
    args = parser.parse_args(argv)
    if args.host not in LOOPBACK:
        parser.error(f"--host {args.host!r}: the load test only runs on loopback ({', '.join(sorted(LOOPBACK))}).")
    if args.filings < 1 or args.stakeholders < 1 or args.decisions < 0 or args.races < 0:
        parser.error("--filings and --stakeholders must be positive; --decisions and --races not negative.")
    args.races = min(args.races, args.decisions)
    return args


# ----------------------------------------------------------------------------- the database


def scratch_url(url: str, workdir: Path) -> str:
    """A fresh database beside ``url``: on the same PostgreSQL server, or a SQLite file in ``workdir``."""
    import dj_database_url

    config = dj_database_url.parse(url)
    if config["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{workdir / 'loadtest.sqlite3'}"
    name = f"{config['NAME']}_loadtest_{os.getpid()}"[:63]
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def _maintenance_connection(url: str):  # type: ignore[no-untyped-def]
    import dj_database_url
    import psycopg2

    config = dj_database_url.parse(url)
    connection = psycopg2.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
    )
    connection.autocommit = True
    return connection, config["NAME"]


def create_database_if_missing(url: str) -> None:
    if not url.startswith(("postgres://", "postgresql://")):
        return
    from psycopg2 import sql

    connection, name = _maintenance_connection(url)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.close()


def drop_database(url: str) -> None:
    if not url.startswith(("postgres://", "postgresql://")):
        return
    from psycopg2 import sql

    connection, name = _maintenance_connection(url)
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    connection.close()


def setup_django(url: str, secret_key: str) -> None:
    """Configure Django in this process as the server will be: same database, same key (sessions), DEBUG off."""
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "false"
    os.environ["SECRET_KEY"] = secret_key
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost,[::1]"
    os.environ["DJANGO_SETTINGS_MODULE"] = "traceability.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def make_user(*, email: str, display_name: str, kind: str, country: str):  # type: ignore[no-untyped-def]
    """One account able to file (the one place to add what filing requires of an account)."""
    from allauth.account.models import EmailAddress

    from traceability.accounts.models import User

    user = User.objects.create_user(
        email=email,
        password=None,
        display_name=display_name,
        organisation=f"{display_name}'s organisation",
        stakeholder_kind=kind,
        country=country,
    )
    # Only an account whose address was confirmed may file.
    EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)
    return user


def session_cookie(user) -> str:  # type: ignore[no-untyped-def]
    """A signed-in session made server-side, as ``django.contrib.auth.login`` makes it (no sign-in form),
    marked as having passed the second factor (which the organiser's workspace requires)."""
    from django.conf import settings
    from django.test import Client

    from traceability.accounts.middleware import MFA_SESSION_KEY

    client = Client()
    client.force_login(user)
    session = client.session
    session[MFA_SESSION_KEY] = user.pk
    session.save()
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@dataclass
class Setup:
    slug: str
    code: str
    process_pk: int
    organiser_cookie: str
    stakeholders: list[tuple[str, int]]  # (session cookie, stakeholder group pk)


def prepare(args: argparse.Namespace, run_id: str) -> Setup:
    from django.core.management import call_command
    from django.utils import timezone

    from traceability.accounts.models import StakeholderKind
    from traceability.consultations.models import Process, StakeholderGroup
    from traceability.consultations.services import process_create_default_groups, round_open
    from traceability.outcomes.services import version_import

    call_command("migrate", "--noinput", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)  # DEBUG off serves the hashed, collected files
    now = timezone.now()
    code = f"LT{run_id}"
    organiser = make_user(
        email=f"organiser-{run_id.lower()}@loadtest.invalid",
        display_name="Load-test organiser",
        kind=StakeholderKind.GOVERNMENT,
        country="CH",
    )
    # The process's own window has closed; it takes submissions in its open comment round.
    process = Process.objects.create(
        slug=f"loadtest-{run_id.lower()}",
        code=code,
        title=f"Load test {run_id}",
        description="A process made by bench/loadtest.py.",
        opens_at=now - timedelta(days=30),
        closes_at=now - timedelta(days=1),
    )
    process_create_default_groups(process=process)
    process.organisers.add(organiser)
    draft = version_import(process=process, source=DOCUMENT, label="Zero draft", created_by=organiser)
    round_open(process=process, version=draft, closes_at=now + timedelta(hours=6), actor=organiser)
    groups = {group.kind: group.pk for group in StakeholderGroup.objects.filter(process=process)}
    kinds = list(StakeholderKind.values)
    stakeholders = []
    for n in range(args.stakeholders):
        kind = kinds[n % len(kinds)]
        user = make_user(
            email=f"stakeholder-{run_id.lower()}-{n}@loadtest.invalid",
            display_name=f"Stakeholder {n}",
            kind=kind,
            country=["KE", "BR", "DE", "IN", "US", "FR"][n % 6],
        )
        stakeholders.append((session_cookie(user), groups[kind]))
    return Setup(
        slug=process.slug,
        code=code,
        process_pk=process.pk,
        organiser_cookie=session_cookie(organiser),
        stakeholders=stakeholders,
    )


# ----------------------------------------------------------------------------- the server


def free_port(host: str) -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child, before exec
    # Linux: the server gets SIGTERM if this script is killed outright (SIGKILL leaves no chance to clean up).
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class Server:
    """gunicorn in its own process group; ``stop()`` ends the group, and is called however the script ends."""

    def __init__(
        self, *, host: str, port: int, workers: int, threads: int, env: dict[str, str], log: Path, timeout: int = 120
    ) -> None:
        self.host, self.port = host, port
        self.log = log
        bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
        args = [gunicorn, "traceability.wsgi", "--bind", bind, "--workers", str(workers), "--threads", str(threads)]
        args += ["--backlog", "2048", "--timeout", str(timeout), "--graceful-timeout", "5", "--access-logfile", "-"]
        log.parent.mkdir(parents=True, exist_ok=True)
        self._log_file = log.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - a fixed argument list, no shell
            args,
            cwd=ROOT,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,  # noqa: PLW1509
        )

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}; see {self.log}")
            try:
                conn = http.client.HTTPConnection(self.host, self.port, timeout=5)
                conn.request("GET", "/en/")
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return
                raise RuntimeError(f"GET / answered {status}; see {self.log}")
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer within {timeout} s; see {self.log}")

    def stop(self) -> None:
        _stop_group(self.process)
        self._log_file.close()


def _stop_group(process: subprocess.Popen) -> None:
    """Stop a child started in its own process group: SIGTERM to the group, SIGKILL after 20 s."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


class TaskWorker:
    """The background task worker beside the server, as ``make run`` starts it (``manage.py db_worker --no-reload
    --queue-name '*'``, the same environment): in its own process group, stopped by ``stop()`` however the script
    ends (and, on Linux, when the script is killed outright)."""

    def __init__(self, *, env: dict[str, str], log: Path) -> None:
        self.log = log
        args = [sys.executable, str(ROOT / "manage.py"), "db_worker", "--no-reload", "--queue-name", "*"]
        args += ["--no-startup-delay", "--verbosity", "1"]
        log.parent.mkdir(parents=True, exist_ok=True)
        self._log_file = log.open("wb")
        self.process = subprocess.Popen(  # noqa: S603 - a fixed argument list, no shell
            args,
            cwd=ROOT,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,  # noqa: PLW1509
        )

    def check(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(f"the task worker exited with {self.process.returncode}; see {self.log}")

    def stop(self) -> None:
        _stop_group(self.process)
        self._log_file.close()


# ----------------------------------------------------------------------------- the clients


@dataclass
class Sample:
    kind: str
    status: int  # 0: the connection failed
    seconds: float
    error: str = ""


@dataclass
class Recorder:
    samples: list[Sample] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


HIDDEN = re.compile(
    r'<input[^>]*name="(?P<name>[\w-]+)"[^>]*value="(?P<value>[^"]*)"|'
    r'<input[^>]*value="(?P<value2>[^"]*)"[^>]*name="(?P<name2>[\w-]+)"'
)


def form_values(page: str) -> dict[str, str]:
    """The name=value pairs of a page's inputs (hidden fields: CSRF token, form token, based_on)."""
    values = {}
    for match in HIDDEN.finditer(page):
        name = match.group("name") or match.group("name2")
        value = match.group("value") if match.group("name") else match.group("value2")
        values.setdefault(name, html.unescape(value))
    return values


class Browser:
    """One person's HTTP client: a session cookie, and the CSRF cookie the server hands out."""

    def __init__(self, host: str, port: int, session: str, recorder: Recorder) -> None:
        self.host, self.port, self.recorder = host, port, recorder
        from django.conf import settings

        self.cookies = {settings.SESSION_COOKIE_NAME: session}

    def request(self, kind: str, method: str, path: str, data: dict[str, object] | None = None):  # type: ignore[no-untyped-def]
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Connection": "close"}
        body = None
        if data is not None:
            body = urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{self.host}:{self.port}{path}"
        started = time.perf_counter()
        try:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=120)
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", errors="replace")
            conn.close()
        except OSError as error:
            self.recorder.add(Sample(kind, 0, time.perf_counter() - started, repr(error)))
            return 0, "", ""
        self.recorder.add(Sample(kind, response.status, time.perf_counter() - started))
        for header in response.msg.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location") or "", text


def file_one(browser: Browser, setup: Setup, group: int, n: int) -> str | None:
    """File one submission through the form; the receipt's reference, or None if it was not accepted."""
    path = f"/en/processes/{setup.slug}/submit/"
    status, _, page = browser.request("form", "GET", path)
    if status != 200:
        return None
    fields = form_values(page)
    status, location, _ = browser.request(
        "filing",
        "POST",
        path,
        {
            "csrfmiddlewaretoken": fields.get("csrfmiddlewaretoken", ""),
            "form_token": fields.get("form_token", ""),
            "title": f"Load-test suggestion {n}",
            "text": f"Suggestion number {n}: please say how every stakeholder group is heard.\n{uuid.uuid4()}",
            "target_clause": "",
            "proposed_change": "",
            "stakeholder_group": group,
            "attribution": "group" if n % 2 else "name",
        },
    )
    match = re.fullmatch(rf"/en/processes/{re.escape(setup.slug)}/submissions/([\w-]+)/receipt/", location)
    return match.group(1) if status == 302 and match else None


def decide_one(browser: Browser, setup: Setup, reference: str, n: int, *, race: bool) -> list[int]:
    """Decide one submission through its review page; the status of each POST (two when racing)."""
    status, _, page = browser.request("review", "GET", f"/en/processes/{setup.slug}/workspace/submissions/{reference}/")
    if status != 200:
        return []
    fields = form_values(page)
    base = {"csrfmiddlewaretoken": fields.get("csrfmiddlewaretoken", ""), "based_on": fields.get("based_on", "")}
    if n % 2:
        action = "exclude"
        data = {**base, "exclude-ground": "legal", "exclude-legal_provision": "Load-test Act, art. 1(2)"}
    else:
        action = "not-taken-up"
        data = {**base, "not_taken_up-reason": "Considered at the load test; not adopted."}
    path = f"/en/processes/{setup.slug}/workspace/submissions/{reference}/{action}/"
    if not race:
        return [browser.request("decision", "POST", path, data)[0]]
    statuses: list[int] = []
    barrier = threading.Barrier(2)

    def post() -> None:
        barrier.wait()
        statuses.append(browser.request("decision", "POST", path, data)[0])

    threads = [threading.Thread(target=post, daemon=True) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


@dataclass
class Outcome:
    receipts: list[str]
    decisions: dict[int, list[int]]  # the POST statuses of each decision, by its number (raced: n < --races)
    wall_seconds: float


def fire(args: argparse.Namespace, setup: Setup, host: str, port: int, recorder: Recorder) -> Outcome:
    receipts: list[str] = []
    decided: dict[int, list[int]] = {}
    lock = threading.Lock()
    to_decide: queue.Queue[str | None] = queue.Queue()
    barrier = threading.Barrier(args.filings)
    taken = iter(range(args.decisions))

    def filer(n: int) -> None:
        session, group = setup.stakeholders[n % len(setup.stakeholders)]
        browser = Browser(host, port, session, recorder)
        barrier.wait()
        reference = file_one(browser, setup, group, n)
        if reference is not None:
            with lock:
                receipts.append(reference)
            to_decide.put(reference)

    def organiser() -> None:
        while True:
            reference = to_decide.get()
            if reference is None:
                return
            with lock:
                n = next(taken, None)
            if n is None:
                continue  # enough decided; leave the rest pending
            browser = Browser(host, port, setup.organiser_cookie, recorder)
            statuses = decide_one(browser, setup, reference, n, race=n < args.races)
            with lock:
                decided[n] = statuses

    started = time.perf_counter()
    # Daemon threads: an interrupted run exits (and stops the server) without waiting for them.
    organisers = [threading.Thread(target=organiser, daemon=True) for _ in range(args.organiser_threads)]
    filers = [threading.Thread(target=filer, args=(n,), daemon=True) for n in range(args.filings)]
    for thread in organisers + filers:
        thread.start()
    for thread in filers:
        thread.join()
    for _ in organisers:
        to_decide.put(None)
    for thread in organisers:
        thread.join()
    return Outcome(receipts=receipts, decisions=decided, wall_seconds=time.perf_counter() - started)


# ----------------------------------------------------------------------------- the checks and the report


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def table_rows(samples: list[Sample], wall: float) -> list[dict[str, object]]:
    rows = []
    kinds = [("form", "GET submission form"), ("filing", "POST filing"), ("review", "GET review page")]
    kinds += [("decision", "POST decision"), (None, "all requests")]
    for kind, label in kinds:
        chosen = [s for s in samples if kind is None or s.kind == kind]
        seconds = [s.seconds for s in chosen if s.status]
        rows.append(
            {
                "requests": label,
                "n": len(chosen),
                "2xx": sum(200 <= s.status < 300 for s in chosen),
                "3xx": sum(300 <= s.status < 400 for s in chosen),
                "4xx": sum(400 <= s.status < 500 for s in chosen),
                "5xx": sum(s.status >= 500 for s in chosen),
                "failed": sum(s.status == 0 for s in chosen),
                "p50_ms": round(percentile(seconds, 0.50) * 1000, 1),
                "p95_ms": round(percentile(seconds, 0.95) * 1000, 1),
                "per_second": round(len(chosen) / wall, 1) if wall else 0.0,
            }
        )
    return rows


def check(args: argparse.Namespace, setup: Setup, outcome: Outcome, samples: list[Sample]) -> dict[str, object]:
    from traceability.consultations.models import Process, Submission
    from traceability.dispositions.models import DecisionRevision, Disposition

    process = Process.objects.get(pk=setup.process_pk)
    filed = list(Submission.objects.filter(process=process).values_list("number", "reference"))
    references = sorted(reference for _, reference in filed)
    n = len(filed)
    decision_successes = sum(status == 302 for statuses in outcome.decisions.values() for status in statuses)
    raced = [statuses for n, statuses in outcome.decisions.items() if n < args.races]
    single = [statuses for n, statuses in outcome.decisions.items() if n >= args.races]
    revisions = DecisionRevision.objects.filter(submission__process=process).count()
    results = {
        "no 5xx": all(s.status < 500 for s in samples),
        "no failed connection": all(s.status != 0 for s in samples),
        "every filing accepted": len(outcome.receipts) == args.filings,
        "submissions in the database == successful filings": n == len(outcome.receipts),
        "references gapless CODE-00001..CODE-n": sorted(number for number, _ in filed) == list(range(1, n + 1))
        and references == sorted(process.reference_for(i) for i in range(1, n + 1)),
        "no duplicate reference": len(set(references)) == n,
        "the receipts name exactly the references stored": sorted(outcome.receipts) == references,
        "every decision asked for was answered": len(outcome.decisions) == min(args.decisions, len(outcome.receipts)),
        "decision revisions == successful decisions": revisions == decision_successes,
        "dispositions == decided submissions": Disposition.objects.filter(submission__process=process).count()
        == sum(any(status == 302 for status in statuses) for statuses in outcome.decisions.values()),
        "each raced decision: one saved, one refused as stale (409)": all(
            sorted(statuses) == [302, 409] for statuses in raced
        ),
        "every other decision saved": all(statuses == [302] for statuses in single),
    }
    return {
        "checks": results,
        "submissions": n,
        "decision_revisions": revisions,
        "decision_successes": decision_successes,
    }


def print_report(rows: list[dict[str, object]], verdict: dict[str, object], outcome: Outcome) -> None:
    header = f"{'requests':<22}{'n':>6}{'2xx':>6}{'3xx':>6}{'4xx':>6}{'5xx':>6}{'failed':>8}"
    header += f"{'p50 ms':>9}{'p95 ms':>9}{'req/s':>8}"
    print(header)
    print("-" * len(header))
    for row in rows:
        print(
            f"{row['requests']:<22}{row['n']:>6}{row['2xx']:>6}{row['3xx']:>6}{row['4xx']:>6}{row['5xx']:>6}"
            f"{row['failed']:>8}{row['p50_ms']:>9}{row['p95_ms']:>9}{row['per_second']:>8}"
        )
    print(
        f"\n{len(outcome.receipts)} filings accepted, {verdict['submissions']} submissions stored; "
        f"{verdict['decision_successes']} decisions saved, {verdict['decision_revisions']} revisions stored; "
        f"wall time {outcome.wall_seconds:.2f} s"
    )
    for name, passed in verdict["checks"].items():
        print(f"  {'ok  ' if passed else 'FAIL'} {name}")


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds through the finally blocks that stop the server


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    url = args.database_url or os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    signal.signal(signal.SIGHUP, _stop_on_sigterm)
    workdir = Path(tempfile.mkdtemp(prefix="trace-loadtest-"))
    if args.scratch:
        url = scratch_url(url, workdir)
    secret_key = os.environ.get("SECRET_KEY") or "loadtest-" + secrets.token_hex(32)
    run_id = secrets.token_hex(4).upper()
    server = None
    try:
        create_database_if_missing(url)
        setup_django(url, secret_key)
        setup = prepare(args, run_id)
        from django.db import connections

        connections.close_all()
        port = args.port or free_port(args.host)
        env = {**os.environ, "TRACE_RATE_LIMITS": "off", "PYTHONUNBUFFERED": "1"}
        server = Server(
            host=args.host,
            port=port,
            workers=args.workers,
            threads=args.threads,
            env=env,
            log=args.results.parent / "gunicorn.log",
        )
        server.wait_ready()
        recorder = Recorder()
        outcome = fire(args, setup, args.host, port, recorder)
        server.stop()
        rows = table_rows(recorder.samples, outcome.wall_seconds)
        verdict = check(args, setup, outcome, recorder.samples)
        print_report(rows, verdict, outcome)
        from django.db import connection

        args.results.parent.mkdir(parents=True, exist_ok=True)
        args.results.write_text(
            json.dumps(
                {
                    "at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "process": setup.code,
                    "database": f"{connection.vendor} {connection.settings_dict['NAME']}",
                    "python": platform.python_version(),
                    "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
                    "server": {"workers": args.workers, "threads": args.threads},
                    "filings": args.filings,
                    "stakeholders": args.stakeholders,
                    "decisions": args.decisions,
                    "races": args.races,
                    "wall_seconds": round(outcome.wall_seconds, 3),
                    "table": rows,
                    **verdict,
                    "errors": sorted({s.error for s in recorder.samples if s.error}),
                },
                indent=2,
            )
            + "\n"
        )
        print(f"\nResults: {args.results}  (server log: {server.log})")
        return 0 if all(verdict["checks"].values()) else 1
    finally:
        if server is not None:
            server.stop()
        if args.scratch:
            if "django" in sys.modules:
                from django.db import connections

                connections.close_all()
            drop_database(url)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
