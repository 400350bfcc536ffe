"""Figures and renderings kept in the shared cache while the process's data stays the same.

Each is stored under a key that names what it is (process, scope, page, language...), never the data version,
together with the ``stats_version`` it was made at: a read at another version computes it again and writes over the
same entry. Keying by version instead would leave one dead entry per decision (tens of KB each for a rendered
table), which the database cache deletes only when it culls at ``MAX_ENTRIES``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

from traceability.consultations.models import Process

T = TypeVar("T")


def process_key(process: Process, *parts: object) -> str:
    """A cache key of ``process``; its creation time tells it apart from a process that reused a deleted one's id
    (SQLite reuses ids)."""
    return ":".join(["trace", str(process.pk), str(process.created_at.timestamp()), *map(str, parts)])


def current(key: str, version: object, compute: Callable[[], T], timeout: int) -> T:
    """The value under ``key`` if it was made at ``version``, else ``compute()`` stored there with ``version``."""
    found = cache.get(key)
    if isinstance(found, tuple) and len(found) == 2 and found[0] == version:
        return found[1]
    value = compute()
    cache.set(key, (version, value), timeout)
    return value


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
