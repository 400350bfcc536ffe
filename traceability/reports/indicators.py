"""The indicators of a multistakeholder process, read from the tallies (``reports.models``).

The counts (overall, per stakeholder group, per country, reach) are read from the tallies, which database
triggers keep equal to a full recount: a few queries over a few thousand rows, whatever the number of
submissions. They are read once per version of the process's data and kept in the shared cache: the version is
the process's ``stats_version``, which every write that changes a decision, a reply, a withdrawal, an edit or an
attribution bumps in its own transaction, with its ``last_number``, which every filing bumps. What needs the
replies' detail (the after-consultation interaction, read from the responses) is kept under ``stats_version`` alone
(a filing does not change it) and read again by a background task after a decision or a reply, while readers get
it as it was, with the time it was read.

``compute`` reads everything afresh; ``compute_from_scan`` is the same report computed by scanning every
submission (the reference the tests and the benchmark compare the tallies with).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime

from django.db.models import BooleanField, Case, Count, FilteredRelation, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce, Lower, Trim
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from traceability.consultations.models import (
    CommentRound,
    Process,
    StakeholderGroup,
    Submission,
    SubmissionStatus,
    group_label,
    public_location_annotations,
    shown_by_name,
)
from traceability.consultations.regions import Region, region_of
from traceability.dispositions.models import Disposition, ExclusionGround, Extent

from .caching import lookup, process_figures, process_key, remake, store
from .interaction import COUNT_NAMES, Interaction, counts_by_group, interaction, median_days_to_answer
from .models import DecisionDayTally, OrganisationTally, Tally
from .ratio import SMALL_N, Ratio, days_display
from .selectors import process_and_round

CACHE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Counts:
    """How the submissions of one stakeholder group (or country, or all) were treated."""

    submitted: int = 0  # active submissions (withdrawn ones are counted apart)
    reflected_full: int = 0
    reflected_partial: int = 0
    excluded_legal: int = 0
    excluded_morality: int = 0
    justified: int = 0  # exclusions with a ground and its citation or justification
    not_taken_up: int = 0  # considered and not adopted: left out without a legitimate ground
    pending: int = 0
    reconfirm: int = 0  # reflected once, but a linked clause changed or went: not uptake until re-confirmed
    withdrawn: int = 0

    @property
    def reflected(self) -> int:
        return self.reflected_full + self.reflected_partial

    @property
    def excluded(self) -> int:
        return self.excluded_legal + self.excluded_morality

    @property
    def left_out(self) -> int:
        """Views left out of the text: excluded on a ground, or not taken up."""
        return self.excluded + self.not_taken_up

    @property
    def dispositioned(self) -> int:
        return self.reflected + self.left_out

    @property
    def coverage(self) -> Ratio:
        return Ratio(self.dispositioned, self.submitted, _("no submissions yet"))

    @property
    def uptake(self) -> Ratio:
        return Ratio(self.reflected, self.dispositioned, _("no submission has a disposition yet"))

    @property
    def uptake_full(self) -> Ratio:
        return Ratio(self.reflected_full, self.dispositioned, _("no submission has a disposition yet"))

    @property
    def uptake_partial(self) -> Ratio:
        return Ratio(self.reflected_partial, self.dispositioned, _("no submission has a disposition yet"))

    @property
    def justified_exclusion(self) -> Ratio:
        return Ratio(self.justified, self.left_out, _("no submission was left out"))

    def plus(self, other: Counts) -> Counts:
        return Counts(**{name: getattr(self, name) + getattr(other, name) for name in COUNT_FIELDS})


COUNT_FIELDS = tuple(Counts.__dataclass_fields__)


@dataclass(frozen=True)
class GroupRow:
    pk: int
    name: str  # as stored: cached figures are shared by every language
    kind: str
    counts: Counts
    interaction: Interaction = Interaction()

    @property
    def label(self) -> str:
        """The group's name in the reader's language (a default group's) or as organisers wrote it."""
        return group_label(self.name, self.kind)


@dataclass(frozen=True)
class CountryRow:
    """One line of the public breakdown by country: a country, a region (submitters shown by group only, when
    the process coarsens their country), "not given", or "not disclosed" (shown by group only)."""

    code: str
    counts: Counts
    region: str = ""
    disclosed: bool = True

    @property
    def name(self) -> str:
        if self.code:
            return countries.name(self.code)
        if self.region:
            return str(Region(self.region).label)
        return str(_("Not given")) if self.disclosed else str(_("Not disclosed"))


@dataclass(frozen=True)
class Parity:
    value: float | None
    lowest: str = ""  # group names as stored; ``lowest_label`` and ``highest_label`` are for readers
    highest: str = ""
    lowest_kind: str = ""
    highest_kind: str = ""
    empty_reason: str = ""
    # The two groups' uptake, with its n: a parity from a group of three decisions is read with care.
    lowest_uptake: Ratio | None = None
    highest_uptake: Ratio | None = None

    @property
    def display(self) -> str:
        return gettext("n/a") if self.value is None else f"{self.value:.2f}"

    @property
    def is_small(self) -> bool:
        """Whether either group's uptake rests on few decisions (see ``Ratio.is_small``)."""
        return any(rate is not None and rate.is_small for rate in (self.lowest_uptake, self.highest_uptake))

    @property
    def lowest_label(self) -> str:
        return group_label(self.lowest, self.lowest_kind)

    @property
    def highest_label(self) -> str:
        return group_label(self.highest, self.highest_kind)


@dataclass(frozen=True)
class Balance:
    value: float | None
    groups: int = 0
    empty_reason: str = ""
    submitted: int = 0  # its n

    @property
    def is_small(self) -> bool:
        return 0 < self.submitted < SMALL_N

    @property
    def display(self) -> str:
        return gettext("n/a") if self.value is None else f"{self.value:.2f}"


@dataclass(frozen=True)
class Responsiveness:
    median_days: float | None
    decided: int = 0
    empty_reason: str = ""

    @property
    def display(self) -> str:
        if self.median_days is None:
            return gettext("n/a")
        return days_display(self.median_days)


@dataclass(frozen=True)
class Indicators:
    totals: Counts
    groups: list[GroupRow]
    countries: list[CountryRow]
    countries_reached: int
    organisations_reached: int
    parity: Parity
    balance: Balance
    responsiveness: Responsiveness
    interaction: Interaction = Interaction()
    # When the interaction is that of an earlier version (while it is read again after a decision or a reply).
    interaction_as_of: datetime | None = None
    computed_at: datetime | None = None
    stats_version: int = 0
    extra: dict[str, object] = field(default_factory=dict)


def _count_annotations(prefix: str, scope: Q | None = None) -> dict[str, Count]:
    """Counts by the submission's status (one column, kept by the services) and its current decision."""
    d = f"{prefix}disposition__"
    status = f"{prefix}status"
    active = ~Q(**{status: SubmissionStatus.WITHDRAWN})
    reflected = Q(**{status: SubmissionStatus.REFLECTED})
    excluded = Q(**{status: SubmissionStatus.EXCLUDED})
    legal = excluded & Q(**{d + "ground": ExclusionGround.LEGAL})
    morality = excluded & Q(**{d + "ground": ExclusionGround.PUBLIC_MORALITY})
    justified = (legal & ~Q(**{d + "legal_provision": ""})) | (morality & ~Q(**{d + "justification": ""}))
    target = f"{prefix}pk" if prefix else "pk"
    counts = {
        "submitted": Count(target, filter=active),
        "reflected_full": Count(target, filter=reflected & Q(**{d + "extent": Extent.FULL})),
        "reflected_partial": Count(target, filter=reflected & Q(**{d + "extent": Extent.PARTIAL})),
        "excluded_legal": Count(target, filter=legal),
        "excluded_morality": Count(target, filter=morality),
        "justified": Count(target, filter=justified),
        "not_taken_up": Count(target, filter=Q(**{status: SubmissionStatus.NOT_TAKEN_UP})),
        "pending": Count(target, filter=Q(**{status: SubmissionStatus.PENDING})),
        "reconfirm": Count(target, filter=Q(**{status: SubmissionStatus.NEEDS_RECONFIRMATION})),
        "withdrawn": Count(target, filter=Q(**{status: SubmissionStatus.WITHDRAWN})),
    }
    if scope is None:
        return counts
    return {name: Count(target, filter=count.filter & scope) for name, count in counts.items()}


def _counts(row: object) -> Counts:
    return Counts(**{name: getattr(row, name) if not isinstance(row, dict) else row[name] for name in COUNT_FIELDS})


def group_rows(process: Process, comment_round: CommentRound | None = None) -> list[GroupRow]:
    """Counts per stakeholder group, in the process's group order (one query)."""
    scope = Q(submissions__round=comment_round) if comment_round is not None else None
    groups = StakeholderGroup.objects.filter(process=process).annotate(**_count_annotations("submissions__", scope))
    return [GroupRow(pk=g.pk, name=g.name, kind=g.kind, counts=_counts(g)) for g in groups.order_by("position", "pk")]


def _submissions(process: Process, comment_round: CommentRound | None) -> QuerySet[Submission]:
    submissions = Submission.objects.filter(process=process)
    return submissions if comment_round is None else submissions.filter(round=comment_round)


def country_rows(process: Process, comment_round: CommentRound | None = None) -> list[CountryRow]:
    """Counts per country of the submitters, most submissions first (one query).

    Only submissions shown by name are counted under their country; the others (shown by stakeholder
    group only, withdrawn, withheld, or of a deleted account) under "not disclosed", or under their region
    when the process coarsens to regions. The country never leaves the database for them."""
    disclosed = Case(When(shown_by_name(), then=Value(True)), default=Value(False), output_field=BooleanField())
    rows = (
        _submissions(process, comment_round)
        .annotate(**public_location_annotations(process), disclosed=disclosed)
        .values("public_country", "public_region", "disclosed")
        .annotate(**_count_annotations(""))
        .order_by()
    )
    # A few hundred aggregate rows at most: most submissions first, then countries by code, then regions,
    # then "not given" and "not disclosed".
    rows = sorted(
        rows,
        key=lambda row: (
            -row["submitted"],
            not row["public_country"],
            row["public_country"],
            not row["public_region"],
            row["public_region"],
            not row["disclosed"],
        ),
    )
    return [
        CountryRow(
            code=row["public_country"],
            region=row["public_region"],
            disclosed=bool(row["disclosed"]),
            counts=_counts(row),
        )
        for row in rows
    ]


def reach(process: Process, comment_round: CommentRound | None = None) -> dict[str, int]:
    """Distinct countries and organisations among active submissions (one query)."""
    return (
        _submissions(process, comment_round)
        .active()
        .annotate(organisation_key=Lower(Trim("organisation")))
        .aggregate(
            countries=Count("country", distinct=True, filter=~Q(country="")),
            organisations=Count("organisation_key", distinct=True, filter=~Q(organisation_key="")),
        )
    )


def uptake_parity(groups: list[GroupRow]) -> Parity:
    """Lowest group uptake divided by the highest, over groups with at least one decision."""
    rated = [(g.counts.uptake.value, g) for g in groups if g.counts.dispositioned]
    if len(rated) < 2:
        return Parity(None, empty_reason=_("fewer than two stakeholder groups have decided submissions"))
    # On a tie, the group that comes first in the process's order of groups is named.
    low = min(rated, key=lambda rate: rate[0])
    high = max(rated, key=lambda rate: rate[0])
    if high[0] == 0:
        return Parity(None, empty_reason=_("no submission of any group was reflected"))
    lowest, highest = low[1], high[1]
    return Parity(
        low[0] / high[0],
        lowest=lowest.name,
        highest=highest.name,
        lowest_kind=lowest.kind,
        highest_kind=highest.kind,
        lowest_uptake=lowest.counts.uptake,
        highest_uptake=highest.counts.uptake,
    )


def participation_balance(groups: list[GroupRow]) -> Balance:
    """Shannon entropy of submissions across all the process's groups, divided by its maximum (ln k)."""
    k = len(groups)
    total = sum(g.counts.submitted for g in groups)
    if k < 2:
        return Balance(None, k, _("the process has fewer than two stakeholder groups"))
    if total == 0:
        return Balance(None, k, _("no submissions yet"))
    entropy = -sum((n / total) * math.log(n / total) for n in (g.counts.submitted for g in groups) if n)
    return Balance(entropy / math.log(k), k, submitted=total)


def responsiveness(process: Process, decided: int, comment_round: CommentRound | None = None) -> Responsiveness:
    """Median days from the close of submissions to a submission's first decision (one query).

    Days are calendar days in UTC, from the day of the close to the day of the decision; decisions taken
    before the close count as 0 days. The median is read in SQL
    by ordering the first-decision times and taking the middle one (or two).
    """
    closes_at = comment_round.closes_at if comment_round is not None else process.closes_at
    if closes_at is None:
        return Responsiveness(None, decided, _("the process has no closing date"))
    if decided == 0:
        return Responsiveness(None, 0, _("no submission has a disposition yet"))
    dispositions = Disposition.objects.filter(
        submission__process=process, submission__status__in=SubmissionStatus.decided()
    )
    if comment_round is not None:
        dispositions = dispositions.filter(submission__round=comment_round)
    times = list(
        dispositions.order_by("first_decided_at").values_list("first_decided_at", flat=True)[
            (decided - 1) // 2 : decided // 2 + 1
        ]
    )
    # Whole days, by the calendar in UTC: public downloads give times to the day only (a submitter's
    # exact time may identify them), and anyone must be able to recompute this from them.
    closed_on = closes_at.astimezone(UTC).date()
    days = [float(max(0, (t.astimezone(UTC).date() - closed_on).days)) for t in times]
    return Responsiveness(sum(days) / len(days), decided)


def compute_from_scan(process: Process, comment_round: CommentRound | None = None) -> Indicators:
    """Every indicator by scanning the submissions (the reference for the tallies; seconds at a million)."""
    groups = group_rows(process, comment_round)
    totals = Counts()
    for group in groups:  # a handful of aggregate rows, not submissions
        totals = totals.plus(group.counts)
    reached = reach(process, comment_round)
    overall, by_group = interaction(process, {g.pk: g.counts.dispositioned for g in groups}, comment_round)
    groups = [replace(group, interaction=by_group[group.pk]) for group in groups]
    return Indicators(
        totals=totals,
        groups=groups,
        interaction=overall,
        countries=country_rows(process, comment_round),
        countries_reached=reached["countries"],
        organisations_reached=reached["organisations"],
        parity=uptake_parity(groups),
        balance=participation_balance(groups),
        responsiveness=responsiveness(process, totals.dispositioned, comment_round),
        computed_at=timezone.now(),
        stats_version=process.stats_version,
    )


# ----------------------------------------------------------------------------- from the tallies


def _tally_sums(prefix: str = "") -> dict[str, Coalesce]:
    """``Counts`` as sums over tally rows (``prefix``: the relation to the tally, when read through a join)."""

    def q(**lookups: object) -> Q:
        return Q(**{prefix + name: value for name, value in lookups.items()})

    reflected, excluded = q(status=SubmissionStatus.REFLECTED), q(status=SubmissionStatus.EXCLUDED)
    legal = excluded & q(ground=ExclusionGround.LEGAL)
    morality = excluded & q(ground=ExclusionGround.PUBLIC_MORALITY)
    filters = {
        "submitted": ~q(status=SubmissionStatus.WITHDRAWN),
        "reflected_full": reflected & q(extent=Extent.FULL),
        "reflected_partial": reflected & q(extent=Extent.PARTIAL),
        "excluded_legal": legal,
        "excluded_morality": morality,
        "justified": (legal | morality) & q(justified=True),
        "not_taken_up": q(status=SubmissionStatus.NOT_TAKEN_UP),
        "pending": q(status=SubmissionStatus.PENDING),
        "reconfirm": q(status=SubmissionStatus.NEEDS_RECONFIRMATION),
        "withdrawn": q(status=SubmissionStatus.WITHDRAWN),
    }
    sums = {name: Coalesce(Sum(prefix + "n", filter=condition), 0) for name, condition in filters.items()}
    return {**sums, "total": Coalesce(Sum(prefix + "n"), 0)}


def _round_key(comment_round: CommentRound | None) -> dict[str, int]:
    return {} if comment_round is None else {"round_key": comment_round.pk}


def tally_group_rows(process: Process, comment_round: CommentRound | None = None) -> list[GroupRow]:
    """Counts per stakeholder group, in the process's group order, groups without submissions too (one query:
    the groups joined to their tally rows, read through the tally's unique index)."""
    scope = Q(tallies__process=process, **{f"tallies__{k}": v for k, v in _round_key(comment_round).items()})
    rows = (
        StakeholderGroup.objects.filter(process=process)
        .annotate(t=FilteredRelation("tallies", condition=scope))
        .annotate(**_tally_sums("t__"))
        .order_by("position", "pk")
    )
    return [GroupRow(pk=g.pk, name=g.name, kind=g.kind, counts=_counts(g)) for g in rows]


def tally_country_rows(process: Process, comment_round: CommentRound | None = None) -> tuple[list[CountryRow], int]:
    """Counts per public location (see ``country_rows``) and the number of countries reached (one query: a row
    per country and attribution). Whether a country is public, or only its region, is decided here from the
    tally's country, whether the submission is shown by name, and the process's choice for the others."""
    rows = (
        Tally.objects.filter(process=process, **_round_key(comment_round))
        .values("country", "shown_by_name")
        .annotate(**_tally_sums())
        .order_by()
    )
    coarsen = process.coarsens_to_region
    merged: dict[tuple[str, str, bool], Counts] = {}
    reached = set()
    for row in rows:
        if not row["total"]:
            continue  # only rows counted down to zero
        counts = _counts(row)
        if row["country"] and counts.submitted:
            reached.add(row["country"])
        if row["shown_by_name"]:
            place = (row["country"], "", True)
        else:
            place = ("", region_of(row["country"]) if coarsen and row["country"] else "", False)
        merged[place] = merged[place].plus(counts) if place in merged else counts
    ordered = sorted(
        merged.items(),
        key=lambda item: (
            -item[1].submitted,
            not item[0][0],
            item[0][0],
            not item[0][1],
            item[0][1],
            not item[0][2],
        ),
    )
    countries = [
        CountryRow(code=code, region=region, disclosed=disclosed, counts=counts)
        for (code, region, disclosed), counts in ordered
    ]
    return countries, len(reached)


def tally_organisations(process: Process, comment_round: CommentRound | None = None) -> int:
    """Distinct organisations among active submissions (one query over the organisation tally)."""
    return OrganisationTally.objects.filter(process=process, n__gt=0, **_round_key(comment_round)).aggregate(
        n=Count("organisation_key", distinct=True)
    )["n"]


def tally_responsiveness(process: Process, decided: int, comment_round: CommentRound | None = None) -> Responsiveness:
    """``responsiveness`` from the tally of first-decision days (one query over a row per day): the middle one
    or two of the days, in order, are read off the running counts."""
    closes_at = comment_round.closes_at if comment_round is not None else process.closes_at
    if closes_at is None:
        return Responsiveness(None, decided, _("the process has no closing date"))
    if decided == 0:
        return Responsiveness(None, 0, _("no submission has a disposition yet"))
    days_rows = (
        DecisionDayTally.objects.filter(process=process, n__gt=0, **_round_key(comment_round))
        .order_by("decided_on")
        .values_list("decided_on", "n")
    )
    wanted = list(range((decided - 1) // 2, decided // 2 + 1))
    closed_on = closes_at.astimezone(UTC).date()
    days, seen = [], 0
    for decided_on, n in days_rows:
        days += [float(max(0, (decided_on - closed_on).days))] * sum(1 for w in wanted if seen <= w < seen + n)
        seen += n
        if seen > wanted[-1]:
            break
    return Responsiveness(sum(days) / len(days), decided) if days else Responsiveness(None, decided)


@dataclass(frozen=True)
class Detail:
    """The after-consultation interaction as read at one version of the decisions, with the decided submissions per
    group it was read against (the n of its shares: read together, they never contradict each other)."""

    decided_by_group: dict[int, int]
    interaction_by_group: dict[int, dict[str, int]]
    median_days_to_answer: float | None


def detail(process: Process, decided_by_group: dict[int, int], comment_round: CommentRound | None = None) -> Detail:
    by_group = counts_by_group(process, comment_round)
    answered = sum(row["answered"] for row in by_group.values())
    return Detail(
        decided_by_group=decided_by_group,
        interaction_by_group=by_group,
        median_days_to_answer=median_days_to_answer(process, answered, comment_round),
    )


def _assemble(
    process: Process,
    groups: list[GroupRow],
    countries: list[CountryRow],
    countries_reached: int,
    organisations: int,
    responsiveness: Responsiveness,
    found: Detail,
    interaction_as_of: datetime | None,
) -> Indicators:
    totals = Counts()
    for group in groups:  # a handful of aggregate rows, not submissions
        totals = totals.plus(group.counts)
    zero = dict.fromkeys(COUNT_NAMES, 0)
    groups = [
        replace(
            group,
            interaction=Interaction(
                decided=found.decided_by_group.get(group.pk, 0), **found.interaction_by_group.get(group.pk, zero)
            ),
        )
        for group in groups
    ]
    overall = Interaction(
        decided=sum(group.interaction.decided for group in groups),
        median_days_to_answer=found.median_days_to_answer,
        **{name: sum(getattr(group.interaction, name) for group in groups) for name in COUNT_NAMES},
    )
    return Indicators(
        totals=totals,
        groups=groups,
        interaction=overall,
        interaction_as_of=interaction_as_of,
        countries=countries,
        countries_reached=countries_reached,
        organisations_reached=organisations,
        parity=uptake_parity(groups),
        balance=participation_balance(groups),
        responsiveness=responsiveness,
        computed_at=timezone.now(),
        stats_version=process.stats_version,
    )


def indicators_exact(process: Process) -> Indicators:
    """Every indicator as the data is now (what is published): the interaction kept at this version if there is
    one, else read here (and kept), never an older one."""
    return _indicators(process, None, cached=True, exact=True)


def compute(process: Process, comment_round: CommentRound | None = None) -> Indicators:
    """Every indicator from the tallies, nothing from the cache."""
    return _indicators(process, comment_round, cached=False)


def _interaction_key(process: Process, round_number: int | None) -> str:
    scope = round_number if round_number is not None else "all"
    return process_key(process, "interaction", SHAPE, scope)


def _interaction(
    process: Process,
    comment_round: CommentRound | None,
    decided: Callable[[], dict[int, int]],
    *,
    exact: bool = False,
) -> tuple[Detail, datetime | None]:
    """The interaction kept at the process's version, or (unless ``exact``, or the process is small) the one kept
    before it with the time it was read, and its reading again queued; ``decided``: the decided submissions per
    group, should it have to be read here."""
    from .tasks import enqueue_figures, refresh_interaction

    round_number = comment_round.number if comment_round is not None else None
    return process_figures(
        process,
        _interaction_key(process, round_number),
        lambda: detail(process, decided(), comment_round),
        CACHE_SECONDS,
        refresh=lambda: enqueue_figures(refresh_interaction, process.pk, round_number),
        exact=exact,
    )


def _decided(process: Process, comment_round: CommentRound | None) -> dict[int, int]:
    return {group.pk: group.counts.dispositioned for group in tally_group_rows(process, comment_round)}


def _indicators(
    process: Process, comment_round: CommentRound | None, *, cached: bool, exact: bool = False
) -> Indicators:
    groups = tally_group_rows(process, comment_round)
    countries, countries_reached = tally_country_rows(process, comment_round)
    organisations = tally_organisations(process, comment_round)
    decided = {group.pk: group.counts.dispositioned for group in groups}
    responsiveness = tally_responsiveness(process, sum(decided.values()), comment_round)
    if cached:
        found, as_of = _interaction(process, comment_round, lambda: decided, exact=exact)
    else:
        found, as_of = detail(process, decided, comment_round), None
    return _assemble(process, groups, countries, countries_reached, organisations, responsiveness, found, as_of)


def remake_interaction(process_id: int, round_number: int | None) -> bool:
    """Read the after-consultation interaction again as the data is now and keep it (the background task of
    ``indicators_for`` after a decision or a reply). False when the process or the round is gone."""
    found = process_and_round(process_id, round_number)
    if found is None:
        return False
    process, comment_round = found
    remake(
        _interaction_key(process, round_number),
        process.stats_version,
        lambda: detail(process, _decided(process, comment_round), comment_round),
        CACHE_SECONDS,
    )
    return True


def _shape() -> str:
    """The fields of what is kept, in the cache keys: a release that changes them reads its own entries, never
    older pickles of another shape."""
    kept = (Counts, GroupRow, CountryRow, Parity, Balance, Responsiveness, Indicators, Detail, Ratio, Interaction)
    names = ";".join(f"{kind.__name__}:{','.join(f.name for f in fields(kind))}" for kind in kept)
    return hashlib.sha256(names.encode()).hexdigest()[:12]


def indicators_for(process: Process, comment_round: CommentRound | None = None) -> Indicators:
    """The process's indicators (or one round's) at the version of the data ``process`` was read at: from the
    cache when they were computed at that version (nothing was filed, decided, replied, withdrawn or edited
    since), else from the tallies, and the after-consultation interaction from the cache when no decision or reply
    changed it. After one did, the interaction as it was (``interaction_as_of`` says when it was read) while a
    background task reads the replies again: at a million submissions that is tens of thousands of them, and no
    reader waits for it (``caching.current_or_kept``); the next readers get the same indicators until it has (one
    cache read more each meanwhile, to see whether it has). A process smaller than ``TRACE_BACKGROUND_FROM`` reads
    its interaction at once.

    Read ``process`` afresh before calling this after a write in the same request: an older copy names an older
    version (one cache read when kept: the report's filters, searches and pages all show the same figures, and at a
    million submissions the tallies' reads are most of a filtered report's queries)."""
    scope = comment_round.number if comment_round is not None else "all"
    key = process_key(process, "indicators-counts", SHAPE, scope)
    version = (process.stats_version, process.last_number)
    found = lookup(key, version)
    if found is not None and found.interaction_as_of is not None:
        # Kept with an older interaction: read the indicators again once the background task has read it anew.
        if _interaction(process, comment_round, lambda: _decided(process, comment_round))[1] is None:
            found = None
    if found is None:
        found = _indicators(process, comment_round, cached=True)
        store(key, version, found, CACHE_SECONDS)
    return found


SHAPE = _shape()

__all__ = [
    "Counts",
    "Indicators",
    "Interaction",
    "Ratio",
    "compute",
    "compute_from_scan",
    "indicators_exact",
    "indicators_for",
]
