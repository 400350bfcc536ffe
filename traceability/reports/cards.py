"""The indicators as the report shows them: value, its n, detail, definition.

The headline cards hold what a reader grasps at once (rates with the numbers they come from); the indices that
sum up the table by stakeholder group in one figure each (parity, balance) sit behind one click, under plain
names. Coverage is the report's first sentence, not a card: once published it is 100% by design.

The definitions live here once and serve both the report and the methodology page.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, npgettext

from traceability import languages

from .indicators import Indicators, Interaction
from .ratio import SMALL_N


@dataclass(frozen=True)
class Definition:
    name: Promise  # as in report.json, the snapshots and the methodology's headings
    formula: Promise
    explanation: Promise
    # For the indices shown behind one click: a name anyone understands, and how to read the value in one line.
    plain_name: Promise | None = None
    reading: Promise | None = None


DEFINITIONS: dict[str, Definition] = {
    "coverage": Definition(
        _("Coverage"),
        _("dispositioned ÷ submitted"),
        _(
            "Submissions with a released decision (reflected, excluded or not taken up) divided by all submissions. "
            "Withdrawn "
            "submissions are left out of both. Pending submissions are the gap: a report is complete at 100%, and "
            "the final report can be published only then. The report gives it in its first sentence."
        ),
    ),
    "uptake": Definition(
        _("Uptake"),
        _("reflected ÷ dispositioned (fully and partly also apart)"),
        _(
            "Submissions reflected in at least one clause divided by submissions with a disposition. A submission "
            "counts as reflected fully if any clause reflects it fully, otherwise partly."
        ),
    ),
    "justified-exclusion": Definition(
        _("Justified exclusion"),
        _("exclusions with a legitimate ground and its text ÷ views left out (not taken up included)"),
        _(
            "Only law or public morality justify leaving a view out. An exclusion is legitimate when it rests on a "
            "legal ground with the legal provision cited, or on public morality with a written justification. A "
            "suggestion that was considered and not taken up has a public reason but no legitimate ground, so it "
            "lowers this rate: 100% means every view left out rested on law or public morality."
        ),
    ),
    "uptake-parity": Definition(
        _("Uptake parity"),
        _("lowest group uptake ÷ highest group uptake"),
        _(
            "Computed over the stakeholder groups with at least one dispositioned submission. 1.00 is parity: no "
            "stakeholder group's suggestions are worth more than another's. 0.00 means some group had none taken up."
        ),
        plain_name=_("Evenness of uptake across groups"),
        reading=_(
            "The least-heard group's uptake ÷ the most-heard group's: 1.00 means equal, 0.00 that one group had "
            "none taken up."
        ),
    ),
    "participation-balance": Definition(
        _("Participation balance"),
        _("−Σ pᵢ ln pᵢ ÷ ln k"),
        _(
            "Normalised Shannon entropy of submissions across the process's k stakeholder groups, where pᵢ is "
            "group i's share of submissions. 1.00 means every group submitted equally; 0.00 that one group "
            "submitted everything."
        ),
        plain_name=_("Evenness of participation across groups"),
        reading=_(
            "How evenly the submissions spread over the stakeholder groups: 1.00 means every group filed as many, "
            "0.00 that one group filed them all."
        ),
    ),
    "reach": Definition(
        _("Reach"),
        _("distinct countries; distinct organisations"),
        _(
            "Countries and organisations of the submitters as each declared them when submitting. Organisations "
            "are compared ignoring case and surrounding spaces. Those of submitters shown by stakeholder group "
            "only are counted, though not published."
        ),
    ),
    "responsiveness": Definition(
        _("Responsiveness"),
        _("median over dispositioned submissions of (day of first decision − day of close of submissions), in days"),
        _(
            "Counts from the close of submissions to the first decision on each submission; later changes of a "
            "decision do not reset it. Decisions taken before the close count as 0 days. Days are whole calendar "
            "days (UTC), as the downloads give dates to the day."
        ),
    ),
    "after-consultation-interaction": Definition(
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


# The flags of a value from few cases; the first is also "In brief"'s.
FEW_DECISIONS = _("Few decisions: read this rate with care.")
FEW_SUBMISSIONS = _("Few submissions: read this figure with care.")
FEW_GROUP_DECISIONS = _("One of the two groups has few decisions: read this figure with care.")


def _flag(small: bool, text: Promise = FEW_DECISIONS) -> Promise | str:
    return text if small else ""


@dataclass(frozen=True)
class Card:
    key: str
    value: str
    n: str = ""  # the numbers the value comes from: "6 of 9 decided submissions reflected"
    detail: str = ""
    missing: str = ""
    flag: Promise | str = ""  # why to read the value with care: it rests on few cases (``Ratio.is_small``)
    # A template that writes the detail instead of ``detail`` (when it names groups, which are the organisers' text).
    detail_template: str = ""
    as_of: str = ""  # when the figures shown are older than the data, while they are read again

    @property
    def definition(self) -> Definition:
        return DEFINITIONS[self.key]

    @property
    def name(self) -> Promise:
        return self.definition.name

    @property
    def title(self) -> Promise:
        return self.definition.plain_name or self.definition.name


def indicator_cards(indicators: Indicators) -> list[Card]:
    """The headline cards: rates, each with its n, and counts."""
    totals = indicators.totals
    speed = indicators.responsiveness
    uptake, justified = totals.uptake, totals.justified_exclusion
    return [
        Card(
            "uptake",
            uptake.percent,
            ngettext(
                "%(n)d of %(m)d decided submission reflected",
                "%(n)d of %(m)d decided submissions reflected",
                uptake.denominator,
            )
            % {"n": uptake.numerator, "m": uptake.denominator}
            if uptake.denominator
            else "",
            _("fully %(full)s, partly %(partial)s")
            % {"full": totals.uptake_full.percent, "partial": totals.uptake_partial.percent}
            if uptake.denominator
            else "",
            uptake.missing,
            _flag(uptake.is_small),
        ),
        Card(
            "justified-exclusion",
            justified.percent,
            ngettext(
                "%(n)d of %(m)d view left out, on a legal or public-morality ground",
                "%(n)d of %(m)d views left out, on a legal or public-morality ground",
                justified.denominator,
            )
            % {"n": justified.numerator, "m": justified.denominator}
            if justified.denominator
            else "",
            ngettext("%(n)d other was not taken up", "%(n)d others were not taken up", totals.not_taken_up)
            % {"n": totals.not_taken_up}
            if totals.not_taken_up
            else "",
            justified.missing,
            _flag(justified.is_small),
        ),
        Card(
            "reach",
            str(indicators.countries_reached),
            detail=npgettext("countries reached", "country", "countries", indicators.countries_reached)
            + "; "
            + ngettext("%(n)d organisation", "%(n)d organisations", indicators.organisations_reached)
            % {"n": indicators.organisations_reached},
        ),
        Card(
            "responsiveness",
            speed.display,
            ngettext(
                "median of %(m)d decided submission, from the close of submissions to its first decision",
                "median of %(m)d decided submissions, from the close of submissions to their first decision",
                speed.decided,
            )
            % {"m": speed.decided}
            if speed.median_days is not None
            else "",
            "",
            speed.empty_reason,
            _flag(speed.median_days is not None and 0 < speed.decided < SMALL_N),
        ),
        interaction_card(indicators.interaction, interaction_as_of(indicators)),
    ]


def interaction_as_of(indicators: Indicators) -> str:
    """What the report says while the interaction it shows is the one read before the last decisions or replies
    (``indicators_for``); nothing when it is current."""
    if indicators.interaction_as_of is None:
        return ""
    return _(
        "These replies and answers are as of %(date)s: the changes since are being counted. Reload the page in a "
        "moment to see them."
    ) % {"date": languages.when(indicators.interaction_as_of)}


def interaction_card(of: Interaction, as_of: str = "") -> Card:
    replied, contested, answered = of.replied_share, of.contested_share, of.answered_share
    if not replied.denominator:
        return Card("after-consultation-interaction", replied.percent, missing=replied.missing, as_of=as_of)
    n = ngettext(
        "%(n)d of %(m)d decided submission got a reply from its submitter",
        "%(n)d of %(m)d decided submissions got a reply from their submitters",
        replied.denominator,
    ) % {"n": replied.numerator, "m": replied.denominator}
    detail = _(
        "%(contested)d contested (%(share)s); %(answered)d of %(contests)d contests answered (%(answered_share)s); "
        "median wait for an answer: %(median)s"
    ) % {
        "contested": contested.numerator,
        "share": contested.percent,
        "answered": answered.numerator,
        "contests": answered.denominator,
        "answered_share": answered.percent,
        "median": of.median_display,
    }
    return Card("after-consultation-interaction", replied.percent, n, detail, flag=_flag(replied.is_small), as_of=as_of)


def evenness_cards(indicators: Indicators) -> list[Card]:
    """The two indices of how evenly the stakeholder groups took part and were heard, shown behind one click."""
    parity, balance = indicators.parity, indicators.balance
    return [
        Card(
            "uptake-parity",
            parity.display,
            missing=parity.empty_reason,
            flag=_flag(parity.is_small, FEW_GROUP_DECISIONS),
            detail_template="reports/includes/parity_detail.html" if parity.value is not None else "",
        ),
        Card(
            "participation-balance",
            balance.display,
            ngettext(
                "%(n)d submission across %(k)d stakeholder groups",
                "%(n)d submissions across %(k)d stakeholder groups",
                balance.submitted,
            )
            % {"n": balance.submitted, "k": balance.groups}
            if balance.value is not None
            else "",
            missing=balance.empty_reason,
            flag=_flag(balance.is_small, FEW_SUBMISSIONS),
        ),
    ]
