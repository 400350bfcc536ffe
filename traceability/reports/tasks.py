"""Background tasks of the reports app (Django tasks API: run by whichever backend ``TASKS`` names)."""

from __future__ import annotations

from django_tasks import task
from django_tasks.base import Task, TaskResult

# Counting a report's figures again after a decision (``caching.current_or_kept``) goes before the rest, mail and the
# downloads' builds (minutes for a large spreadsheet): where the backend orders its one queue by priority (the
# database worker, whatever queues it takes), by a higher priority; on RQ, which has none, in a queue of its own that
# the workers name first (``rqworker figures default``, ``settings.TASK_QUEUES``). Chosen when the task is queued, so
# that a backend without that queue refuses it there, where ``current_or_kept`` makes the figures in the request.
FIGURES_QUEUE = "figures"
FIGURES_PRIORITY = 10


def enqueue_figures(figures: Task, *args: object) -> TaskResult:
    if figures.get_backend().supports_priority:
        return figures.using(priority=FIGURES_PRIORITY).enqueue(*args)
    return figures.using(queue_name=FIGURES_QUEUE).enqueue(*args)


@task()
def build_export(export_id: int) -> str:
    """Build one download of one version of a process's data (see ``exports/builds.py``); returns the state
    it ended in."""
    from .exports.builds import export_build

    return export_build(export_id=export_id)


@task()
def refresh_clause_table(
    process_id: int, version_id: int, round_number: int | None, per_page: int, page: int, language: str
) -> bool:
    """Render the report's "by clause" table again after a decision (see ``clause_table.clause_table``)."""
    from .clause_table import remake

    return remake(process_id, version_id, round_number, per_page, page, language)


@task()
def refresh_clause_rows(process_id: int, version_id: int) -> bool:
    """Count the clauses' aggregates again after a decision (see ``builder.clause_rows``; report.json)."""
    from .builder import remake_clause_rows

    return remake_clause_rows(process_id, version_id)


@task()
def refresh_redline_links(process_id: int, ids: list[int]) -> bool:
    """Read the links of a page of the redline again after a decision (see ``selectors.submissions_by_identity``)."""
    from .selectors import remake_redline_links

    return remake_redline_links(process_id, ids)


@task()
def refresh_interaction(process_id: int, round_number: int | None) -> bool:
    """Read the after-consultation interaction again after a decision or a reply (see ``indicators.indicators_for``)."""
    from .indicators import remake_interaction

    return remake_interaction(process_id, round_number)
