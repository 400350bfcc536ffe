"""The language a submission is written in (chosen, else detected, else the page's), the report's filter by it, and a
process's title and description in several languages."""

from __future__ import annotations

import csv
import io
import re
import statistics
import time
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from traceability.consultations.content_languages import LanguageSource, chinese_script, detect, submission_language
from traceability.consultations.models import Process, Submission
from traceability.consultations.services import (
    SubmissionContent,
    submission_file,
    submission_update,
    submission_withdraw,
)
from traceability.dispositions.services import disposition_exclude
from traceability.reports.models import LanguageTally
from traceability.reports.tallies import differences
from traceability.reports.views import _shared_page_key

from .conftest import client_for
from .factories import file_submission, group_of

FRENCH = (
    "Consulter les communautés dans leur langue",
    "Nous proposons que le texte exige de consulter les communautés concernées dans une langue qu'elles comprennent, "
    "et de publier les documents dans des formats accessibles.",
)
SPANISH = (
    "Plazos realistas",
    "Solicitamos que el texto prevea plazos realistas para las organizaciones pequeñas y las redes comunitarias.",
)
ARABIC = ("إشراك المجتمعات المحلية", "نقترح أن ينص النص صراحة على استشارة المجتمعات المعنية بلغة تفهمها.")
ENGLISH = ("Name every group", "Clause 3 should name all six stakeholder groups, and say how each one is heard.")


def in_language(code: str, name: str, *args: object, query: str = "") -> str:
    with translation.override(code):
        return reverse(name, args=args) + query


def form_data(process: Process, title: str, text: str, **overrides: object) -> dict[str, object]:
    return {
        "title": title,
        "text": text,
        "target_clause": "",
        "proposed_change": "",
        "stakeholder_group": group_of(process).pk,
        "attribution": "name",
        "form_token": str(uuid.uuid4()),
        **overrides,
    }


# ----------------------------------------------------------------------------- detection


def test_detection_recognises_the_language_of_a_text():
    assert detect("\n".join(FRENCH)).code == "fr"
    assert detect("\n".join(SPANISH)).code == "es"
    assert detect("\n".join(ARABIC)).code == "ar"
    assert detect("\n".join(ENGLISH)).code == "en"
    assert detect("Добавить ссылку на права человека в пункте двенадцатом").code == "ru"


def test_chinese_is_told_apart_by_script():
    assert detect("我们建议第十二段明确提及儿童个人数据的保护。").code == "zh-hans"
    assert detect("我們建議第十二段明確提及兒童個人數據的保護。").code == "zh-hant"
    assert chinese_script("数据保护") == "zh-hans" and chinese_script("數據保護") == "zh-hant"


def test_a_text_too_short_or_too_unsure_is_not_decided():
    assert detect("Merci").code == ""
    assert detect("OK 12").code == ""
    assert detect("Data protection").code == ""  # long enough, but the classifier is unsure


def test_a_submission_falls_back_to_the_language_of_the_page_when_the_text_is_too_short_to_tell():
    assert submission_language(title="Merci", text="Oui.", page="es") == ("es", LanguageSource.PAGE)
    assert submission_language(title="Merci", text="Oui.", page="") == ("", LanguageSource.PAGE)
    assert submission_language(title=FRENCH[0], text=FRENCH[1], page="es") == ("fr", LanguageSource.DETECTED)
    # The page's own tag when it is more precise than the detected language.
    portuguese = submission_language(title="Proteção", text="Proteção de dados pessoais das crianças.", page="pt-br")
    assert portuguese == ("pt-br", LanguageSource.DETECTED)
    assert submission_language(title="Merci", text="Oui.", chosen="ar", page="es") == ("ar", LanguageSource.CHOSEN)


def test_detection_is_cheap_and_reads_at_most_a_few_thousand_characters():
    """The figures the intake's cost is told with (run with -s to see them)."""
    detect("warm up")
    page = "\n".join(ENGLISH) * 6  # about 550 characters, a typical submission
    longest = ("\n".join(FRENCH) + " ") * 110  # over the 20,000 characters a submission may have
    timings = {}
    for name, text in (("a typical submission", page), ("the longest", longest[:20000])):
        runs = []
        for _ in range(200):
            started = time.perf_counter()
            submission_language(title="", text=text, page="en")
            runs.append(time.perf_counter() - started)
        timings[name] = statistics.median(runs) * 1000
    print(f"\ndetection, median per submission: {timings}")  # noqa: T201
    assert timings["a typical submission"] < 5 and timings["the longest"] < 10


# ----------------------------------------------------------------------------- filing and editing


def test_filing_a_french_text_records_french_detected(stakeholder_client, process):
    response = stakeholder_client.post(
        in_language("en", "consultations:submission-create", process.slug), form_data(process, *FRENCH)
    )
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert (submission.language, submission.language_source) == ("fr", LanguageSource.DETECTED)
    receipt = stakeholder_client.get(response.url).content.decode()
    assert (
        'data-testid="language">French <span class="small text-body-secondary">(Detected from the text)</span>'
        in receipt
    )
    assert f'<h2 class="h4" dir="auto" lang="fr">{FRENCH[0]}</h2>' in receipt


def test_a_short_text_takes_the_language_of_the_page_it_was_filed_on(stakeholder_client, process):
    stakeholder_client.post(
        in_language("es", "consultations:submission-create", process.slug), form_data(process, "Sí", "Vale.")
    )
    submission = Submission.objects.get()
    assert (submission.language, submission.language_source) == ("es", LanguageSource.PAGE)


def test_the_language_the_author_chooses_wins_over_the_detected_one(stakeholder_client, process):
    form = stakeholder_client.get(in_language("en", "consultations:submission-create", process.slug)).content.decode()
    assert "Language of your submission" in form
    assert '<option value="" selected>Detect it from the text</option>' in form
    assert '<option value="sw">Swahili (Kiswahili)</option>' in form
    stakeholder_client.post(
        in_language("en", "consultations:submission-create", process.slug), form_data(process, *FRENCH, language="ht")
    )
    submission = Submission.objects.get()
    assert (submission.language, submission.language_source) == ("ht", LanguageSource.CHOSEN)


@pytest.mark.parametrize("code", ["xx", "klingon", "FR", "fr-ca", "<script>"])
def test_an_unknown_language_code_is_a_clear_form_error_and_nothing_is_written(stakeholder_client, process, code):
    response = stakeholder_client.post(
        in_language("en", "consultations:submission-create", process.slug), form_data(process, *FRENCH, language=code)
    )
    assert response.status_code == 200
    assert "That is not a language Trace knows. Choose one from the list, or let Trace detect it." in (
        response.content.decode()
    )
    assert not Submission.objects.exists()
    process.refresh_from_db()
    assert process.last_number == 0


def test_the_filing_service_refuses_an_unknown_code_too_and_writes_nothing(stakeholder, process):
    content = SubmissionContent(title=FRENCH[0], text=FRENCH[1], stakeholder_group=group_of(process), language="xx")
    with pytest.raises(ValidationError) as refused:
        submission_file(process=process, author=stakeholder, content=content, form_token=uuid.uuid4())
    assert "language" in refused.value.message_dict
    assert not Submission.objects.exists()
    process.refresh_from_db()
    assert process.last_number == 0


def test_editing_detects_again_unless_the_author_chose_the_language(stakeholder, process):
    detected = file_submission(process, stakeholder, title=ENGLISH[0], text=ENGLISH[1])
    assert detected.language == "en"
    group = group_of(process)
    updated = submission_update(
        submission=detected,
        author=stakeholder,
        content=SubmissionContent(title=SPANISH[0], text=SPANISH[1], stakeholder_group=group),
    )
    assert (updated.language, updated.language_source) == ("es", LanguageSource.DETECTED)

    chosen = file_submission(process, stakeholder, title=ENGLISH[0], text=ENGLISH[1], language="en")
    edit = in_language("en", "consultations:submission-edit", process.slug, chosen.reference)
    page = client_for(stakeholder).get(edit).content.decode()
    assert '<option value="en" selected>English</option>' in page  # shown as chosen
    client_for(stakeholder).post(edit, form_data(process, *SPANISH, language="en", form_token=str(chosen.form_token)))
    chosen.refresh_from_db()
    assert (chosen.language, chosen.language_source, chosen.title) == ("en", LanguageSource.CHOSEN, SPANISH[0])
    assert differences(process.pk) == []


# ----------------------------------------------------------------------------- the public pages


@pytest.fixture
def written(process, stakeholder, other_stakeholder, organiser):
    """Two French, one Spanish, one Arabic, one English and one not recorded; a French one withdrawn, a Spanish one
    withheld (excluded on public morality)."""
    s = {
        "fr": file_submission(process, stakeholder, title=FRENCH[0], text=FRENCH[1]),
        "fr2": file_submission(process, other_stakeholder, title="Un recours simple", text=FRENCH[1]),
        "fr-gone": file_submission(process, other_stakeholder, title="Retiré", text=FRENCH[1]),
        "es": file_submission(process, stakeholder, title=SPANISH[0], text=SPANISH[1]),
        "es-withheld": file_submission(process, other_stakeholder, title="Oculto", text=SPANISH[1]),
        "ar": file_submission(process, stakeholder, title=ARABIC[0], text=ARABIC[1]),
        "en": file_submission(process, stakeholder, title=ENGLISH[0], text=ENGLISH[1]),
    }
    submission_withdraw(submission=s["fr-gone"], author=other_stakeholder)
    disposition_exclude(submission=s["es-withheld"], actor=organiser, ground="public_morality", justification="Insults")
    Submission.objects.filter(pk=s["en"].pk).update(language="")  # filed before languages were recorded
    return s


def references(page: str, process: Process) -> list[str]:
    table = re.search(r'data-testid="submission-table".*?</table>', page, re.DOTALL).group()
    return re.findall(rf">({process.code}-\d{{5}})</a>", table)


def test_the_report_filters_by_language_listing_exactly_those_submissions(anon_client, process, written):
    def filtered(value: str) -> list[str]:
        page = anon_client.get(in_language("en", "reports:report", process.slug, query=f"?written_in={value}"))
        assert page.status_code == 200
        return references(page.content.decode(), process)

    assert filtered("fr") == [written["fr"].reference, written["fr2"].reference]  # not the withdrawn one
    assert filtered("es") == [written["es"].reference]  # not the withheld one
    assert filtered("ar") == [written["ar"].reference]
    assert filtered("und") == [written["en"].reference]
    assert filtered("de") == []
    assert differences(process.pk) == []
    assert dict(LanguageTally.objects.filter(process=process, n__gt=0).values_list("language", "n")) == {
        "fr": 2,
        "es": 1,
        "ar": 1,
        "": 1,
    }


def test_the_filter_offers_the_languages_of_the_process_and_counts_from_the_tally(anon_client, process, written):
    page = anon_client.get(in_language("en", "reports:report", process.slug, query="?written_in=fr")).content.decode()
    options = page.split('name="written_in"')[1].split("</select>")[0]
    assert [line.split('"')[1] for line in options.split("<option value=")[1:]] == ["", "ar", "fr", "es", "und"]
    assert '<option value="fr" selected>French (français)</option>' in options
    assert "<caption>2 matching submissions</caption>" in page
    # A language the process has none in (an old link): still shown, chosen, and nothing listed.
    page = anon_client.get(in_language("en", "reports:report", process.slug, query="?written_in=de")).content.decode()
    assert '<option value="de" selected>German</option>' in page and "<caption>0 matching submissions</caption>" in page


def test_an_unknown_language_in_the_filter_is_a_form_error_not_a_server_error(anon_client, process, written):
    page = anon_client.get(in_language("en", "reports:report", process.slug, query="?written_in=xx%00"))
    assert page.status_code == 200
    assert "That is not a language Trace knows. Choose one from the list." in page.content.decode()
    assert references(page.content.decode(), process) == []


def test_the_page_cache_keeps_a_language_filter_only_for_the_interfaces_languages(process, settings):
    settings.TRACE_REPORT_PAGE_SECONDS = 60
    factory = RequestFactory()

    def key(query: str) -> str | None:
        request = factory.get("/en/processes/x/report/" + query)
        request.user = type("Anonymous", (), {"is_authenticated": False})()
        request._messages = []
        return _shared_page_key(request, process)

    assert key("?written_in=fr") is not None
    assert key("?written_in=und") is not None
    assert key("?written_in=zh-hans") is not None
    assert key("?written_in=xx") is None
    assert key("?written_in=fr&status=reflected") is None
    # A language a text may be in but the interface is not: a real filter, rendered each time, so that a script
    # asking for each of a hundred languages cannot fill the cache with pages that push the others out.
    assert key("?written_in=sw") is None and key("?written_in=de") is None


def test_the_trace_page_and_the_list_name_the_language_and_mark_the_text(anon_client, process, written):
    trace = anon_client.get(written["fr"].get_absolute_url()).content.decode()
    assert '<dd class="col-sm-9" data-testid="language">French</dd>' in trace
    assert f'<span dir="auto" lang="fr">{FRENCH[0]}</span>' in trace
    assert 'class="submission-text border rounded p-3 mb-3" dir="auto" lang="fr">' in trace
    in_french = anon_client.get(in_language("fr", "reports:submission-trace", process.slug, written["fr"].reference))
    assert 'dir="auto" lang="fr"' not in in_french.content.decode()  # the page's own language: <html lang> says it
    # Named in the reader's language (not by Django's i18n filter of the same name, which gives it in English).
    assert '<dd class="col-sm-9" data-testid="language">Français</dd>' in in_french.content.decode()
    in_arabic = anon_client.get(in_language("ar", "reports:submission-trace", process.slug, written["es"].reference))
    assert '<dd class="col-sm-9" data-testid="language">الإسبانية</dd>' in in_arabic.content.decode()
    # A withheld text's language is not told.
    withheld = anon_client.get(written["es-withheld"].get_absolute_url()).content.decode()
    assert 'data-testid="language"' not in withheld
    report = anon_client.get(in_language("en", "reports:report", process.slug)).content.decode()
    assert f'<span dir="auto" lang="ar">{ARABIC[0]}</span>' in report
    assert '<span class="small text-body-secondary text-nowrap">(Arabic)</span>' in report


def test_the_downloads_give_the_language_of_every_public_text(anon_client, process, written):
    response = anon_client.get(reverse("reports:mapping-csv", args=[process.slug]))
    text = b"".join(response.streaming_content) if response.streaming else response.content
    rows = {row["reference"]: row for row in csv.DictReader(io.StringIO(text.decode(), newline=""))}
    assert rows[written["fr"].reference]["language"] == "fr"
    assert rows[written["ar"].reference]["language"] == "ar"
    assert rows[written["en"].reference]["language"] == ""  # not recorded
    assert rows[written["fr-gone"].reference]["language"] == ""  # withdrawn: its words are gone
    assert rows[written["es-withheld"].reference]["language"] == ""  # withheld
