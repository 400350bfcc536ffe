"""Every offered language has a complete catalogue that matches the code, compiled, with its placeholders and markup
intact; pages are served in the language of their address, with the right ``lang`` and ``dir``.

A language is offered (``settings.LANGUAGES``) only once its catalogue is complete: adding one to the setting
without its catalogue, or a new string to a template without translating it in every catalogue (``make messages``
brings it in untranslated), fails here.
"""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from traceability import languages

OFFERED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def catalogue(code: str) -> Path:
    return Path(settings.LOCALE_PATHS[0]) / translation.to_locale(code) / "LC_MESSAGES" / "django.po"


def entries(po: polib.POFile) -> set[tuple[str, str, str]]:
    return {(e.msgctxt or "", e.msgid, e.msgid_plural or "") for e in po if not e.obsolete and e.msgid}


def translations(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def test_the_seven_languages_are_offered():
    assert [code for code, _name in settings.LANGUAGES] == ["en", "fr", "es", "ar", "zh-hans", "ru", "pt-br"]


@pytest.mark.parametrize("code", OFFERED)
def test_an_offered_language_has_every_string_translated(code):
    po = polib.pofile(str(catalogue(code)))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []  # gettext ignores fuzzy entries: they would show in English
    assert all(text.strip() for e in po if not e.obsolete for text in translations(e))


@pytest.mark.parametrize("code", OFFERED)
def test_translations_keep_the_placeholders_and_the_markup(code):
    po = polib.pofile(str(catalogue(code)))
    for entry in po:
        wanted = set(PLACEHOLDER.findall(entry.msgid)) | set(PLACEHOLDER.findall(entry.msgid_plural or ""))
        tags = sorted(TAG.findall(entry.msgid))
        for text in translations(entry):
            # A placeholder the original lacks would raise when the string is formatted: a 500 in that language.
            assert set(PLACEHOLDER.findall(text)) <= wanted, (entry.msgid, text)
            if not entry.msgid_plural:  # a plural form may leave the number out ("un seul", "واحد")
                assert set(PLACEHOLDER.findall(text)) == wanted, (entry.msgid, text)
            assert sorted(TAG.findall(text)) == tags, (entry.msgid, text)


@pytest.mark.parametrize("code", OFFERED)
def test_the_compiled_catalogue_is_up_to_date(code):
    """The .mo files are committed (serving needs no gettext): each says what its .po says."""
    po = polib.pofile(str(catalogue(code)))
    mo = polib.mofile(str(catalogue(code).with_suffix(".mo")))
    compiled = {(e.msgctxt or "", e.msgid): translations(e) for e in mo if e.msgid}
    written = {(e.msgctxt or "", e.msgid): translations(e) for e in po if not e.obsolete and e.msgid}
    assert compiled == written, "run `make messages`"


def test_every_catalogue_holds_exactly_the_strings_of_the_code(tmp_path, monkeypatch):
    """Extracts the strings afresh (as `make messages` does, with GNU gettext's xgettext) and compares: a string
    added to, changed in or removed from the code without `make messages` fails here. The extraction runs on a
    copy of the code, whose locale/ is empty: makemessages writes into the locale/ beside the files it reads."""
    for part in ("templates", "traceability"):
        shutil.copytree(settings.BASE_DIR / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "locale").mkdir()
    monkeypatch.chdir(tmp_path)
    with override_settings(LOCALE_PATHS=[tmp_path / "locale"]):
        call_command("makemessages", locale=["xx"], verbosity=0)
    fresh = entries(polib.pofile(str(tmp_path / "locale" / "xx" / "LC_MESSAGES" / "django.po")))
    assert len(fresh) > 1000
    for code in OFFERED:
        held = entries(polib.pofile(str(catalogue(code))))
        assert fresh - held == set(), f"{code}: strings missing from the catalogue; run `make messages`"
        assert held - fresh == set(), f"{code}: strings no longer in the code; run `make messages`"


@pytest.mark.parametrize(
    ("code", "direction", "sample"),
    [
        ("fr", "ltr", "Processus"),
        ("es", "ltr", "Procesos"),
        ("ar", "rtl", "العمليات"),
        ("zh-hans", "ltr", "进程"),
        ("ru", "ltr", "Процессы"),
        ("pt-br", "ltr", "Processos"),
    ],
)
def test_a_page_is_served_in_the_language_of_its_address(anon_client, process, code, direction, sample):
    with translation.override(code):
        url = reverse("consultations:process-list")
    assert url.startswith(f"/{code}/")
    page = anon_client.get(url).content.decode()
    assert f'<html lang="{code}" dir="{direction}">' in page
    assert sample in page
    assert "bootstrap.rtl.min.css" in page if direction == "rtl" else "bootstrap.min.css" in page


@pytest.mark.parametrize(
    ("code", "day", "to_the_second"),
    [
        ("en", "30 November 2026", "30 November 2026, 14:05:09 UTC"),
        ("fr", "30 novembre 2026", "30 novembre 2026 14:05:09 UTC"),
        ("es", "30 de noviembre de 2026", "30 de noviembre de 2026 a las 14:05:09 UTC"),
        ("ar", "30 نوفمبر، 2026", "30 نوفمبر، 2026، 14:05:09 UTC"),
        ("zh-hans", "2026年11月30日", "2026年11月30日 14:05:09 UTC"),
        ("ru", "30 ноября 2026 г.", "30 ноября 2026 г. 14:05:09 UTC"),
    ],
)
def test_dates_are_written_the_way_each_language_writes_them(code, day, to_the_second):
    moment = datetime(2026, 11, 30, 14, 5, 9, 123456, tzinfo=UTC)
    with translation.override(code):
        assert languages.when(moment, public=True) == day
        assert languages.when_to_the_second(moment) == to_the_second


def test_default_group_names_are_shown_in_the_readers_language_and_given_ones_as_written(anon_client, process):
    groups = process.groups.order_by("position")
    assert groups[0].name == "Government"  # stored in English, whatever the organiser's language
    renamed = groups[1]
    renamed.name = "Youth caucus"
    renamed.save()
    with translation.override("fr"):
        page = anon_client.get(reverse("consultations:process-detail", args=[process.slug])).content.decode()
    assert '<li dir="auto">Gouvernements</li>' in page
    assert '<li dir="auto">Youth caucus</li>' in page
    assert "Government" not in page


def report_in(code: str, process) -> str:
    with translation.override(code):
        return reverse("reports:report", args=[process.slug])


def test_language_in_the_query_opens_the_same_page_in_that_language_and_is_remembered(anon_client, process):
    response = anon_client.get(report_in("en", process), {"status": "excluded", "language": "fr"})
    assert response.status_code == 302
    assert response["Location"] == report_in("fr", process) + "?status=excluded"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fr"
    # An address without a language then opens in the remembered one.
    bare = anon_client.get(f"/processes/{process.slug}/report/")
    assert bare.status_code == 302 and bare["Location"] == report_in("fr", process)
    # An unknown language is ignored; a form's POST is never redirected by it.
    assert anon_client.get(report_in("en", process), {"language": "xx"}).status_code == 200


def test_reading_a_page_in_a_language_remembers_it(anon_client, process):
    response = anon_client.get(report_in("ar", process))
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ar"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME]["samesite"] == "Lax"
    assert anon_client.get("/")["Location"] == "/ar/"


@pytest.mark.parametrize("path", ["/%2Fevil.example/", "/%2F%2Fevil.example/x/", "/en/%2Fevil.example/"])
def test_the_language_redirect_stays_on_this_site(anon_client, path):
    location = anon_client.get(path, {"language": "fr"})["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location
    assert urlsplit(location).netloc == ""
    if not path.startswith("/en/"):
        assert location == "/fr/"  # no page of the site: the home page in that language


def test_the_switcher_links_to_this_page_in_every_language_keeping_the_filters(anon_client, process):
    page = anon_client.get(report_in("en", process), {"status": "excluded"}).content.decode()
    for code, _name in settings.LANGUAGES:
        link = (report_in(code, process) + "?status=excluded").replace("&", "&amp;")
        assert f'<a href="{link}" hreflang="{code}" lang="{code}"' in page, code
    assert 'aria-current="page">English</a>' in page


def test_on_a_page_not_found_the_switcher_gives_the_same_address_in_each_language(anon_client):
    response = anon_client.get("/fr/no-such-page/?x=1")
    assert response.status_code == 404
    page = response.content.decode()
    assert 'lang="fr"' in page
    for code, _name in settings.LANGUAGES:
        assert f'<a href="/{code}/no-such-page/?x=1" hreflang="{code}"' in page, code
    arabic = anon_client.get("/ar/no-such-page/?x=1")
    assert arabic.status_code == 404 and '<html lang="ar" dir="rtl">' in arabic.content.decode()


def test_pages_are_compressed_and_downloads_are_not(anon_client, process):
    page = anon_client.get(report_in("en", process), HTTP_ACCEPT_ENCODING="gzip")
    assert page["Content-Encoding"] == "gzip"
    with translation.override("en"):
        csv = anon_client.get(reverse("reports:mapping-csv", args=[process.slug]), HTTP_ACCEPT_ENCODING="gzip")
    assert csv.status_code == 200 and not csv.has_header("Content-Encoding")
