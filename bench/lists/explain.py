# ruff: noqa: E501, E402
"""EXPLAIN ANALYZE of the report's and the workspace's list queries at 1M, first and last page, per filter;
then the whole page through the test client (DEBUG off, indicators cache warm), median of 5."""

import json
import statistics
import sys
import time

sys.path.insert(0, ".")
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import client_for
from traceability.accounts.models import User
from traceability.consultations.models import CommentRound, Process, Submission
from traceability.consultations.search import matching
from traceability.outcomes.models import Clause
from traceability.reports.forms import ReportFilterForm
from traceability.reports.selectors import report_submissions, report_version

settings.ALLOWED_HOSTS = ["*"]
process = Process.objects.get(code="BENCH")
version = report_version(process)
size = settings.TRACE_PAGE_SIZE
only = None
hit = "flatpage"  # filled in below from the data if asked
REPORT = {
    "none": {},
    "group": {"group": "5"},
    "status": {"status": "not_taken_up"},
    "round": {"round": "2"},
    "country (shown by name)": {"country": "DE"},
    "ground legal": {"ground": "legal"},
    "ground public morality": {"ground": "public_morality"},
    "clause": {"clause": Clause.objects.filter(version=version, identity_id=5).values_list("eid", flat=True).get()},
    "group + status": {"group": "6", "status": "not_taken_up"},
    "group + round + status": {"group": "4", "round": "3", "status": "excluded"},
    "country + status": {"country": "DE", "status": "reflected"},
    "group + ground": {"group": "6", "ground": "public_morality"},
    "search, no hit": {"q": "zyxwvut"},
    "search, rare word": {"q": "RARE"},
    "search, common word": {"q": "COMMON"},
    "search, two words": {"q": "TWO"},
    "search + group": {"q": "RARE", "group": "5"},
    "search, exact reference": {"q": "BENCH-00777"},
}


def words_by_frequency():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT word, ndoc FROM ts_stat($$SELECT search_vector FROM consultations_submission WHERE id % 100 = 0$$) ORDER BY ndoc DESC"
        )
        return cursor.fetchall()


def explain(qs):
    sql, params = qs.query.get_compiler(using="default").as_sql()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(r[0] for r in cursor.fetchall())


def list_query(qs, direction):
    if direction == "first":
        return qs.order_by("number")[: size + 1]
    return qs.order_by("-number")[: size + 1]


def page_time(client, url, n=5):
    client.get(url)
    times, queries = [], 0
    for _ in range(n):
        with CaptureQueriesContext(connection) as c:
            t = time.perf_counter()
            r = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, (url, r.status_code)
        queries = len(c)
    return statistics.median(times), queries


def breakdown(client, url):
    with CaptureQueriesContext(connection) as c:
        client.get(url)
    for q in sorted(c.captured_queries, key=lambda q: -float(q["time"]))[:4]:
        print(f"    {float(q['time']) * 1000:9.1f} ms  {q['sql'][:140]}", flush=True)


def run():
    freq = words_by_frequency()
    common = freq[5][0]
    vocab = set(open("/tmp/lists-vocab.txt").read().split())
    freq = [(w, n) for w, n in freq if w in vocab]
    print("sample frequencies", freq[:3], freq[-3:], len(freq), flush=True)
    mid = min(freq, key=lambda wn: abs(wn[1] - 5))[0]  # ~5 of a 1% sample: ~500 documents at 1M
    terms = {"COMMON": common, "RARE": mid, "TWO": f"{mid} {common}"}
    out = {"terms": terms}
    rounds = CommentRound.objects.filter(process=process).order_by("number")
    clauses = Clause.objects.filter(version=version).linkable()
    anon = Client()
    results = {}
    for name, data in REPORT.items():
        if only and name not in only:
            continue
        data = {k: terms.get(v, v) for k, v in data.items()}
        form = ReportFilterForm(data, groups=process.groups.all(), clauses=clauses, rounds=rounds)
        assert form.is_valid(), (name, form.errors)
        qs = form.apply(report_submissions(process, version))
        entry = {"filter": data}
        for direction in ("first", "last"):
            plan = explain(list_query(qs, direction))
            entry[f"{direction} plan"] = plan
            entry[f"{direction} sql ms"] = float(plan.rsplit("Execution Time: ", 1)[1].split(" ")[0])
            query = "&".join(f"{k}={v}" for k, v in data.items())
            url = f"/en/processes/{process.slug}/report/?{query}" + ("&last=1" if direction == "last" else "")
            if name == "none":
                entry[f"{direction} page ms"], entry[f"{direction} queries"] = page_time(anon, url, n=3)
                breakdown(anon, url)
            else:
                entry[f"{direction} page ms"], entry[f"{direction} queries"] = 0, 0
        results["report: " + name] = entry
        print(
            f"report {name:28} first {entry['first sql ms']:8.2f} ms sql {entry['first page ms']:7.1f} ms page | last {entry['last sql ms']:8.2f} ms sql {entry['last page ms']:7.1f} ms page | {entry['first queries']} queries",
            flush=True,
        )
    organiser = User.objects.get(email="bench-organiser@example.org")
    org = client_for(organiser)
    WORKSPACE = {
        "default (pending)": {},
        "any status": {"status": ""},
        "group, pending": {"group": "6"},
        "group, any status": {"group": "6", "status": ""},
        "status reflected": {"status": "reflected"},
        "search, any status": {"q": terms["RARE"], "status": ""},
        "search, no hit": {"q": "zyxwvut", "status": ""},
    }
    for name, data in WORKSPACE.items():
        if only and name not in only:
            continue
        q = Submission.objects.for_process(process).select_related("stakeholder_group", "draft")
        status = data.get("status", "pending")
        if data.get("group"):
            q = q.filter(stakeholder_group_id=data["group"])
        if status:
            q = q.with_status(status)
        if data.get("q"):
            q = matching(q, data["q"], public=False)
        entry = {"filter": data}
        for direction in ("first", "last"):
            plan = explain(list_query(q, direction))
            entry[f"{direction} plan"] = plan
            entry[f"{direction} sql ms"] = float(plan.rsplit("Execution Time: ", 1)[1].split(" ")[0])
            query = "&".join(f"{k}={v}" for k, v in data.items())
            url = f"/en/processes/{process.slug}/workspace/?{query}" + ("&last=1" if direction == "last" else "")
            entry[f"{direction} page ms"], entry[f"{direction} queries"] = page_time(org, url)
        results["workspace: " + name] = entry
        print(
            f"workspace {name:25} first {entry['first sql ms']:8.2f} ms sql {entry['first page ms']:7.1f} ms page | last {entry['last sql ms']:8.2f} ms sql {entry['last page ms']:7.1f} ms page | {entry['first queries']} queries",
            flush=True,
        )
    out["results"] = results
    json.dump(out, open("/tmp/lists-results.json", "w"), indent=1)


run()
