"""Figures and renderings kept in the shared cache while the process's data stays the same.

Each is stored under a key that names what it is (process, scope, page, language...), never the data version,
together with the ``stats_version`` it was made at: a read at another version computes it again and writes over the
same entry. Keying by version instead would leave one dead entry per decision (tens of KB each for a rendered
table), which the database cache deletes only when it culls at ``MAX_ENTRIES``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from traceability.consultations.models import Process

T = TypeVar("T")
logger = logging.getLogger(__name__)


def process_key(process: Process, *parts: object) -> str:
    """A cache key of ``process``; its creation time tells it apart from a process that reused a deleted one's id
    (SQLite reuses ids)."""
    return ":".join(["trace", str(process.pk), str(process.created_at.timestamp()), *map(str, parts)])


_MISSING = object()


def lookup(key: str, version: object, default: object = None) -> object:
    """The value under ``key`` if it was made at ``version`` (by ``store`` or ``current``), else ``default``."""
    found = cache.get(key)
    if isinstance(found, tuple) and len(found) == 2 and found[0] == version:
        return found[1]
    return default


def store(key: str, version: object, value: object, timeout: int) -> None:
    cache.set(key, (version, value), timeout)


def current(key: str, version: object, compute: Callable[[], T], timeout: int) -> T:
    """The value under ``key`` if it was made at ``version``, else ``compute()`` stored there with ``version``."""
    found = lookup(key, version, _MISSING)
    if found is not _MISSING:
        return found
    value = compute()
    store(key, version, value, timeout)
    return value


# How long the background remaking of a kept value may take before a reader makes it in the request instead (a worker
# that died, a queue no worker takes, a task lost with its queue): the figures are never older than this for long.
REFRESH_SECONDS = 300


def in_background(process: Process) -> bool:
    """Whether ``process`` is large enough for its slow figures to be made again in the background after a decision
    (``current_or_kept``); a smaller one's are made at once by the reader who needs them."""
    return process.last_number >= settings.TRACE_BACKGROUND_FROM


def _kept(found: object) -> tuple[int, object, datetime] | None:
    return found if isinstance(found, tuple) and len(found) == 3 else None


def keep(key: str, version: int, value: object, timeout: int, made_at: datetime) -> None:
    """Store ``value`` under ``key`` as read at ``version`` and ``made_at`` (for ``current_or_kept``), unless what
    is there was read at a later version (a task that took longer than the next one)."""
    found = _kept(cache.get(key))
    if found is None or found[0] <= version:
        cache.set(key, (version, value, made_at), timeout)


def remake(key: str, version: int, compute: Callable[[], object], timeout: int) -> None:
    """A background task's part of ``current_or_kept``: ``keep`` what ``compute()`` makes at ``version``, unless a
    task (queued for an earlier decision) made it at that version, or a later one, already."""
    found = _kept(cache.get(key))
    if found is not None and found[0] >= version:
        return
    made_at = timezone.now()
    keep(key, version, compute(), timeout, made_at)


def _queued(key: str, flag: str, version: int, refresh: Callable[[], object], timeout: int) -> bool:
    """Mark ``key`` as asked for again at ``version`` (and when) and call ``refresh()``; False (and no mark) if it
    failed."""
    cache.set(flag, (version, timezone.now()), timeout)
    try:
        refresh()
    except Exception:  # the queue is down: this reader waits instead of every reader seeing older figures
        logger.exception("Could not queue the remaking of %s; made in the request", key)
        cache.delete(flag)
        return False
    return True


def current_or_kept(
    key: str,
    version: int,
    compute: Callable[[], T],
    timeout: int,
    refresh: Callable[[], object],
    *,
    exact: bool = False,
) -> tuple[T, datetime | None]:
    """For what takes seconds to make at a million submissions and changes with every decision (a clause's
    figures): the value under ``key`` and ``None`` if it was made at ``version`` (or later: this reader's copy of
    the process is older than the value); else, if one was made at an earlier version, that value and the time it
    was made, and ``refresh()`` is called (it enqueues the background task that makes it again, ``remake``) once
    per version; only a value never made (or gone from the cache) is made here, or one whose task has not made it
    within ``REFRESH_SECONDS`` of being asked for (lost, or no worker takes its queue).

    A reader never waits for the whole process to be read again after each decision: the page says how old the
    figures it shows are instead. Where tasks run at once (``TASKS_BACKEND=immediate``, the tests) the value is
    made by ``refresh()`` and returned as current. If the task cannot be queued, the value is made here.
    ``exact``: never an older value (what is published; a process too small to need it, ``in_background``)."""
    flag = f"{key}:refresh"
    both = cache.get_many([key, flag])
    found = _kept(both.get(key))
    if found is not None and found[0] >= version:
        return found[1], None
    if found is not None and not exact:
        asked = both.get(flag)
        if isinstance(asked, tuple) and len(asked) == 2 and asked[0] == version:
            if timezone.now() - asked[1] < timedelta(seconds=REFRESH_SECONDS):
                return found[1], found[2]  # its task is queued
            # Asked for long ago and still not made: made here, by this reader; the others meanwhile get the older
            # value as before, for another REFRESH_SECONDS at most.
            cache.set(flag, (version, timezone.now()), timeout)
        elif _queued(key, flag, version, refresh, timeout):
            again = _kept(cache.get(key))  # a task run at once made it already
            if again is not None and again[0] >= version:
                return again[1], None
            return found[1], found[2]
    made_at = timezone.now()
    value = compute()
    keep(key, version, value, timeout, made_at)
    return value, None


def process_figures(
    process: Process,
    key: str,
    compute: Callable[[], T],
    timeout: int,
    refresh: Callable[[], object],
    *,
    exact: bool = False,
) -> tuple[T, datetime | None]:
    """``current_or_kept`` for one of ``process``'s slow figures, at its ``stats_version``: made again in the
    background only when the process is large enough for it (``in_background``); else always exact."""
    return current_or_kept(
        key, process.stats_version, compute, timeout, refresh, exact=exact or not in_background(process)
    )


def current_many(entries: dict[str, Callable[[], T]], version: object, timeout: int) -> dict[str, T]:
    """``current`` for several keys of one version, read together (one query on the database cache); with a
    ``timeout`` of 0, computed without the cache."""
    if not timeout:
        return {key: compute() for key, compute in entries.items()}
    found = cache.get_many(list(entries))
    values: dict[str, T] = {}
    missing: dict[str, tuple[object, T]] = {}
    for key, compute in entries.items():
        kept = found.get(key)
        if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == version:
            values[key] = kept[1]
        else:
            values[key] = compute()
            missing[key] = (version, values[key])
    if missing:
        cache.set_many(missing, timeout)
    return values
