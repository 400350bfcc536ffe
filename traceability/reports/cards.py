"""The headline indicators as the report shows them: value, detail, definition.

The definitions live here once and serve both the report and the methodology page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, npgettext

from .indicators import Indicators, Interaction

DEFINITIONS: dict[str, tuple[Promise, Promise, Promise]] = {
    # key: (name, formula, explanation)
    "coverage": (
        _("Coverage"),
        _("dispositioned ÷ submitted"),
        _(
            "Submissions with a released decision (reflected, excluded or not taken up) divided by all submissions. "
            "Withdrawn "
            "submissions are left out of both. Pending submissions are the gap: a report is complete at 100%."
        ),
    ),
    "uptake": (
        _("Uptake"),
        _("reflected ÷ dispositioned (fully and partly also apart)"),
        _(
            "Submissions reflected in at least one clause divided by submissions with a disposition. A submission "
            "counts as reflected fully if any clause reflects it fully, otherwise partly."
        ),
    ),
    "justified-exclusion": (
        _("Justified exclusion"),
        _("exclusions with a legitimate ground and its text ÷ views left out (not taken up included)"),
        _(
            "Only law or public morality justify leaving a view out. An exclusion is legitimate when it rests on a "
            "legal ground with the legal provision cited, or on public morality with a written justification. A "
            "suggestion that was considered and not taken up has a public reason but no legitimate ground, so it "
            "lowers this rate: 100% means every view left out rested on law or public morality."
        ),
    ),
    "uptake-parity": (
        _("Uptake parity"),
        _("lowest group uptake ÷ highest group uptake"),
        _(
            "Computed over the stakeholder groups with at least one dispositioned submission. 1.00 is parity: no "
            "stakeholder group's suggestions are worth more than another's. 0.00 means some group had none taken up."
        ),
    ),
    "participation-balance": (
        _("Participation balance"),
        _("−Σ pᵢ ln pᵢ ÷ ln k"),
        _(
            "Normalised Shannon entropy of submissions across the process's k stakeholder groups, where pᵢ is "
            "group i's share of submissions. 1.00 means every group submitted equally; 0.00 that one group "
            "submitted everything."
        ),
    ),
    "reach": (
        _("Reach"),
        _("distinct countries; distinct organisations"),
        _(
            "Countries and organisations of the submitters as each declared them when submitting. Organisations "
            "are compared ignoring case and surrounding spaces. Those of submitters shown by stakeholder group "
            "only are counted, though not published."
        ),
    ),
    "responsiveness": (
        _("Responsiveness"),
        _("median over dispositioned submissions of (day of first decision − day of close of submissions), in days"),
        _(
            "Counts from the close of submissions to the first decision on each submission; later changes of a "
            "decision do not reset it. Decisions taken before the close count as 0 days. Days are whole calendar "
            "days (UTC), as the downloads give dates to the day."
        ),
    ),
    "after-consultation-interaction": (
        _("After-consultation interaction"),
        _(
            "replied ÷ dispositioned; contested ÷ dispositioned; contests answered ÷ contests; "
            "median (answer − contest), in days"
        ),
        _(
            "Once a decision is public, its submitter may agree with it or contest it, with a reason, within the "
            "process's reply window. The first share counts the dispositioned submissions whose submitter replied "
            "to any of their decisions; the second those whose submitter contested one. Silence is counted as no "
            "reply, never as agreement; while reply windows are open the shares can still grow. Each contest is "
            "answered publicly by the organisers, once; the third share counts the contests answered, the median "
            "the days from a contest to its answer. Every exchange is shown on the submission's trace page."
        ),
    ),
}


@dataclass(frozen=True)
class Card:
    key: str
    value: str
    detail: str = ""
    missing: str = ""

    @property
    def title(self) -> Promise:
        return DEFINITIONS[self.key][0]

    @property
    def formula(self) -> Promise:
        return DEFINITIONS[self.key][1]

    @property
    def definition(self) -> Promise:
        return DEFINITIONS[self.key][2]


def indicator_cards(indicators: Indicators) -> list[Card]:
    totals = indicators.totals
    parity, balance, speed = indicators.parity, indicators.balance, indicators.responsiveness
    coverage, uptake, justified = totals.coverage, totals.uptake, totals.justified_exclusion
    return [
        Card(
            "coverage",
            coverage.percent,
            _("%(n)d of %(m)d submissions dispositioned") % {"n": coverage.numerator, "m": coverage.denominator},
            coverage.missing,
        ),
        Card(
            "uptake",
            uptake.percent,
            _("fully %(full)s, partly %(partial)s")
            % {"full": totals.uptake_full.percent, "partial": totals.uptake_partial.percent},
            uptake.missing,
        ),
        Card(
            "justified-exclusion",
            justified.percent,
            _("%(n)d of %(m)d views left out") % {"n": justified.numerator, "m": justified.denominator},
            justified.missing,
        ),
        Card(
            "uptake-parity",
            parity.display,
            _("lowest: %(low)s; highest: %(high)s") % {"low": parity.lowest_label, "high": parity.highest_label}
            if parity.value is not None
            else "",
            parity.empty_reason,
        ),
        Card(
            "participation-balance",
            balance.display,
            ngettext("across %(k)d stakeholder group", "across %(k)d stakeholder groups", balance.groups)
            % {"k": balance.groups},
            balance.empty_reason,
        ),
        Card(
            "reach",
            str(indicators.countries_reached),
            npgettext("countries reached", "country", "countries", indicators.countries_reached)
            + "; "
            + ngettext("%(n)d organisation", "%(n)d organisations", indicators.organisations_reached)
            % {"n": indicators.organisations_reached},
        ),
        Card(
            "responsiveness",
            speed.display,
            _("median from the close of submissions to a first decision") if speed.median_days is not None else "",
            speed.empty_reason,
        ),
        interaction_card(indicators.interaction),
    ]


def interaction_card(of: Interaction) -> Card:
    replied, contested, answered = of.replied_share, of.contested_share, of.answered_share
    detail = _(
        "%(replied)d of %(decided)d dispositioned submissions got a reply; %(contested)d contested (%(share)s); "
        "%(answered)d of %(contests)d contests answered (%(answered_share)s); median wait for an answer: %(median)s"
    ) % {
        "replied": replied.numerator,
        "decided": replied.denominator,
        "contested": contested.numerator,
        "share": contested.percent,
        "answered": answered.numerator,
        "contests": answered.denominator,
        "answered_share": answered.percent,
        "median": of.median_display,
    }
    return Card(
        "after-consultation-interaction", replied.percent, detail if replied.denominator else "", replied.missing
    )
