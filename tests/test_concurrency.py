"""Receipt references never repeat and never skip, however many stakeholders
submit at the same moment; a double-clicked form still makes one submission.

These tests fire real HTTP requests at a live server from many threads at
once, against the real database (SQLite file or PostgreSQL)."""

from __future__ import annotations

import http.client
import secrets
import threading
import uuid
from urllib.parse import urlencode, urlsplit

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.test import Client
from django.test.testcases import LiveServerThread, _StaticFilesHandler
from django.urls import reverse

from traceability.consultations.models import Process, Submission

from .factories import group_of, make_process, make_user

CONCURRENT = 50


class WideBacklogServer(ThreadedWSGIServer):
    # Production servers (gunicorn: 2048) queue far more pending connections than
    # socketserver's default of 5, which would reset most of 50 simultaneous connects.
    request_queue_size = 256
    # Request threads are joined on close, so their database connections are
    # gone before the test database is dropped.
    daemon_threads = False
    block_on_close = True


class ServerThread(LiveServerThread):
    server_class = WideBacklogServer


@pytest.fixture
def live_url(transactional_db):
    thread = ServerThread("127.0.0.1", _StaticFilesHandler, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def post_form(base_url: str, path: str, cookie: str, data: dict[str, object]) -> tuple[int, str]:
    csrf = secrets.token_hex(16)  # 32 characters: an unmasked CSRF secret
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    body = urlencode({**data, "csrfmiddlewaretoken": csrf})
    conn.request(
        "POST",
        path,
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"sessionid={cookie}; csrftoken={csrf}",
            "Referer": base_url + path,
        },
    )
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status, response.getheader("Location") or ""


def fire_at_once(jobs):
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(index, job):
        barrier.wait()
        try:
            results[index] = job()
        except Exception as error:  # kept and asserted on below
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return results


def submission_data(process: Process, n: int, token: str | None = None) -> dict[str, object]:
    return {
        "title": f"Concurrent suggestion {n}",
        "text": f"Text number {n}",
        "target_clause": "",
        "proposed_change": "",
        "stakeholder_group": group_of(process).pk,
        "attribution": "group",
        "form_token": token or str(uuid.uuid4()),
    }


@pytest.mark.django_db(transaction=True)
def test_simultaneous_submissions_get_gapless_unique_references(live_url, settings):
    # All fifty clients come from one address at the same instant: the per-address limit's counter is
    # one cache key, and allauth refuses (429) a request that waits over a second for that key's lock.
    # This test is about numbering under contention; tests/test_abuse.py tests the limits.
    settings.ACCOUNT_RATE_LIMITS = False
    process = make_process(phase="open", code="RACE")
    users = [make_user() for _ in range(CONCURRENT)]
    cookies = [session_cookie(user) for user in users]
    path = reverse("consultations:submission-create", args=[process.slug])

    forms = [submission_data(process, n) for n in range(CONCURRENT)]  # built here: client threads touch no database
    results = fire_at_once([(lambda n=n: post_form(live_url, path, cookies[n], forms[n])) for n in range(CONCURRENT)])

    assert all(isinstance(r, tuple) and r[0] == 302 for r in results), [
        r for r in results if not (isinstance(r, tuple) and r[0] == 302)
    ]
    receipts = sorted(location.rstrip("/").split("/")[-2] for _, location in results)
    expected = [f"RACE-{n:05d}" for n in range(1, CONCURRENT + 1)]
    assert receipts == expected  # one receipt per request: no duplicates, no gaps
    rows = sorted(Submission.objects.filter(process=process).values_list("reference", flat=True))
    assert rows == expected  # rows == receipts
    numbers = sorted(Submission.objects.filter(process=process).values_list("number", flat=True))
    assert numbers == list(range(1, CONCURRENT + 1))
    process.refresh_from_db()
    assert process.last_number == CONCURRENT


@pytest.mark.django_db(transaction=True)
def test_double_clicked_forms_make_one_submission_each(live_url):
    process = make_process(phase="open", code="CLICK")
    users = [make_user() for _ in range(10)]
    path = reverse("consultations:submission-create", args=[process.slug])
    jobs = []
    for n, user in enumerate(users):
        cookie, data = session_cookie(user), submission_data(process, n, token=str(uuid.uuid4()))
        # The same form, sent three times at the same moment.
        jobs += [(lambda c=cookie, d=data: post_form(live_url, path, c, d))] * 3

    results = fire_at_once(jobs)

    assert all(isinstance(r, tuple) and r[0] == 302 for r in results), [
        r for r in results if not (isinstance(r, tuple) and r[0] == 302)
    ]
    assert Submission.objects.filter(process=process).count() == len(users)
    for n in range(len(users)):
        # All three clicks of one user were sent to the same receipt.
        locations = {results[3 * n + k][1] for k in range(3)}
        assert len(locations) == 1
    numbers = sorted(Submission.objects.filter(process=process).values_list("number", flat=True))
    assert numbers == list(range(1, len(users) + 1))


@pytest.mark.django_db(transaction=True)
def test_one_form_token_posted_to_two_processes_at_once_files_once_and_never_fails(live_url):
    first, second = make_process(phase="open", code="TWOA"), make_process(phase="open", code="TWOB")
    users = [make_user() for _ in range(10)]
    jobs = []
    for n, user in enumerate(users):
        cookie, token = session_cookie(user), str(uuid.uuid4())
        for process in (first, second):
            path = reverse("consultations:submission-create", args=[process.slug])
            data = submission_data(process, n, token=token)
            jobs.append(lambda c=cookie, p=path, d=data: post_form(live_url, p, c, d))

    results = fire_at_once(jobs)

    # Each pair is one form: one submission, in one of the two processes; both posts lead to its receipt.
    assert all(isinstance(r, tuple) and r[0] == 302 for r in results), [
        r for r in results if not (isinstance(r, tuple) and r[0] == 302)
    ]
    for n, user in enumerate(users):
        assert Submission.objects.filter(author=user).count() == 1
        assert results[2 * n][1] == results[2 * n + 1][1]
    for process in (first, second):
        numbers = sorted(Submission.objects.filter(process=process).values_list("number", flat=True))
        assert numbers == list(range(1, len(numbers) + 1))  # no gap left by the post that found a submission
