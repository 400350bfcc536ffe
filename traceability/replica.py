"""Report reads on a PostgreSQL read replica, when one is configured (``DATABASE_REPLICA_URL``).

The public report's pages and downloads are what a large process's readers load, and none of them writes:
a view marked with ``@reads_from_replica`` runs its reads of the process's data (submissions, decisions, the
document, the report's tallies and snapshots) on the ``replica`` database for the GET and HEAD requests of
readers who are not signed in, streamed downloads included. Everything else stays on the primary: writes, every
POST, every signed-in person's requests (they may have just filed, replied or decided), sessions, accounts and
the shared cache, so that nobody reads their own write from a replica that has not caught up yet. Without
``DATABASE_REPLICA_URL`` nothing changes.

A replica lags its primary by the replication delay (usually well under a second with streaming replication):
a decision appears on the public report that much later than in the workspace.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse

REPLICA = "replica"

# The apps whose models hold the process's data (not accounts, sessions, the cache or the task queue).
REPORT_APPS = frozenset({"consultations", "dispositions", "outcomes", "reports", "publications"})

_on_replica: ContextVar[bool] = ContextVar("trace_reads_on_replica", default=False)

View = TypeVar("View", bound=Callable[..., HttpResponse])


def reads_from_replica(view: View) -> View:
    """Mark a read-only public view whose reads may be served by the replica (see the module's docstring)."""
    view.reads_from_replica = True  # type: ignore[attr-defined]
    return view


class ReplicaRouter:
    """Sends the report apps' reads to ``replica`` inside a marked view; every other read and every write to
    ``default``. The replica is a copy of the primary: it is never migrated, and relations between the two are
    the same rows."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        if _on_replica.get() and model._meta.app_label in REPORT_APPS:
            return REPLICA
        return None

    def db_for_write(self, model: type, **hints: Any) -> str | None:
        return None

    def allow_relation(self, obj1: object, obj2: object, **hints: Any) -> bool | None:
        return True

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        return db != REPLICA


class ReplicaReadsMiddleware:
    """Turns replica reads on for anonymous GET and HEAD requests of views marked ``@reads_from_replica``, for the view
    and for the streaming of its response (a download's rows are read while it is sent, after the view returned)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        token = getattr(request, "_trace_replica_token", None)
        if token is None:
            return response
        _on_replica.reset(token)
        if response.streaming:
            response.streaming_content = _on_replica_while(response.streaming_content)
        return response

    def process_view(self, request: HttpRequest, view: Callable[..., HttpResponse], *args: object) -> None:
        if (
            request.method in ("GET", "HEAD")
            and getattr(view, "reads_from_replica", False)
            and not request.user.is_authenticated
        ):
            request._trace_replica_token = _on_replica.set(True)  # type: ignore[attr-defined]


def _on_replica_while(chunks: Iterator[bytes]) -> Iterator[bytes]:
    token = _on_replica.set(True)
    try:
        yield from chunks
    finally:
        _on_replica.reset(token)
