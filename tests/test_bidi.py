"""Every piece of text a user wrote carries its own direction: an Arabic title on an English page (or an English
title on an Arabic page) is isolated from the sentence around it, so its brackets and numbers stay where they were
typed ("(3" never drifts to the wrong end). A block holding only such text has ``dir="auto"``; text inside a
translated sentence is wrapped in ``<bdi>``."""

from __future__ import annotations

import lxml.html
import pytest
from django.urls import reverse
from django.utils import translation

from traceability.dispositions.services import LinkSpec, disposition_reflect
from traceability.outcomes.services import version_import

from .conftest import client_for
from .factories import DOCUMENT, file_submission, group_of

# The texts' own direction is the other one of the page's: each must be marked as the user's, not the page's.
CASES = {
    "en": {
        "process": "الشفافية في العمليات (2025)",
        "summary": "مشاورة مفتوحة (2) للجميع",
        "group": "منظمات المجتمع المدني في المنطقة",  # not a default group's name in any language
        "name": "أمينة",
        "organisation": "منظمة الشفافية",
        "label": "المسودة (1)",
        "title": "الشفافية في (3) البنود",
        "text": "نقترح نشر (3) البنود كلها.",
        "note": "في الفقرة (3) كلها",
    },
    "ar": {
        "process": "Open processes (2025)",
        "summary": "An open consultation (2) for all",
        "group": "Civil society groups",
        "name": "Amina",
        "organisation": "Transparency Org",
        "label": "Zero draft (1)",
        "title": "Open data (3) first",
        "text": "Publish every clause (3) in full.",
        "note": "In paragraph (3), all of it",
    },
}
# Where markup cannot go: the document's <title>, a select's options, and the chart's SVG labels.
UNMARKABLE = {"title", "option", "svg"}


def owns_its_direction(element) -> bool:
    """The nearest element that sets a direction, from ``element`` up, is the user's text's own: ``<bdi>`` or
    ``dir="auto"``, not the page's ``<html dir>``."""
    for node in (element, *element.iterancestors()):
        if node.tag == "bdi":
            return True
        if node.get("dir") is not None:
            return node.get("dir") == "auto"
    return False


def placements(html: str, text: str) -> list[tuple[str, bool]]:
    """Each place ``text`` is shown on the page (element text or the text after an element), and whether it
    carries its own direction there."""
    root = lxml.html.document_fromstring(html)
    found = []
    for element in root.body.iter():
        if not isinstance(element.tag, str):  # a comment
            continue
        for owner, content in ((element, element.text), (element.getparent(), element.tail)):
            if content and text in content and owner is not None:
                if any(node.tag in UNMARKABLE for node in (owner, *owner.iterancestors())):
                    continue
                found.append((lxml.html.tostring(owner, encoding="unicode")[:160], owns_its_direction(owner)))
    return found


def assert_isolated(html: str, *texts: str) -> None:
    for text in texts:
        found = placements(html, text)
        assert found, f"{text!r} is not on the page"
        assert all(isolated for _where, isolated in found), [where for where, isolated in found if not isolated]


@pytest.fixture
def written(process, organiser, stakeholder, request):
    """A process, a group, an author, a version and a submission, each named in the other direction's script."""
    case = CASES[request.param]
    process.title, process.summary, process.description = case["process"], case["summary"], case["summary"]
    process.save()
    group = group_of(process, stakeholder.stakeholder_kind)
    group.name = case["group"]
    group.save()
    stakeholder.display_name, stakeholder.organisation = case["name"], case["organisation"]
    stakeholder.save()
    version = version_import(process=process, source=DOCUMENT, label=case["label"], created_by=organiser)
    submission = file_submission(process, stakeholder, title=case["title"], text=case["text"])
    clause = version.clauses.get(eid="para_3")
    disposition_reflect(submission=submission, actor=organiser, links=[LinkSpec(clause=clause, note=case["note"])])
    return request.param, case, submission


def page(client, language: str, name: str, *args: object) -> str:
    with translation.override(language):
        url = reverse(name, args=args)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


@pytest.mark.parametrize("written", ["en", "ar"], indirect=True)
def test_the_users_texts_keep_their_own_direction_on_the_public_pages(anon_client, process, written):
    language, case, submission = written
    report = page(anon_client, language, "reports:report", process.slug)
    assert_isolated(report, case["process"], case["title"], case["group"], case["label"])

    trace = page(anon_client, language, "reports:submission-trace", process.slug, submission.reference)
    assert_isolated(trace, case["title"], case["text"], case["group"], case["name"], case["label"], case["note"])

    detail = page(anon_client, language, "consultations:process-detail", process.slug)
    assert_isolated(detail, case["process"], case["summary"], case["group"])

    home = page(anon_client, language, "consultations:process-list")
    assert_isolated(home, case["process"], case["summary"])


@pytest.mark.parametrize("written", ["en", "ar"], indirect=True)
def test_the_author_reads_their_receipt_with_the_texts_in_their_own_direction(process, stakeholder, written):
    language, case, submission = written
    author = client_for(stakeholder)
    receipt = page(author, language, "consultations:submission-receipt", process.slug, submission.reference)
    assert_isolated(receipt, case["process"], case["title"], case["text"], case["group"], case["name"])

    mine = page(author, language, "reports:me")
    assert_isolated(mine, case["process"], case["title"])


def test_a_title_inside_a_translated_sentence_is_isolated_and_still_escaped(process, stakeholder):
    process.title = "الشفافية <b>(3)</b>"
    process.save()
    form = page(client_for(stakeholder), "en", "consultations:submission-create", process.slug)
    assert "To <bdi>الشفافية &lt;b&gt;(3)&lt;/b&gt;</bdi>. Open until" in form
    # The fields where people write take the direction of what they type.
    root = lxml.html.document_fromstring(form)
    assert root.get_element_by_id("id_title").get("dir") == "auto"
    assert root.get_element_by_id("id_text").get("dir") == "auto"
    assert root.get_element_by_id("id_proposed_change").get("dir") == "auto"
