"""Keyset pages (consultations.keyset): reading the page asked for from a query string, and the pages."""

from __future__ import annotations

import pytest
from django.http import QueryDict

from traceability.consultations.keyset import (
    MAX_KEY,
    NOT_UNDERSTOOD,
    Cursor,
    Direction,
    cursor_from,
    keyset_page,
    other_parameters,
)
from traceability.consultations.models import Submission

from .factories import file_submission


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", Cursor()),
        ("after=12", Cursor(Direction.AFTER, 12)),
        ("before=12", Cursor(Direction.BEFORE, 12)),
        ("last=1", Cursor(Direction.LAST)),
        ("last=", Cursor(Direction.LAST)),
        ("after=0", Cursor()),  # nothing comes before 1: the first page
        ("before=1", Cursor()),
        ("page=1", Cursor()),
        ("page=3", Cursor(Direction.AFTER, 20)),  # an old offset link: page 3 of tens starts after 20
        ("page=last", Cursor(Direction.LAST)),
        (f"after={MAX_KEY}", Cursor(Direction.AFTER, MAX_KEY)),
        (f"page={MAX_KEY}", Cursor(Direction.AFTER, MAX_KEY)),
    ],
)
def test_the_page_asked_for_is_read_from_the_query(query, expected):
    assert cursor_from(QueryDict(query), size=10) == expected


@pytest.mark.parametrize(
    "query",
    [
        "after=abc",
        "after=-3",
        "before=-1",
        "after=1.5",
        "after=%EF%BC%91",  # a full-width digit one: a digit to Python, not to us
        f"after={MAX_KEY + 1}",
        "after=99999999999999999999999",
        "after=1&before=9",
        "after=1&last=1",
        "page=0",
        "page=-2",
        "page=abc",
        "after=%00",
    ],
)
def test_a_value_not_understood_gives_the_first_page_with_a_notice(query):
    assert cursor_from(QueryDict(query), size=10) == Cursor(notice=NOT_UNDERSTOOD)


def test_the_links_keep_every_other_parameter():
    query = QueryDict("q=water&group=3&after=40&cpage=2&status=")
    assert other_parameters(query) == "q=water&group=3&cpage=2&status="


@pytest.fixture
def seven(process, stakeholder) -> list[Submission]:
    return [file_submission(process, stakeholder, title=f"Number {n}") for n in range(1, 8)]


def numbers(page) -> list[int]:
    return [row.number for row in page]


def page_at(queryset, query: str, size: int = 3):
    return keyset_page(queryset, cursor=cursor_from(QueryDict(query), size=size), size=size)


def test_pages_forwards_backwards_and_at_both_ends(seven, process):
    rows = Submission.objects.filter(process=process)
    cases = {
        "": ([1, 2, 3], False, True),
        "after=3": ([4, 5, 6], True, True),
        "after=6": ([7], True, False),
        "last=1": ([5, 6, 7], True, False),
        "before=5": ([2, 3, 4], True, True),
        "before=2": ([1], False, True),
        "page=2": ([4, 5, 6], True, True),  # an old link: the same page as before
    }
    for query, (expected, has_previous, has_next) in cases.items():
        page = page_at(rows, query)
        assert (numbers(page), page.has_previous, page.has_next) == (expected, has_previous, has_next), query
    page = page_at(rows, "after=3")
    assert (page.previous_query, page.next_query) == ("before=4", "after=6")


def test_the_other_direction_is_asked_of_the_filtered_rows_not_guessed(seven, process):
    evens = Submission.objects.filter(process=process, number__in=[2, 4, 6])
    # Nothing even comes before 2: no "Previous", although the link said "after=1".
    page = page_at(evens, "after=1", size=2)
    assert (numbers(page), page.has_previous, page.has_next) == ([2, 4], False, True)
    page = page_at(evens, "before=7", size=2)
    assert (numbers(page), page.has_previous, page.has_next) == ([4, 6], True, False)


def test_a_page_past_either_end_is_empty_and_offers_the_way_back(seven, process):
    rows = Submission.objects.filter(process=process)
    page = page_at(rows, "after=50")
    assert (numbers(page), page.has_previous, page.has_next) == ([], True, False)
    assert page.previous_query == "before=51"
    assert numbers(page_at(rows, page.previous_query)) == [5, 6, 7]


def test_an_empty_list_offers_no_way_into_another_empty_page(seven, process):
    """A filter that matches nothing, reached by an old or a bookmarked link: neither an empty page after the end
    nor one before the start offers Previous, Next or Last (they only led to each other)."""
    nothing = Submission.objects.filter(process=process, number__gt=100)
    for query in ("after=50", "before=51", "page=3"):
        page = page_at(nothing, query)
        assert (numbers(page), page.has_previous, page.has_next) == ([], False, False), query
    before_the_start = page_at(Submission.objects.filter(process=process, number__gte=3), "before=2")
    assert (numbers(before_the_start), before_the_start.has_previous, before_the_start.has_next) == ([], False, True)


def test_a_page_is_one_query_and_never_counts(seven, process, django_assert_num_queries):
    rows = Submission.objects.filter(process=process)
    for query in ("", "after=2", "before=6", "last=1"):
        with django_assert_num_queries(1) as captured:
            page_at(rows, query)
        sql = captured.captured_queries[0]["sql"].upper()
        assert "COUNT(" not in sql and "OFFSET" not in sql, query
        assert "LIMIT 4" in sql, query  # size + 1


def test_the_total_is_passed_through_never_computed(seven, process):
    rows = Submission.objects.filter(process=process)
    assert page_at(rows, "").total is None
    page = keyset_page(rows, cursor=Cursor(), size=3, total=7)
    assert page.total == 7
