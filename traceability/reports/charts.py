"""Server-rendered SVG charts: numbers in, shapes out. No JavaScript."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .indicators import GroupRow

# A bar's length in the SVG's own units: each bar stretches to the width its row leaves (preserveAspectRatio="none"),
# and the names beside the bars are the page's text, so they stay readable however narrow the screen.
BAR_WIDTH = 560

# Segment order, CSS class (colour-blind-safe palette in trace.css) and legend label.
SEGMENTS = (
    ("reflected_full", "seg-full", _("Reflected fully")),
    ("reflected_partial", "seg-partial", _("Reflected partly")),
    ("excluded_legal", "seg-legal", _("Excluded: legal")),
    ("excluded_morality", "seg-morality", _("Excluded: public morality")),
    ("not_taken_up", "seg-not-taken-up", _("Not taken up")),
    ("pending", "seg-pending", _("Pending")),
)


@dataclass(frozen=True)
class Segment:
    css: str
    label: str
    count: int
    x: float
    width: float


@dataclass(frozen=True)
class Bar:
    name: str
    total: int
    segments: list[Segment]


@dataclass(frozen=True)
class StackedBars:
    bars: list[Bar]
    bar_width: int
    legend: list[tuple[str, str]]


def group_bars(groups: list[GroupRow]) -> StackedBars:
    """One bar per stakeholder group, each split into the five outcomes, as shares of the group's submissions."""
    bars = []
    for group in groups:
        total = group.counts.submitted
        x = 0.0
        segments = []
        for field, css, label in SEGMENTS:
            count = getattr(group.counts, field)
            width = BAR_WIDTH * count / total if total else 0.0
            if count:
                segments.append(Segment(css=css, label=str(label), count=count, x=round(x, 2), width=round(width, 2)))
            x += width
        bars.append(Bar(name=group.label, total=total, segments=segments))
    return StackedBars(bars=bars, bar_width=BAR_WIDTH, legend=[(css, str(label)) for _field, css, label in SEGMENTS])
