"""Panels that apps above ``reports`` add to the report page, without ``reports`` importing them.

An app registers a function at start-up (in its ``AppConfig.ready``); the report view calls each one with
the process and the stats_version the page's numbers were computed from. A function returns ``None`` (no
panel) or a dict with the ``template`` to include and its context; the template reads it as ``panel``.
Each function must cost a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable

from traceability.consultations.models import Process

ReportPanel = Callable[[Process, int], dict[str, object] | None]

_PANELS: list[ReportPanel] = []


def register_report_panel(panel: ReportPanel) -> None:
    if panel not in _PANELS:
        _PANELS.append(panel)


def report_panels(process: Process, stats_version: int) -> list[dict[str, object]]:
    return [shown for panel in _PANELS if (shown := panel(process, stats_version)) is not None]
