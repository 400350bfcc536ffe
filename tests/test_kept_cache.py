"""``caching.current_or_kept``: what takes seconds to make after each decision is served as it was, with its age,
while one background task per version makes it again; never an older value over a newer one."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache
from django.utils import timezone

from traceability.reports import caching
from traceability.reports.caching import current_or_kept, keep, remake

pytestmark = pytest.mark.django_db

KEY = "trace:test:kept"


class Calls:
    def __init__(self, value: str = "fresh", fail: bool = False) -> None:
        self.count, self.value, self.fail = 0, value, fail

    def __call__(self) -> str:
        self.count += 1
        if self.fail:
            raise ConnectionError("the queue is down")
        return self.value


def read(version: int, compute: Calls, refresh: Calls, exact: bool = False):
    return current_or_kept(KEY, version, compute, 60, refresh, exact=exact)


def test_made_once_then_served_until_the_version_moves_then_served_older_with_one_task_per_version():
    compute, refresh = Calls("v1"), Calls()
    assert read(1, compute, refresh) == ("v1", None)  # never made: made here
    assert read(1, compute, refresh) == ("v1", None)
    assert (compute.count, refresh.count) == (1, 0)

    value, as_of = read(2, compute, refresh)  # a decision: served as it was, with when it was made
    assert value == "v1" and as_of is not None
    assert refresh.count == 1
    assert read(2, compute, refresh) == ("v1", as_of)  # a second reader: no second task
    assert refresh.count == 1
    assert read(3, compute, refresh)[0] == "v1"  # another decision: its own task
    assert (compute.count, refresh.count) == (1, 2)

    remake(KEY, 3, lambda: "v3", 60)  # the worker
    assert read(3, compute, refresh) == ("v3", None)
    assert read(2, compute, refresh) == ("v3", None)  # a reader whose copy of the process is older
    assert (compute.count, refresh.count) == (1, 2)


def test_a_slower_task_of_an_earlier_decision_never_replaces_a_later_value():
    made = []
    remake(KEY, 7, lambda: "v7", 60)
    remake(KEY, 6, lambda: made.append(6) or "v6", 60)  # queued before, run after: not even made
    keep(KEY, 6, "v6", 60, made_at=timezone.now())  # one that was already making it when v7 was kept
    assert made == [] and read(7, Calls(), Calls()) == ("v7", None)
    remake(KEY, 7, lambda: made.append(7) or "again", 60)  # made at this version already: skipped
    assert made == []


def test_when_the_task_cannot_be_queued_the_reader_makes_it():
    read(1, Calls("v1"), Calls())
    compute, refresh = Calls("v2"), Calls(fail=True)
    assert read(2, compute, refresh) == ("v2", None)
    assert (compute.count, refresh.count) == (1, 1)
    assert read(2, Calls("other"), Calls()) == ("v2", None)  # kept for the next readers


def test_exact_never_serves_an_older_value():
    read(1, Calls("v1"), Calls())
    refresh = Calls()
    assert read(2, Calls("v2"), refresh, exact=True) == ("v2", None)
    assert refresh.count == 0


def test_a_value_whose_task_never_ran_is_made_by_a_reader_once_the_refresh_time_is_over(monkeypatch):
    """A worker that died, or none that takes the queue: the figures are not older than ``REFRESH_SECONDS`` for
    long. Within it, readers get the older value; after it, the next reader makes it and all get it current."""
    compute, refresh = Calls("v1"), Calls()
    read(1, compute, refresh)
    assert read(2, compute, refresh)[1] is not None and refresh.count == 1  # queued; the task never runs
    assert read(2, compute, refresh)[1] is not None and compute.count == 1
    monkeypatch.setattr(caching, "REFRESH_SECONDS", 0)  # the time is over
    compute.value = "v2"
    assert read(2, compute, refresh) == ("v2", None)
    assert read(2, compute, refresh) == ("v2", None)
    assert (compute.count, refresh.count) == (2, 1)


def test_while_one_reader_makes_a_value_whose_task_never_ran_the_others_get_the_older_one(monkeypatch):
    """Once the refresh time is over, one reader makes the value (seconds at a million submissions); a reader
    arriving meanwhile is not a second one to make it."""
    refresh, meanwhile = Calls(), []
    read(1, Calls("v1"), refresh)
    read(2, Calls(), refresh)  # queued; the task never runs
    monkeypatch.setattr(caching, "REFRESH_SECONDS", 0.2)
    time.sleep(0.3)  # the refresh time is over

    def slow() -> str:  # while the first reader makes it, another one reads (well within 0.2 s)
        other = Calls("made twice")
        meanwhile.append((read(2, other, refresh), other.count))
        return "v2"

    assert read(2, slow, refresh) == ("v2", None)
    ((value, as_of), made) = meanwhile[0]
    assert value == "v1" and as_of is not None and made == 0


def test_a_refresh_mark_of_an_earlier_release_asks_for_the_task_again():
    """Before the time of asking was kept with it, the mark was the version alone: a reader asks once more."""
    compute, refresh = Calls("v1"), Calls()
    read(1, compute, refresh)
    cache.set(f"{KEY}:refresh", 2, 60)
    value, as_of = read(2, compute, refresh)
    assert value == "v1" and as_of is not None and (compute.count, refresh.count) == (1, 1)
