"""A process's title, summary and descriptions in several languages: each reader gets their language's version when
the organisers gave one, else the original, marked with the language it is written in."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from traceability.consultations import content_languages

from .conftest import client_for


def in_language(code: str, name: str, *args: object) -> str:
    with translation.override(code):
        return reverse(name, args=args)


@pytest.fixture
def translated(process):
    process.title = "Internet governance forum messages"
    process.summary = "What the forum said."
    process.description = "A description written in English."
    process.translations = {"fr": {"title": "Messages du forum sur la gouvernance de l'Internet"}}
    process.full_clean()
    process.save()
    return process


def test_a_process_is_shown_in_the_readers_language_when_given_else_in_the_original_named(anon_client, translated):
    french = anon_client.get(in_language("fr", "consultations:process-detail", translated.slug)).content.decode()
    assert "<h1><bdi>Messages du forum sur la gouvernance de l&#x27;Internet</bdi>" in french
    # The description has no French version: the original, marked as English.
    assert '<div class="submission-text" dir="auto" lang="en">A description written in English.</div>' in french
    arabic = anon_client.get(in_language("ar", "consultations:process-detail", translated.slug)).content.decode()
    assert '<h1><bdi lang="en">Internet governance forum messages</bdi>' in arabic
    home = anon_client.get(in_language("ar", "consultations:process-list")).content.decode()
    assert '<bdi lang="en">Internet governance forum messages</bdi>' in home
    report = anon_client.get(in_language("fr", "reports:report", translated.slug)).content.decode()
    assert "<bdi>Messages du forum sur la gouvernance de l&#x27;Internet</bdi></small></h1>" in report


def test_the_admin_edits_a_process_in_every_language(admin_user, process):
    client = client_for(admin_user)
    url = reverse("admin:consultations_process_change", args=[process.pk])
    page = client.get(url).content.decode()
    assert 'name="translation_fr_title"' in page and 'name="translation_zh_hans_description"' in page
    data = {
        "slug": process.slug,
        "code": process.code,
        "title": process.title,
        "summary": "",
        "description": "",
        "how_to_take_part": "",
        "original_language": "en",
        "opens_at_0": process.opens_at.strftime("%Y-%m-%d"),
        "opens_at_1": process.opens_at.strftime("%H:%M:%S"),
        "closes_at_0": process.closes_at.strftime("%Y-%m-%d"),
        "closes_at_1": process.closes_at.strftime("%H:%M:%S"),
        "response_window_days": "30",
        "group_only_location": "hidden",
        "translation_fr_title": "Le processus",
        "translation_es_description": "La descripción.",
        "groups-TOTAL_FORMS": "0",
        "groups-INITIAL_FORMS": "0",
        "groups-MIN_NUM_FORMS": "0",
        "groups-MAX_NUM_FORMS": "1000",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    process.refresh_from_db()
    assert process.translations == {"fr": {"title": "Le processus"}, "es": {"description": "La descripción."}}
    # A translation into the original language is refused: its texts are the fields above.
    response = client.post(url, {**data, "translation_en_title": "The process"})
    assert response.status_code == 200
    assert "This is the original language: write its texts in the fields above." in response.content.decode()
    process.refresh_from_db()
    assert "en" not in process.translations


def test_translations_are_checked_by_the_model_too(process):
    for bad in ({"de": {"title": "Der Prozess"}}, {"fr": {"slug": "x"}}, {"fr": {"title": "x" * 201}}, ["fr"]):
        process.translations = bad
        with pytest.raises(ValidationError):
            process.full_clean()


def test_the_localised_text_names_the_language_it_is_in(process):
    process.original_language = "es"
    process.translations = {"fr": {"title": "Titre"}}
    assert (process.localised("title", "fr"), process.localised("title", "fr").lang) == ("Titre", "fr")
    assert process.localised("title", "ar").lang == "es"
    assert process.localised("summary", "fr").lang == "es"  # a field not translated
    assert content_languages.name("es") == "Spanish"
