"""Background tasks of the reports app (Django tasks API: run by whichever backend ``TASKS`` names)."""

from __future__ import annotations

from django_tasks import task


@task()
def build_export(export_id: int) -> str:
    """Build one download of one version of a process's data (see ``exports/builds.py``); returns the state
    it ended in."""
    from .exports.builds import export_build

    return export_build(export_id=export_id)
