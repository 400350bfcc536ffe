"""A share with its parts."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext, pgettext

# A rate from fewer cases than this is shown with a flag: one more decision would move it by ten points or more.
SMALL_N = 10


@dataclass(frozen=True)
class Ratio:
    """A share with its parts, so that the page can show "n of m" beside the percentage."""

    numerator: int
    denominator: int
    empty_reason: str = ""

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def missing(self) -> str:
        """Why there is no value, or "" when there is one."""
        return self.empty_reason if self.denominator == 0 else ""

    @property
    def is_small(self) -> bool:
        """Whether the rate rests on so few cases that the report flags it (a rate of nothing is "n/a" instead)."""
        return 0 < self.denominator < SMALL_N

    @property
    def percent(self) -> str:
        value = self.value
        return gettext("n/a") if value is None else f"{value * 100:.1f}%"


def days_display(days: float) -> str:
    """A number of days as the report writes it, with one decimal ("4.0 days", "2.5 days"): one message for every
    value, translated in the form a language gives a number with a decimal fraction. A plural chosen by the count
    would not do: Arabic's dual, for instance, is for exactly two days, never for 28.0."""
    return pgettext("a number of days, written with one decimal", "%(days)s days") % {"days": f"{days:.1f}"}
