"""Keyset pagination: pages of a list in the order of one unique integer key (a submission's receipt number),
at any depth for the cost of the first page.

A page is asked for by where it starts or ends, never by its position: ``?after=N`` (the rows whose key is
greater than N), ``?before=N`` (the rows whose key is smaller than N, shown in order), ``?last=1`` (the end
of the list), or nothing (the start). Each page fetches one row more than it shows, to know whether there is
a next (or, backwards, a previous) page; whether there is one on the other side is asked in the same query
(an uncorrelated ``EXISTS``, evaluated once). No ``COUNT(*)``: a total, when the caller knows it from figures
it already has (the tallies), is passed in and shown as "of N".

Old links (``?page=N``, from the offset paginator this replaced) keep working: page N starts after key
``(N - 1) × size``, which is exactly the old page on a list of consecutive keys (an unfiltered list of
receipts) and a nearby page otherwise. A value that is not understood (``after=abc``, a negative or huge
number, two directions at once) gives the first page and a notice saying so, never an error.

Arriving backwards (from "Last", then "Previous") pages line up from the end: the first page reached that
way may hold fewer rows than the others. Following "First", then "Next", they line up from the start.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from django.db.models import Exists, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

# The query parameters this module owns (a caller keeps every other one in its links).
PARAMETERS = ("after", "before", "last", "page")

MAX_KEY = 2_147_483_647  # the largest value of a 32-bit integer column


class Direction(StrEnum):
    FIRST = "first"
    AFTER = "after"
    BEFORE = "before"
    LAST = "last"


NOT_UNDERSTOOD = _("That page link was not understood: here is the first page.")


@dataclass(frozen=True)
class Cursor:
    """Where a page is anchored. ``notice`` says why a link was not followed (then the cursor is the first page)."""

    direction: Direction = Direction.FIRST
    key: int | None = None
    notice: str = ""


def _key(value: str) -> int | None:
    value = value.strip()
    if not (value.isascii() and value.isdecimal()) or len(value) > 10:
        return None
    number = int(value)
    return number if 0 <= number <= MAX_KEY else None


def cursor_from(query: Mapping[str, str] | QueryDict, *, size: int) -> Cursor:
    """Read the page asked for from a query string (see the module's docstring). Never raises."""
    asked = [name for name in PARAMETERS if name in query]
    if not asked:
        return Cursor()
    if len(asked) > 1:
        return Cursor(notice=NOT_UNDERSTOOD)
    name = asked[0]
    value = query.get(name) or ""
    if name == "last":
        return Cursor(Direction.LAST)
    if name == "page":
        if value.strip() == "last":
            return Cursor(Direction.LAST)
        page = _key(value)
        if page is None or page == 0:
            return Cursor(notice=NOT_UNDERSTOOD)
        if page == 1:
            return Cursor()
        return Cursor(Direction.AFTER, min((page - 1) * size, MAX_KEY))
    key = _key(value)
    if key is None:
        return Cursor(notice=NOT_UNDERSTOOD)
    if name == "after":
        return Cursor(Direction.AFTER, key) if key > 0 else Cursor()
    return Cursor(Direction.BEFORE, key) if key > 1 else Cursor()


@dataclass
class KeysetPage:
    """One page of rows, with what its links need. Iterate over it for the rows."""

    rows: list
    cursor: Cursor
    has_previous: bool
    has_next: bool
    key: str = "number"
    total: int | None = None
    notice: str = field(default="")

    def __iter__(self) -> Iterator:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def first_row(self) -> object | None:
        return self.rows[0] if self.rows else None

    @property
    def last_row(self) -> object | None:
        return self.rows[-1] if self.rows else None

    @property
    def first_key(self) -> int | None:
        return getattr(self.rows[0], self.key) if self.rows else None

    @property
    def last_key(self) -> int | None:
        return getattr(self.rows[-1], self.key) if self.rows else None

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_query(self) -> str:
        """The query (without the caller's filters) of the page before this one."""
        if self.rows:
            return f"before={self.first_key}"
        # An empty page past the end (after=N): the rows up to N are before it.
        return f"before={min((self.cursor.key or 0) + 1, MAX_KEY)}"

    @property
    def next_query(self) -> str:
        if self.rows:
            return f"after={self.last_key}"
        # An empty page before the start (before=N): the rows from N on are after it.
        return f"after={max((self.cursor.key or 1) - 1, 0)}"


def keyset_page(
    queryset: QuerySet, *, cursor: Cursor, size: int, key: str = "number", total: int | None = None
) -> KeysetPage:
    """The page of ``queryset`` at ``cursor``, ``size`` rows, ordered by the unique integer field ``key``.

    One query (plus whatever ``prefetch_related`` the queryset asks for): ``size + 1`` rows to know whether
    the list goes on in the direction of travel, and an ``EXISTS`` for the other direction."""
    if size < 1:
        raise ValueError("A page holds at least one row.")
    direction, anchor = cursor.direction, cursor.key
    if direction == Direction.FIRST:
        rows = list(queryset.order_by(key)[: size + 1])
        return _page(rows[:size], cursor, key, total, has_previous=False, has_next=len(rows) > size)
    if direction == Direction.LAST:
        rows = list(queryset.order_by(f"-{key}")[: size + 1])
        rows_shown = rows[:size][::-1]
        return _page(rows_shown, cursor, key, total, has_previous=len(rows) > size, has_next=False)
    if direction == Direction.AFTER:
        other_side = Exists(queryset.order_by().filter(**{f"{key}__lte": anchor}))
        rows = list(
            queryset.filter(**{f"{key}__gt": anchor}).annotate(_keyset_other=other_side).order_by(key)[: size + 1]
        )
        # With no row, the EXISTS was never read: asked apart (one more query, on an empty page only), so that an
        # empty list offers no way "back" into another empty page.
        before = rows[0]._keyset_other if rows else queryset.filter(**{f"{key}__lte": anchor}).exists()
        return _page(rows[:size], cursor, key, total, has_previous=before, has_next=len(rows) > size)
    other_side = Exists(queryset.order_by().filter(**{f"{key}__gte": anchor}))
    rows = list(
        queryset.filter(**{f"{key}__lt": anchor}).annotate(_keyset_other=other_side).order_by(f"-{key}")[: size + 1]
    )
    after = rows[0]._keyset_other if rows else queryset.filter(**{f"{key}__gte": anchor}).exists()
    return _page(rows[:size][::-1], cursor, key, total, has_previous=len(rows) > size, has_next=after)


def _page(rows: list, cursor: Cursor, key: str, total: int | None, *, has_previous: bool, has_next: bool) -> KeysetPage:
    return KeysetPage(
        rows=rows,
        cursor=cursor,
        has_previous=has_previous,
        has_next=has_next,
        key=key,
        total=total,
        notice=str(cursor.notice) if cursor.notice else "",
    )


def other_parameters(query: QueryDict, *also: str) -> str:
    """``query`` without this module's parameters (and ``also``), URL-encoded: the filters every page link keeps."""
    kept = query.copy()
    for name in (*PARAMETERS, *also):
        kept.pop(name, None)
    return kept.urlencode()
