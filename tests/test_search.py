"""Full-text search (consultations.search): the same cases on SQLite (FTS5) and PostgreSQL (tsvector + GIN).

Where the two engines differ, the test says how, for the engine it runs on: PostgreSQL stems by the
submission's language and does not fold accents; SQLite folds accents and does not stem."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.sql import emit_pre_migrate_signal
from django.db import connection
from django.utils import translation

from traceability.consultations.content_languages import page_language
from traceability.consultations.models import Submission
from traceability.consultations.search import (
    MAX_WORDS,
    matching,
    rebuild_search_index,
    search_ensure,
    search_present,
    search_triggers_drop,
    words,
)
from traceability.consultations.services import submission_withdraw
from traceability.reports.tallies import differences

from .factories import file_submission, make_process

POSTGRESQL = connection.vendor == "postgresql"


def found(process, term: str, *, public: bool = True) -> set[str]:
    return set(
        matching(Submission.objects.filter(process=process), term, public=public).values_list("title", flat=True)
    )


@pytest.fixture
def texts(process, stakeholder):
    file_submission(process, stakeholder, title="Water", text="Access to clean water for rural communities.")
    file_submission(process, stakeholder, title="Broadband", text="Community networks need spectrum, not licences.")
    file_submission(process, stakeholder, title="Language", text="Translate the report into every official language.")
    with translation.override("fr"):
        file_submission(process, stakeholder, title="Politique", text="Une politique de développement durable.")
    with translation.override("es"):
        file_submission(process, stakeholder, title="Redes", text="Las redes comunitarias necesitan espectro.")
    return process


def test_every_word_must_match_in_any_order_whatever_the_case(texts):
    assert found(texts, "water") == {"Water"}
    assert found(texts, "CLEAN Water") == {"Water"}
    assert found(texts, "communities water rural") == {"Water"}
    assert found(texts, "water spectrum") == set()
    assert found(texts, "spectrum") == {"Broadband"}


def test_whole_words_only_never_parts_of_words(texts):
    assert found(texts, "lang") == set()
    assert found(texts, "spec") == set()


def test_stop_words_are_words_too(texts):
    # "the" is a stop word of English: the simple vector still holds it.
    assert found(texts, "the report") == {"Language"}
    assert found(texts, "to") == {"Water"}


def test_stemming_by_the_submissions_language_on_postgresql_only(texts):
    if POSTGRESQL:
        assert found(texts, "languages") == {"Language"}  # English stemming
        assert found(texts, "politiques") == {"Politique"}  # French stemming of a French submission
        assert found(texts, "comunitaria") == {"Redes"}  # Spanish
    else:
        # SQLite's unicode61 tokenizer does not stem: the exact words only.
        assert found(texts, "languages") == set()
        assert found(texts, "politiques") == set()
    assert found(texts, "language") == {"Language"}
    assert found(texts, "politique") == {"Politique"}


def test_accents_fold_on_sqlite_only(texts):
    assert found(texts, "développement") == {"Politique"}
    assert found(texts, "DÉVELOPPEMENT durable") == {"Politique"}
    # PostgreSQL's configurations keep accents (no unaccent dictionary); SQLite removes diacritics.
    assert found(texts, "developpement") == (set() if POSTGRESQL else {"Politique"})


def test_an_exact_reference_matches_whatever_the_case(texts):
    water = Submission.objects.get(process=texts, title="Water")
    assert found(texts, water.reference) == {"Water"}
    assert found(texts, water.reference.lower()) == {"Water"}
    assert found(texts, f"  {water.reference}  ") == {"Water"}


def test_the_words_of_withdrawn_and_withheld_submissions_never_match_in_public(texts, stakeholder):
    gone = file_submission(texts, stakeholder, title="Gone", text="Second thoughts about moorland.")
    submission_withdraw(submission=gone, author=stakeholder)
    hidden = file_submission(texts, stakeholder, title="Hidden", text="Offensive moorland words.")
    Submission.objects.filter(pk=hidden.pk).update(withheld=True)
    assert found(texts, "moorland") == set()
    assert found(texts, gone.reference) == {"Gone"} and found(texts, hidden.reference) == {"Hidden"}
    # Organisers' pages search every submission's words.
    assert found(texts, "moorland", public=False) == {"Gone", "Hidden"}


@pytest.mark.parametrize(
    "term",
    [
        '"water',
        "water\"'",
        '"water"',
        "-water",
        "water*",
        "^water",
        "(water",
        "{water}:",
        "water & | ! <-> :*",
        "\x00water\x00",
        "water'; --",
        "%_\\water",
    ],
)
def test_query_syntax_around_a_word_is_just_punctuation(texts, term):
    assert found(texts, term) == {"Water"}


def test_query_operators_are_just_words(texts):
    assert found(texts, "water OR spectrum") == set()  # not an OR: every word must match
    assert found(texts, "NOT spectrum") == {"Broadband"}  # "not licences": "not" is a word there
    assert found(texts, "NEAR(water rural)") == set()
    assert found(texts, "title:water") == set()
    assert found(texts, "'; DROP TABLE consultations_submission; --") == set()
    assert Submission.objects.filter(process=texts).count() == 5


@pytest.mark.parametrize("term", ["!!!", "   ", "\x00", "🙂", "-", '""', "*", "x" * 10_000, "water " * 5_000])
def test_any_term_gives_an_answer_never_an_error(texts, term):
    assert isinstance(found(texts, term), set)


def test_a_term_is_cut_into_words_and_capped():
    assert words("Don't stop—the e-mail's 2nd test_case") == [
        "Don",
        "t",
        "stop",
        "the",
        "e",
        "mail",
        "s",
        "2nd",
        "test",
        "case",
    ]
    assert words("e\u0301cole") == ["école"]  # combining accent kept with its letter
    assert len(words("a " * 1000)) == MAX_WORDS


def test_edits_are_searched_at_once(texts):
    water = Submission.objects.get(process=texts, title="Water")
    water.text = "Irrigation for farmers."
    water.save()
    assert found(texts, "irrigation") == {"Water"}
    assert found(texts, "rural") == set()
    water.delete()
    assert found(texts, "irrigation") == set()


def test_a_text_too_short_to_tell_is_taken_to_be_in_the_pages_language_when_it_is_offered(process, stakeholder):
    with translation.override("fr"):
        assert page_language() == "fr"
        assert file_submission(process, stakeholder, title="OK", text="Oui.").language == "fr"
    with translation.override("fr-ca"):
        assert page_language() == "fr"
    with translation.override("de"):  # not one of settings.LANGUAGES
        assert page_language() == ""


def test_the_search_triggers_are_made_again_by_migrate_and_the_index_catches_up(texts):
    water = Submission.objects.get(process=texts, title="Water")
    search_triggers_drop(connection)
    assert not all(search_present(connection).values())
    # A change while the triggers are missing (as after a SQLite table rebuild): the index does not see it...
    Submission.objects.filter(pk=water.pk).update(text="Desalination plants.")
    assert found(texts, "desalination") == set()
    # ...until migrate re-ensures the triggers (post_migrate) and rebuilds the index.
    call_command("migrate", verbosity=0)
    assert all(search_present(connection).values())
    assert found(texts, "desalination") == {"Water"}
    assert found(texts, "rural") == set()
    # Idempotent: nothing to make the second time.
    assert search_ensure(connection) is False


@pytest.mark.sqlite_only  # PostgreSQL alters tables in place; SQLite rebuilds them
@pytest.mark.django_db(transaction=True)
def test_a_sqlite_table_rebuild_drops_the_triggers_and_migrate_restores_them(stakeholder):
    process = make_process()
    file_submission(process, stakeholder, title="Water", text="Clean water.")
    # What `migrate` does around a migration that alters the table on SQLite: the pre-migrate hooks (the tally
    # triggers, which name this table, are lifted), the table rebuilt, then the post-migrate hooks.
    emit_pre_migrate_signal(0, False, connection.alias)
    with connection.schema_editor() as editor:
        editor._remake_table(Submission)
    assert not all(search_present(connection).values())
    call_command("migrate", verbosity=0)
    assert all(search_present(connection).values())
    assert differences(process.pk) == []  # the tallies' triggers are back, and the counts right
    file_submission(process, stakeholder, title="Wells", text="Deep wells.")
    assert found(process, "wells") == {"Wells"} and found(process, "water") == {"Water"}


def test_rebuild_search_index_after_a_load_with_the_triggers_off(texts, stakeholder):
    other = make_process()
    file_submission(other, stakeholder, title="Elsewhere", text="Fisheries quotas.")
    search_triggers_drop(connection)
    # A bulk load with the triggers off: rows the index does not know yet.
    Submission.objects.filter(process=texts, title="Water").update(text="Solar mini-grids.")
    Submission.objects.filter(process=other).update(text="Coral reefs.")
    if POSTGRESQL:
        rebuild_search_index(texts.pk)  # one process only
        assert found(texts, "solar") == {"Water"}
        assert found(other, "coral") == set()
        rebuild_search_index()
        assert found(other, "coral") == {"Elsewhere"}
    else:
        rebuild_search_index(texts.pk)  # SQLite rebuilds the whole FTS5 index whatever the process
        assert found(texts, "solar") == {"Water"} and found(other, "coral") == {"Elsewhere"}
    assert search_ensure(connection) is True  # the triggers back
    assert all(search_present(connection).values())


@pytest.mark.postgresql_only  # a PostgreSQL planner setting
def test_the_search_vector_is_sampled_widely_enough_for_the_planner(db):
    # Else a word missing from the sample is guessed common and a search with no hit reads every row.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstattarget FROM pg_attribute WHERE attrelid = 'consultations_submission'::regclass "
            "AND attname = 'search_vector'"
        )
        assert cursor.fetchone()[0] == 1000
