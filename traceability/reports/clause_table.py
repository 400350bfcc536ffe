"""The report's "by clause" table, rendered once per data version and language, and made again in the background
after a decision (see ``caching.current_or_kept``)."""

from __future__ import annotations

from datetime import datetime

from django.core.paginator import Page, Paginator
from django.template.loader import render_to_string
from django.utils import translation

from traceability.consultations.models import CommentRound, Process, StakeholderGroup, group_label
from traceability.outcomes.models import DocumentVersion

from .caching import process_figures, process_key
from .caching import remake as remake_kept
from .selectors import group_clause_links, process_and_round, report_clauses

# The clause table is rendered once per data version and kept this long (its key changes with the data, so this
# bounds only how long an unused rendering stays in the cache).
CLAUSE_TABLE_SECONDS = 3600


def _key(process: Process, version_id: int, round_number: int | None, per_page: int, page: int, language: str) -> str:
    scope = round_number if round_number is not None else "all"
    return process_key(process, "clause-table", "v3", process.slug, version_id, scope, per_page, page, language)


def _render(
    process: Process,
    version: DocumentVersion,
    clause_page: Page,
    groups: list[tuple[int, str]],
    comment_round: CommentRound | None,
) -> str:
    group_clause_links(process, list(clause_page), groups, comment_round)
    return render_to_string("reports/includes/clause_table.html", {"version": version, "clause_page": clause_page})


def clause_table(
    process: Process,
    version: DocumentVersion,
    clause_page: Page,
    groups: list[tuple[int, str]],
    comment_round: CommentRound | None,
) -> tuple[str, datetime | None]:
    """The "by clause" table of one page of clauses, as HTML, and ``None``; or, after a decision, the table as it
    was and when it was made, while a background task makes it again. Half of the report's HTML, and of its
    rendering time; its figures read every current link of the process (seconds at a million decided
    submissions). Rendered without the request: nothing of the reader (session, CSRF token) can enter what every
    reader gets.

    Its figures change only with a decision, a withdrawal, an edit or a new version, which all bump
    ``stats_version``; never with a filing."""
    from .tasks import enqueue_figures, refresh_clause_table

    round_number = comment_round.number if comment_round is not None else None
    per_page, page, language = clause_page.paginator.per_page, clause_page.number, translation.get_language()
    return process_figures(
        process,
        _key(process, version.pk, round_number, per_page, page, language),
        lambda: _render(process, version, clause_page, groups, comment_round),
        CLAUSE_TABLE_SECONDS,
        refresh=lambda: enqueue_figures(
            refresh_clause_table, process.pk, version.pk, round_number, per_page, page, language
        ),
    )


def remake(process_id: int, version_id: int, round_number: int | None, per_page: int, page: int, language: str) -> bool:
    """Render the table again as the data is now and keep it (the background task of ``clause_table``). False
    when its process, version or round is gone."""
    found = process_and_round(process_id, round_number)
    version = DocumentVersion.objects.filter(pk=version_id, process_id=process_id).first()
    if found is None or version is None:
        return False
    process, comment_round = found
    version.process = process

    def render() -> str:
        with translation.override(language):
            clause_page = Paginator(list(report_clauses(version)), per_page).get_page(page)
            groups = [
                (group.pk, group_label(group.name, group.kind))
                for group in StakeholderGroup.objects.filter(process=process).order_by("position", "pk")
            ]
            return _render(process, version, clause_page, groups, comment_round)

    key = _key(process, version_id, round_number, per_page, page, language)
    remake_kept(key, process.stats_version, render, CLAUSE_TABLE_SECONDS)
    return True
