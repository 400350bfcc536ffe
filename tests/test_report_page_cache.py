"""The report's page for anonymous readers is kept whole and served from the shared cache until anything it shows
changes: a filing, a decision, a withdrawal, a publication. Signed-in readers and readers with a message waiting
get their own page; nothing of one reader reaches another."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from traceability.accounts.middleware import LAST_SEEN_SESSION_KEY
from traceability.consultations.services import submission_withdraw
from traceability.dispositions.services import disposition_exclude
from traceability.publications.services import snapshot_create

from .conftest import client_for
from .factories import file_submission, import_document


def url(process, language: str = "en") -> str:
    with translation.override(language):
        return reverse("reports:report", args=[process.slug])


def read(client: Client, address: str, **params) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address, params)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


@pytest.fixture
def filed(process, stakeholder):
    return file_submission(process, stakeholder, title="Open formats for every dataset")


def test_a_second_anonymous_reader_gets_the_same_page_from_the_cache_in_two_queries(process, filed):
    first, rendering = read(Client(), url(process))
    second, cached = read(Client(), url(process))
    assert second == first
    assert "Open formats for every dataset" in second
    # the process with the head of its history chain (part of the page's version), the cache entry
    assert cached == 2 < rendering


def test_an_anonymous_page_holds_nothing_of_its_reader(process, filed, settings):
    for _fresh_then_kept in range(2):
        response = Client(enforce_csrf_checks=True).get(url(process))
        assert "csrfmiddlewaretoken" not in response.content.decode()
        assert settings.CSRF_COOKIE_NAME not in response.cookies
        assert settings.SESSION_COOKIE_NAME not in response.cookies
        assert "Cookie" in response["Vary"]


def test_only_the_plain_report_and_its_status_and_ground_views_are_kept(process, filed):
    """Each kept address costs a cache entry: those anyone could vary without end (a search, a page of the list,
    any group, country or clause id) are rendered each time."""
    for params in ({"status": "pending"}, {"ground": "legal"}):
        read(Client(), url(process), **params)
        assert read(Client(), url(process), **params)[1] == 2, params
    group = process.groups.first().pk
    for params in ({"q": "formats"}, {"group": group}, {"after": "1"}, {"status": "nonsense"}, {"cpage": "2"}):
        read(Client(), url(process), **params)
        assert read(Client(), url(process), **params)[1] > 2, params


def test_a_reader_signed_out_for_inactivity_sees_the_notice_and_no_one_else_does(process, filed, stakeholder):
    client = client_for(stakeholder)
    session = client.session
    session[LAST_SEEN_SESSION_KEY] = int(time.time()) - 10 * 24 * 60 * 60
    session.save()
    theirs, _ = read(client, url(process))
    assert "You were signed out after a period without activity" in theirs
    others, _ = read(Client(), url(process))
    assert "You were signed out" not in others


def test_a_filing_shows_at_once(process, filed, other_stakeholder):
    read(Client(), url(process))
    file_submission(process, other_stakeholder, title="Plain language summaries")
    page, _ = read(Client(), url(process))
    assert "Plain language summaries" in page


def test_a_decision_and_a_withdrawal_show_at_once(closed_process, stakeholder, other_stakeholder, organiser):
    process = closed_process
    import_document(process, by=organiser)
    kept = file_submission(process, stakeholder, title="Home addresses of everyone")
    taken_back = file_submission(process, other_stakeholder, title="Second thoughts")
    before, _ = read(Client(), url(process))
    assert "Second thoughts" in before
    disposition_exclude(submission=kept, actor=organiser, ground="legal", legal_provision="Data Protection Act s. 25")
    submission_withdraw(submission=taken_back, author=other_stakeholder, now=process.closes_at - timedelta(hours=1))
    after, _ = read(Client(), url(process))
    assert "Data Protection Act s. 25" in after
    assert "Second thoughts" not in after


def test_a_publication_shows_at_once(closed_process, stakeholder, organiser):
    process = closed_process
    import_document(process, by=organiser)
    submission = file_submission(process, stakeholder, title="Home addresses of everyone")
    disposition_exclude(submission=submission, actor=organiser, ground="legal", legal_provision="Act s. 25")
    before, _ = read(Client(), url(process))
    assert 'data-testid="published-snapshot"' not in before
    assert 'data-testid="coverage-by-design"' not in before
    snapshot_create(process=process, actor=organiser)
    after, _ = read(Client(), url(process))
    assert 'data-testid="published-snapshot"' in after
    # The first sentence now says why every submission has a decision.
    assert 'data-testid="coverage-by-design"' in after


def test_each_language_and_each_filter_has_its_own_page(process, filed):
    english, _ = read(Client(), url(process))
    french, _ = read(Client(), url(process, "fr"))
    assert '<html lang="fr"' in french and '<html lang="en"' in english
    filtered, _ = read(Client(), url(process), status="excluded")
    assert "Open formats for every dataset" not in filtered
    assert "Open formats for every dataset" in read(Client(), url(process))[0]


def test_a_signed_in_reader_gets_a_page_of_their_own(process, filed, stakeholder):
    read(Client(), url(process))
    mine, queries = read(client_for(stakeholder), url(process))
    assert stakeholder.display_name in mine and "csrfmiddlewaretoken" in mine  # the sign-out form
    assert queries > 2
    anonymous, _ = read(Client(), url(process))
    assert stakeholder.display_name not in anonymous and "csrfmiddlewaretoken" not in anonymous


def test_a_message_waiting_for_an_anonymous_reader_is_shown_to_them_only(rf, process, filed):
    read(Client(), url(process))
    # A message waits in the cookie, as after signing out.
    request = rf.get("/")
    storage = CookieStorage(request)
    storage.add(constants.INFO, "You have signed out.")
    response = Client().get("/")  # any response to carry the cookie
    storage.update(response)
    reader = Client()
    reader.cookies["messages"] = response.cookies["messages"].value
    theirs, _ = read(reader, url(process))
    assert "You have signed out." in theirs
    others, _ = read(Client(), url(process))
    assert "You have signed out." not in others


def test_the_page_cache_can_be_turned_off(process, filed, settings):
    settings.TRACE_REPORT_PAGE_SECONDS = 0
    read(Client(), url(process))
    _page, queries = read(Client(), url(process))
    assert queries > 2


def test_unknown_parameters_are_rendered_every_time_not_kept(process, filed):
    read(Client(), url(process), utm_source="x")
    _page, queries = read(Client(), url(process), utm_source="x")
    assert queries > 2


ALL_GROUPS_SUBMITTED = re.compile(r'All groups</th><td role="cell" data-label="([^"]+)" class="text-end">(\d+)<')


def test_the_figures_above_and_below_any_list_are_those_of_now_whatever_the_list_shows(
    closed_process, stakeholder, other_stakeholder, organiser
):
    """The figures by indicator, group and country are the same for every search, filter and page of the list, so
    they are rendered once per version of the data (and language, and round) for all of them: a filing or a
    decision shows in them at once, on a searched report as on the plain one."""
    process = closed_process
    import_document(process, by=organiser)
    first = file_submission(process, stakeholder, title="Open formats for every dataset")
    searched, _ = read(Client(), url(process), q="formats")
    assert ALL_GROUPS_SUBMITTED.search(searched).groups() == ("Submitted", "1")
    file_submission(process, other_stakeholder, title="Plain language summaries")
    searched, _ = read(Client(), url(process), q="formats")
    assert ALL_GROUPS_SUBMITTED.search(searched).group(2) == "2"
    assert 'data-label="Excluded: legal" class="text-end">0<' in searched
    disposition_exclude(submission=first, actor=organiser, ground="legal", legal_provision="Act s. 25")
    searched, _ = read(Client(), url(process), q="formats")
    assert 'data-label="Excluded: legal" class="text-end">1<' in searched


def test_the_figures_kept_for_one_language_are_not_shown_in_another(process, filed):
    english, _ = read(Client(), url(process), q="formats")
    french, _ = read(Client(), url(process, "fr"), q="formats")
    assert ALL_GROUPS_SUBMITTED.search(english).group(1) == "Submitted"
    with translation.override("fr"):
        assert ALL_GROUPS_SUBMITTED.search(french) is None  # "All groups" is French there too
        assert f'data-label="{translation.gettext("Submitted")}"' in french
    assert 'data-label="Submitted"' not in french
