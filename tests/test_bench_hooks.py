"""The benchmark's hooks in the app exist only when TRACE_BENCH=1: the query count header and the bare view."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from traceability.operations.bench import QUERY_HEADER, ceiling_rows, ensure_ceiling_table

from .factories import make_user

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
COUNTER = "traceability.operations.bench.QueryCountMiddleware"


def test_by_default_no_response_says_its_query_count_and_the_bare_view_does_not_exist(client):
    assert not settings.TRACE_BENCH and COUNTER not in settings.MIDDLEWARE
    assert QUERY_HEADER not in client.get("/en/")
    assert client.post("/__bench__/insert/", {"title": "t", "text": "x"}).status_code == 404


def test_the_settings_turn_both_on_only_with_trace_bench_set():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.TRACE_BENCH, s.MIDDLEWARE[0], s.ROOT_URLCONF)"
    )
    env = {k: v for k, v in os.environ.items() if k != "TRACE_BENCH"} | {
        "DJANGO_SETTINGS_MODULE": "traceability.settings"
    }
    off = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    on = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "TRACE_BENCH": "1"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert off.stdout.split() == ["False", settings.MIDDLEWARE[0], "traceability.urls"]
    assert on.stdout.split() == ["True", COUNTER, "traceability.bench_urls"]


def test_with_the_hooks_on_the_header_counts_the_queries_and_the_bare_view_inserts_one_row(settings):
    settings.MIDDLEWARE = [COUNTER, *settings.MIDDLEWARE]
    settings.ROOT_URLCONF = "traceability.bench_urls"
    ensure_ceiling_table()
    client = Client()
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/en/")
    assert response.status_code == 200
    assert int(response[QUERY_HEADER]) == len(queries) > 0

    before = ceiling_rows()
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/__bench__/insert/", {"title": "A suggestion", "text": "Please add a clause."})
    assert response.status_code == 201 and response[QUERY_HEADER] == str(len(queries))
    assert ceiling_rows() == before + 1
    assert client.get("/__bench__/insert/").status_code == 405


def _csrf(client: Client) -> str:
    """A CSRF cookie for ``client`` and the token a form of the site would carry with it."""
    request = RequestFactory().get("/")
    token = get_token(request)
    client.cookies[settings.CSRF_COOKIE_NAME] = request.META["CSRF_COOKIE"]
    return token


def test_the_signed_in_floor_inserts_only_for_a_signed_in_post_with_its_csrf_token(settings):
    settings.MIDDLEWARE = [COUNTER, *settings.MIDDLEWARE]
    settings.ROOT_URLCONF = "traceability.bench_urls"
    ensure_ceiling_table()
    path = "/__bench__/insert-signed-in/"
    data = {"title": "A suggestion", "text": "Please add a clause."}
    before = ceiling_rows()
    stranger = Client(enforce_csrf_checks=True)
    assert stranger.post(path, {**data, "csrfmiddlewaretoken": _csrf(stranger)}).status_code == 403

    member = Client(enforce_csrf_checks=True)
    member.force_login(make_user())
    token = _csrf(member)
    assert member.post(path, data).status_code == 403  # without the token
    assert ceiling_rows() == before
    assert member.post(path, {**data, "csrfmiddlewaretoken": token}).status_code == 201
    assert ceiling_rows() == before + 1
