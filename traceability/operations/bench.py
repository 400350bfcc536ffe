"""What ``make bench`` needs inside the app, present only when the environment says ``TRACE_BENCH=1``
(``settings.TRACE_BENCH``; never on otherwise):

- ``QueryCountMiddleware`` (first in ``MIDDLEWARE``) answers every response with ``X-Trace-Queries``: how
  many SQL queries the request ran on every database connection until its response was returned (for a
  streamed download, the queries made while streaming come after and are not counted);
- ``bare_insert`` (at ``/__bench__/insert/`` in ``traceability.bench_urls``) is the floor the intake is
  compared with: a Django view, behind the same middleware, that does one INSERT and nothing else;
- ``signed_in_insert`` (at ``/__bench__/insert-signed-in/``) is the same INSERT behind what any filing must pass
  first: a signed-in session (its row and the account's, read) and the CSRF check. It answers 403 otherwise. The
  benchmark reports the intake against it too, to show what share of the gap to the bare view is the sign-in alone.

Nothing here imports the app's domain: it stands apart like the rest of ``operations``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection, connections
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

QUERY_HEADER = "X-Trace-Queries"
CEILING_TABLE = "trace_bench_ceiling"


class QueryCountMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        count = 0

        def counter(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        wrappers = [connections[alias].execute_wrapper(counter) for alias in connections]
        for wrapper in wrappers:
            wrapper.__enter__()
        try:
            response = self.get_response(request)
        finally:
            for wrapper in reversed(wrappers):
                wrapper.__exit__(None, None, None)
        response[QUERY_HEADER] = str(count)
        return response


def ensure_ceiling_table() -> None:
    """The table the bare view writes to (made by the benchmark before it starts the server; not a model)."""
    key = "SERIAL PRIMARY KEY" if connection.vendor == "postgresql" else "INTEGER PRIMARY KEY AUTOINCREMENT"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {CEILING_TABLE} "
            f"(id {key}, title VARCHAR(200) NOT NULL, body TEXT NOT NULL, received_at TIMESTAMP NOT NULL)"
        )


def ceiling_rows() -> int:
    with connection.cursor() as cursor:
        # bandit B608 reviewed: a constant table name.
        cursor.execute(f"SELECT COUNT(*) FROM {CEILING_TABLE}")  # nosec B608
        return cursor.fetchone()[0]


def _insert(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute(
            # bandit B608 reviewed: a constant table name; the values are parameters.
            f"INSERT INTO {CEILING_TABLE} (title, body, received_at) VALUES (%s, %s, %s)",  # nosec B608
            [request.POST.get("title", "")[:200], request.POST.get("text", ""), timezone.now()],
        )
    return HttpResponse(status=201)


@csrf_exempt
@require_POST
def bare_insert(request: HttpRequest) -> HttpResponse:
    return _insert(request)


@require_POST
def signed_in_insert(request: HttpRequest) -> HttpResponse:
    # CsrfViewMiddleware has checked the token (no csrf_exempt here); a 403, not a redirect, for a stranger.
    if not request.user.is_authenticated:
        return HttpResponseForbidden()
    return _insert(request)
