"""What a search result or a browser tab says of a page: its title names the process it belongs to, and the public
pages describe themselves in a meta description, in the reader's language, with the process's own words escaped."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from .factories import file_submission, import_document

pytestmark = pytest.mark.django_db


def head(response) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    """The page's <title> and meta description, as a browser would read them (entities decoded)."""
    text = response.content.decode()
    title = re.search(r"<title>(.*?)</title>", text, re.S)
    description = re.search(r'<meta name="description" content="([^"]*)">', text)
    assert title and description, "every page has a title and a description"
    return html.unescape(title.group(1)), html.unescape(description.group(1))


def test_public_pages_of_a_process_describe_it(anon_client, process, stakeholder):
    process.title = 'Rules for "open" <data>'
    process.summary = "Comments on the draft rules, due in March."
    process.save()
    import_document(process)
    submission = file_submission(process, stakeholder)

    _title, description = head(anon_client.get(process.get_absolute_url()))
    assert description == "Comments on the draft rules, due in March."

    title, description = head(anon_client.get(reverse("reports:report", args=[process.slug])))
    assert title == 'Mapping report: Rules for "open" <data> · Trace'
    assert description.startswith('Mapping report of Rules for "open" <data>: how each submission was treated')
    assert '<data>"' not in anon_client.get(reverse("reports:report", args=[process.slug])).content.decode()

    _title, description = head(anon_client.get(reverse("outcomes:document", args=[process.slug])))
    assert description.startswith('The outcome document of Rules for "open" <data>, clause by clause')

    trace = anon_client.get(reverse("reports:submission-trace", args=[process.slug, submission.reference]))
    _title, description = head(trace)
    assert description.startswith(f'How {submission.reference} was treated in Rules for "open" <data>')


def test_a_process_without_summary_is_described_by_its_description(anon_client, process):
    process.summary = ""
    process.description = "<p>The <em>draft</em> principles</p> " + "word " * 60
    process.save()
    _title, description = head(anon_client.get(process.get_absolute_url()))
    assert description.startswith("The draft principles word word")
    assert description.endswith(" …") and len(description.split()[:-1]) == 40  # forty words, then "…"


def test_the_description_is_in_the_readers_language(anon_client, process):
    _title, description = head(anon_client.get("/fr/"))
    assert description.startswith("Les processus politiques sur Trace")
    _title, description = head(anon_client.get(f"/es/processes/{process.slug}/report/"))
    assert description.startswith(f"Informe de correspondencia de {process.title}")


def test_forms_of_a_process_name_it_in_their_title(stakeholder_client, organiser_client, process, stakeholder):
    submission = file_submission(process, stakeholder)
    title, _description = head(stakeholder_client.get(reverse("consultations:submission-create", args=[process.slug])))
    assert title == f"File a submission · {process.code} · Trace"
    edit = reverse("consultations:submission-withdraw-confirm", args=[process.slug, submission.reference])
    title, _description = head(stakeholder_client.get(edit))
    assert title == f"Withdraw submission · {submission.reference} · Trace"
    title, _description = head(organiser_client.get(reverse("outcomes:import", args=[process.slug])))
    assert title == f"Import the outcome document · {process.code} · Trace"
