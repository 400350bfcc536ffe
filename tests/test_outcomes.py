"""Organisers import the outcome document; the public reads it clause by clause."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from traceability.outcomes.models import Clause, DocumentVersion

from .factories import DOCUMENT


def import_url(process) -> str:
    return reverse("outcomes:import", args=[process.slug])


def test_pasted_markdown_becomes_a_version_with_a_clause_tree(organiser_client, process):
    response = organiser_client.post(import_url(process), {"label": "Zero draft", "status": "draft", "text": DOCUMENT})
    assert response.status_code == 302
    version = DocumentVersion.objects.get(process=process)
    assert version.number == 1 and version.source == DOCUMENT.strip()
    sub = Clause.objects.get(version=version, eid="para_2__subpara_a")
    assert sub.label == "2(a)" and sub.parent.label == "2" and sub.parent.parent.heading == "Scope"


def test_uploaded_file_is_imported_and_versions_count_up(organiser_client, process):
    organiser_client.post(import_url(process), {"label": "Zero draft", "status": "draft", "text": DOCUMENT})
    upload = SimpleUploadedFile(
        "final.md", DOCUMENT.replace("Inclusion", "Inclusion, in full").encode(), "text/markdown"
    )
    response = organiser_client.post(import_url(process), {"label": "Final", "status": "final", "upload": upload})
    assert response.status_code == 302
    assert list(DocumentVersion.objects.filter(process=process).values_list("number", "label")) == [
        (2, "Final"),
        (1, "Zero draft"),
    ]
    # The second version waits for its matching to be reviewed: the public still reads the first.
    assert response["Location"] == reverse("outcomes:matching", args=[process.slug, 2])
    page = organiser_client.get(reverse("outcomes:document", args=[process.slug])).content.decode()
    assert "Inclusion, in full" not in page
    organiser_client.post(reverse("dispositions:adopt", args=[process.slug, 2]))
    page = organiser_client.get(reverse("outcomes:document", args=[process.slug])).content.decode()
    assert "Inclusion, in full" in page
    older = organiser_client.get(reverse("outcomes:document", args=[process.slug]), {"version": 1}).content.decode()
    assert "Inclusion, in full" not in older


def test_pasting_and_uploading_at_once_is_refused(organiser_client, process):
    upload = SimpleUploadedFile("doc.md", DOCUMENT.encode(), "text/markdown")
    response = organiser_client.post(
        import_url(process), {"label": "X", "status": "draft", "text": DOCUMENT, "upload": upload}
    )
    assert "not both" in response.content.decode()
    assert not DocumentVersion.objects.exists()


def test_unknown_version_is_a_404_with_a_message(anon_client, process):
    response = anon_client.get(reverse("outcomes:document", args=[process.slug]), {"version": "7"})
    assert response.status_code == 404
    assert "There is no version 7" in response.content.decode()


@pytest.mark.parametrize(
    ("document_language", "page_language", "source", "preamble"),
    [
        # A French document imported by an organiser reading the site in Arabic: the document's language.
        ("fr", "ar", "Nous, participants, convenons de ce qui suit.\n\n1. Les projets sont publics.\n", "Préambule"),
        # A variant: Portuguese is written in Brazilian Portuguese's catalogue.
        ("pt", "en", "Nós, participantes, acordamos o seguinte.\n\n1. Os rascunhos são públicos.\n", "Preâmbulo"),
        # A language Trace has no catalogue for: the site's language, not the importer's (French here).
        ("sw", "fr", "Sisi washiriki tunakubaliana.\n\n1. Rasimu ni za umma.\n", "Preamble"),
    ],
)
def test_labels_the_importer_does_not_write_are_in_the_documents_language(
    organiser_client, process, document_language, page_language, source, preamble
):
    """The parser names text before the first clause "Preamble": a label of the document, so in the document's
    language (the process's original language), whichever language the organiser reads the site in."""
    process.original_language = document_language
    process.save()
    response = organiser_client.post(
        f"/{page_language}/processes/{process.slug}/workspace/document/import/",
        {"label": "Zero", "status": "draft", "text": source},
    )
    assert response.status_code == 302, response.content.decode()
    labels = list(Clause.objects.filter(version__process=process).order_by("position").values_list("label", flat=True))
    assert labels == [preamble, "1"]
