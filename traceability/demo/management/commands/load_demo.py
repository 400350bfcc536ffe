"""Load demo data: three processes, one in each phase a visitor should see.

Everything is written through the real services (filing, document import,
dispositions), so the demo holds only what the app itself could have produced.
Content is generated from fixed phrase lists with a seeded random generator,
so every load tells the same story; dates are relative to the moment of loading.
"""

from __future__ import annotations

import random
import time
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import ProtectedError
from django.test.utils import override_settings
from django.utils import timezone
from django_countries import countries
from rapidfuzz import fuzz
from rapidfuzz import process as rapidfuzz_process

from traceability.accounts.models import StakeholderKind, User
from traceability.consultations.history import history_maintenance
from traceability.consultations.models import Attribution, Process, StakeholderGroup, Submission, SubmissionStatus
from traceability.consultations.services import (
    SubmissionContent,
    process_create_default_groups,
    round_open,
    submission_file,
    submission_withdraw,
)
from traceability.dispositions.models import Disposition, ExclusionGround, Extent, ResponseKind
from traceability.dispositions.selectors import progress, reconfirm_queue
from traceability.dispositions.services import (
    LinkSpec,
    contest_answer,
    disposition_exclude,
    disposition_not_take_up,
    disposition_reflect,
    link_reconfirm,
    response_record,
    version_adopt,
)
from traceability.outcomes.models import Clause, ClauseMatch, DocumentVersion, MatchRelation
from traceability.outcomes.services import match_correct, version_import
from traceability.publications.models import Snapshot
from traceability.publications.services import PublicationBlocked, snapshot_create

from ..demo_content import (
    CLOSERS,
    CONTEST_ANSWERS,
    CONTEST_REASONS,
    FILING_WEIGHT,
    FOREIGN_SHARE,
    FOREIGN_SUBMISSIONS,
    FULL_NOTES,
    FULL_UPTAKE_RATE,
    MORALITY_OBJECTIONS,
    OBJECTION_RATE,
    OPENERS,
    PARTIAL_NOTES,
    RATIONALES,
    STAKEHOLDERS,
    THEMES,
    Objection,
    Theme,
    Topic,
)


def process_extract_one(text: str, choices: dict[int, str]) -> int:
    """The key of the choice most similar to ``text``."""
    return rapidfuzz_process.extractOne(text, choices, scorer=fuzz.token_set_ratio)[2]


SEED = 20250611
DOMAIN = "demo.trace"
# The demo's published password (bandit B105 reviewed): load_demo refuses to run with DEBUG off.
PASSWORD = "trace-demo"  # nosec B105
# The demo admin's and organiser's authenticator secret (published like the password): add it to an
# authenticator app, or print the current code with `manage.py demo_totp`.
DEMO_TOTP_SECRET = "TRACEDEMOJBSWY3DPEHPK3PXPTRACEDE"  # nosec B105


def _site_url() -> str:
    """Where the demo is served: SITE_URL (which `make run` sets from HOST and PORT), with a slash."""
    return settings.SITE_URL.rstrip("/") + "/"


ADMIN_EMAIL = f"admin@{DOMAIN}"
ORGANISER_EMAIL = f"organiser@{DOMAIN}"
STAKEHOLDER_EMAIL = f"stakeholder@{DOMAIN}"
DEMO_SLUGS = tuple(theme.slug for theme in THEMES)


@dataclass(frozen=True)
class Plan:
    """When a demo process ran, how many submissions it received and how far the organisers got."""

    opens_days_ago: int
    closes_in_days: int  # negative: closed that many days ago
    submissions: int
    own_submissions: int  # filed by the demo stakeholder
    withdrawn: int
    decided_share: float  # share of active submissions with a disposition
    decision_days: int  # dispositions are spread over this many days after closing
    revised: int = 0  # dispositions changed once, to show a history on the trace page
    # After each later version is adopted, the organisers re-confirm the links it made suspect (else
    # they wait in the re-confirmation queue).
    reconfirm: bool = True
    # Once every submission is decided, the organisers publish the report (snapshot 1).
    publish: bool = False
    # Undecided submissions whose decision the organisers drafted and have not released yet.
    drafts: int = 0
    # Decided submissions whose author contested the decision, still waiting for the organisers' answer.
    open_contests: int = 0


PLANS = (
    Plan(
        opens_days_ago=21,
        closes_in_days=30,
        submissions=84,
        own_submissions=3,
        withdrawn=2,
        decided_share=0.0,
        decision_days=0,
    ),
    Plan(
        opens_days_ago=80,
        closes_in_days=-18,
        submissions=128,
        own_submissions=2,
        withdrawn=2,
        decided_share=0.5,
        decision_days=16,
        reconfirm=False,
        drafts=4,
        open_contests=2,
    ),
    Plan(
        opens_days_ago=170,
        closes_in_days=-110,
        submissions=140,
        own_submissions=2,
        withdrawn=3,
        decided_share=1.0,
        decision_days=45,
        revised=6,
        publish=True,
    ),
)


@dataclass
class Filed:
    submission: Submission
    topic: Topic | None
    objection: Objection | None
    own: bool


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _email_for(name: str, taken: set[str]) -> str:
    local = ".".join("".join(ch for ch in part if ch.isalnum()) for part in _ascii(name).lower().split())
    email, n = f"{local}@{DOMAIN}", 2
    while email in taken:
        email, n = f"{local}{n}@{DOMAIN}", n + 1
    taken.add(email)
    return email


class Loader:
    def __init__(self, *, now: datetime) -> None:
        # Reproducible demo content, nothing secret (bandit B311 reviewed).
        self.rng = random.Random(SEED)  # nosec B311
        # Which submissions are written in another language: drawn apart, so the rest of the demo stays as it was.
        self.language_rng = random.Random(SEED + 1)  # nosec B311
        self.now = now
        self.unpublished: dict[str, list[str]] = {}  # process code -> what blocked its publication
        # One hash for every demo account: hashing is deliberately slow, and they share a password.
        self.password_hash = make_password(PASSWORD)

    # --- people -------------------------------------------------------------------------------------

    def accounts(self) -> tuple[User, User, User, list[User]]:
        taken = {ADMIN_EMAIL, ORGANISER_EMAIL, STAKEHOLDER_EMAIL}
        staff = [
            User(
                email=ADMIN_EMAIL,
                display_name="Demo Admin",
                is_staff=True,
                is_superuser=True,
                stakeholder_kind=StakeholderKind.INTERNATIONAL_ORGANISATION,
                country="CH",
                organisation="Trace demo",
            ),
            User(
                email=ORGANISER_EMAIL,
                display_name="Demo Organiser",
                stakeholder_kind=StakeholderKind.INTERNATIONAL_ORGANISATION,
                country="CH",
                organisation="Process secretariat",
            ),
            User(
                email=STAKEHOLDER_EMAIL,
                display_name="Demo Stakeholder",
                stakeholder_kind=StakeholderKind.CIVIL_SOCIETY,
                country="KE",
                organisation="Lake Region Community Networks",
            ),
        ]
        people = [
            User(
                email=_email_for(name, taken),
                display_name=name,
                country=country,
                stakeholder_kind=kind,
                organisation=organisation,
            )
            for name, country, kind, organisation in STAKEHOLDERS
        ]
        for user in staff + people:
            user.password = self.password_hash
            user.date_joined = self.now - timedelta(days=200)
        User.objects.bulk_create(staff + people)
        saved = {user.email: user for user in User.objects.filter(email__endswith=f"@{DOMAIN}")}
        admin, organiser, stakeholder = (saved[email] for email in (ADMIN_EMAIL, ORGANISER_EMAIL, STAKEHOLDER_EMAIL))
        # Every demo address counts as confirmed; the admin and the organiser have their second factor.
        EmailAddress.objects.bulk_create(
            [EmailAddress(user=user, email=user.email, primary=True, verified=True) for user in saved.values()]
        )
        for user in (admin, organiser):
            TOTP.activate(user, DEMO_TOTP_SECRET)
        return admin, organiser, stakeholder, [saved[user.email] for user in people]

    # --- content ------------------------------------------------------------------------------------

    def _fill(self, template: str, theme: Theme, author: User, group: StakeholderGroup) -> str:
        return template.format(
            focus=theme.focus,
            org=author.organisation or author.display_name,
            country=countries.name(author.country) or "our country",
            group=group.name.lower(),
        )

    def content(
        self,
        *,
        theme: Theme,
        topic: Topic | None,
        objection: Objection | None,
        author: User,
        group: StakeholderGroup,
        draft_clauses: dict[str, Clause],
    ) -> SubmissionContent:
        rng = self.rng
        attribution = Attribution.GROUP if rng.random() < 0.18 else Attribution.NAME
        if objection is not None:
            return SubmissionContent(
                title=rng.choice(objection.titles),
                text=objection.text,
                stakeholder_group=group,
                attribution=attribution,
            )
        if topic is None:
            raise ValueError("A submission without an objection needs a topic.")
        # Titles and points are written in parallel: title i summarises point i.
        index = rng.randrange(len(topic.titles))
        points = [topic.points[index]]
        if len(topic.points) > 1 and rng.random() < 0.3:
            points.append(rng.choice([point for point in topic.points if point != points[0]]))
        sentences = [rng.choice(OPENERS), *points, rng.choice(RATIONALES), rng.choice(CLOSERS)]
        text = " ".join(self._fill(s, theme, author, group) for s in sentences if s)
        targets = [label for label in topic.clauses if label in draft_clauses]
        target = rng.choice(targets) if targets and rng.random() < 0.7 else ""
        change = rng.choice(topic.changes) if rng.random() < 0.45 else ""
        title = topic.titles[index]
        if target and rng.random() < 0.3:
            title = f"Paragraph {target}: {title[0].lower() if title[1:2].islower() else title[0]}{title[1:]}"
        if self.language_rng.random() < FOREIGN_SHARE:
            # Written in French, Spanish or Arabic: the filing service detects the language from the text.
            language = self.language_rng.choice(sorted(FOREIGN_SUBMISSIONS))
            title, text = self.language_rng.choice(FOREIGN_SUBMISSIONS[language])
            change = ""
        return SubmissionContent(
            title=title,
            text=text,
            stakeholder_group=group,
            target_clause=target,
            target=draft_clauses[target].identity if target else None,
            proposed_change=change,
            attribution=attribution,
        )

    # --- one process ----------------------------------------------------------------------------------

    def process(self, *, theme: Theme, plan: Plan, organiser: User, stakeholder: User, people: list[User]) -> Process:
        rng = self.rng
        opens_at = (self.now - timedelta(days=plan.opens_days_ago)).replace(hour=9, minute=0, second=0, microsecond=0)
        closes_at = (self.now + timedelta(days=plan.closes_in_days)).replace(
            hour=23, minute=59, second=0, microsecond=0
        )
        process = Process.objects.create(
            slug=theme.slug,
            code=theme.code,
            title=theme.title,
            summary=theme.summary,
            description=theme.description,
            how_to_take_part=theme.how_to_take_part,
            translations=theme.translations or {},
            opens_at=opens_at,
            closes_at=closes_at,
        )
        process_create_default_groups(process=process)
        process.organisers.add(organiser)
        groups = {group.kind: group for group in StakeholderGroup.objects.filter(process=process)}

        (first_label, first_status, first_source), *later = theme.documents
        draft = version_import(
            process=process, source=first_source, label=first_label, status=first_status, created_by=organiser
        )
        draft_clauses = {
            clause.label: clause
            for clause in Clause.objects.filter(version=draft).linkable().select_related("identity")
        }
        # Round 1 ran on the first draft for the whole window.
        round_open(process=process, version=draft, closes_at=closes_at, actor=organiser, now=opens_at)

        # Filing: more submissions near the deadline, as in every real consultation.
        window_end = min(closes_at, self.now) - timedelta(minutes=5)
        span = window_end - opens_at
        total = plan.submissions + plan.own_submissions
        times = sorted(opens_at + span * (1 - rng.random() ** 1.8) for _ in range(total))
        own_slots = set(rng.sample(range(total), plan.own_submissions))
        weights = [FILING_WEIGHT[person.stakeholder_kind] * rng.uniform(0.3, 2.0) for person in people]
        filed: list[Filed] = []
        for index, received_at in enumerate(times):
            own = index in own_slots
            author = stakeholder if own else rng.choices(people, weights)[0]
            group = groups[author.stakeholder_kind]
            objection = None
            if not own and rng.random() < OBJECTION_RATE[author.stakeholder_kind]:
                # Most exclusions are on a legal ground; insults and spam are rarer.
                objection = rng.choice(theme.objections if rng.random() < 0.65 else MORALITY_OBJECTIONS)
            topic = None if objection else rng.choice(theme.topics)
            content = self.content(
                theme=theme, topic=topic, objection=objection, author=author, group=group, draft_clauses=draft_clauses
            )
            submission, _created = submission_file(
                process=process,
                author=author,
                content=content,
                form_token=uuid.UUID(int=rng.getrandbits(128)),
                now=received_at,
            )
            filed.append(Filed(submission, topic, objection, own))

        # A few authors think better of it before the deadline.
        others = [item for item in filed if not item.own]
        for item in rng.sample(others, plan.withdrawn):
            at = min(item.submission.received_at + timedelta(hours=rng.randint(2, 96)), window_end)
            submission_withdraw(submission=item.submission, author=item.submission.author, now=at)
            item.submission.withdrawn_at = at

        # Decisions are taken on the draft; each later version is matched, adopted, and its links re-confirmed.
        self.decide(process=process, plan=plan, organiser=organiser, filed=filed)
        for label, status, source in later:
            self.new_version(process=process, plan=plan, organiser=organiser, label=label, status=status, source=source)
        self.draft(process=process, plan=plan, organiser=organiser, filed=filed)
        if plan.publish:
            self.publish(process=process, organiser=organiser)
        return process

    def publish(self, *, process: Process, organiser: User) -> None:
        """Publish through the coverage gate, as the organisers would; never around it."""
        try:
            snapshot_create(process=process, actor=organiser, now=self.now - timedelta(minutes=10))
        except PublicationBlocked as blocked:
            self.unpublished[process.code] = [blocker.message for blocker in blocked.blockers]

    def new_version(
        self, *, process: Process, plan: Plan, organiser: User, label: str, status: str, source: str
    ) -> None:
        version = version_import(process=process, source=source, label=label, status=status, created_by=organiser)
        # A near-identical rewording is a change of style: the organisers mark it editorial.
        for match in ClauseMatch.objects.filter(version=version, relation=MatchRelation.REWORDED, score__gte=97):
            match_correct(
                version=version,
                clause=match.clause,
                previous_labels=[match.previous.label],
                editorial=True,
                actor=organiser,
            )
        version_adopt(version=version, actor=organiser)
        if not plan.reconfirm:
            return
        current = list(Clause.objects.filter(version=version).linkable())
        texts = {clause.pk: clause.text for clause in current}
        later = self.now - timedelta(minutes=20)
        # Each re-confirmation writes a new revision, so the queue is read again after each one.
        while (link := reconfirm_queue(process, version).first()) is not None:
            if link.now_pk is not None:
                link_reconfirm(submission=link.revision.submission, actor=organiser, link=link, now=later)
                continue
            # The clause was removed: the link moves to the clause that now says the most of what it said.
            best = process_extract_one(link.clause.text, texts)
            target = next(clause for clause in current if clause.pk == best)
            link_reconfirm(submission=link.revision.submission, actor=organiser, link=link, move_to=target, now=later)

    # --- dispositions ---------------------------------------------------------------------------------

    def decide(self, *, process: Process, plan: Plan, organiser: User, filed: list[Filed]) -> None:
        if plan.decided_share <= 0:
            return
        rng = self.rng
        version = DocumentVersion.objects.latest_for(process)
        clauses = {clause.label: clause for clause in Clause.objects.filter(version=version).select_related("version")}
        active = [item for item in filed if item.submission.withdrawn_at is None]
        if plan.decided_share >= 1:
            chosen = active
        else:
            chosen = rng.sample(active, round(len(active) * plan.decided_share))
            # The demo stakeholder sees one decided and one pending submission here.
            own = [item for item in active if item.own]
            if own:
                chosen = [item for item in chosen if not item.own] + own[:1]
        closed_at = process.closes_at
        latest = min(closed_at + timedelta(days=plan.decision_days), self.now - timedelta(hours=1))
        decisions = sorted(
            ((closed_at + (latest - closed_at) * rng.random() ** 0.8, item) for item in chosen),
            key=lambda pair: (pair[0], pair[1].submission.number),
        )
        partly: list[tuple[datetime, Filed]] = []
        for at, item in decisions:
            if item.objection is not None:
                self.objection(item, organiser=organiser, now=at)
                continue
            full = rng.random() < FULL_UPTAKE_RATE[item.submission.author.stakeholder_kind]
            disposition_reflect(
                submission=item.submission, actor=organiser, links=self.links(item, clauses, full=full), now=at
            )
            if not full:
                partly.append((at, item))
            elif rng.random() < 0.3 and not item.own:
                # Some authors say they agree; most stay silent (which is "no reply", never agreement).
                self.reply(item, kind=ResponseKind.AGREE, at=at + timedelta(hours=rng.randint(2, 72)))

        # Some partial uptakes are contested by their authors; the organisers answer, and revise the decision.
        contested = rng.sample(partly, min(plan.revised + plan.open_contests, len(partly)))
        for at, item in contested[plan.revised :]:
            self.reply(item, kind=ResponseKind.CONTEST, at=min(at + timedelta(days=2), self.now - timedelta(hours=1)))
        for at, item in contested[: plan.revised]:
            asked = at + timedelta(days=rng.randint(1, 3))
            response = self.reply(item, kind=ResponseKind.CONTEST, at=asked)
            later = min(asked + timedelta(days=rng.randint(2, 9)), self.now - timedelta(minutes=30))
            contest_answer(response=response, actor=organiser, answer=rng.choice(CONTEST_ANSWERS), now=later)
            disposition_reflect(
                submission=item.submission,
                actor=organiser,
                links=self.links(item, clauses, full=True, extra=True),
                now=later,
            )

    def draft(self, *, process: Process, plan: Plan, organiser: User, filed: list[Filed]) -> None:
        """Decisions drafted for a later release, on the current version: the public still sees them pending."""
        if not plan.drafts:
            return
        version = DocumentVersion.objects.report_version_for(process)
        clauses = {clause.label: clause for clause in Clause.objects.filter(version=version).select_related("version")}
        undecided = set(
            Submission.objects.filter(
                pk__in=[item.submission.pk for item in filed], status=SubmissionStatus.PENDING
            ).values_list("pk", flat=True)
        )
        pending = [item for item in filed if not item.own and item.submission.pk in undecided]
        for item in pending[: plan.drafts]:
            if item.objection is not None:
                self.objection(item, organiser=organiser, draft=True)
            elif any(label in clauses for label in item.topic.clauses):
                links = self.links(item, clauses, full=True)
                disposition_reflect(submission=item.submission, actor=organiser, links=links, draft=True)

    def objection(self, item: Filed, *, organiser: User, now: datetime | None = None, draft: bool = False) -> None:
        """Decide a submission the process cannot take up, on the ground its objection gives."""
        objection, common = item.objection, {"submission": item.submission, "actor": organiser, "now": now}
        if objection.ground == "not_taken_up":
            disposition_not_take_up(**common, reason=objection.reason, draft=draft)
        elif objection.ground == ExclusionGround.LEGAL:
            disposition_exclude(**common, ground=objection.ground, legal_provision=objection.reason, draft=draft)
        else:
            disposition_exclude(**common, ground=objection.ground, justification=objection.reason, draft=draft)

    def reply(self, item: Filed, *, kind: str, at: datetime):  # type: ignore[no-untyped-def]
        """The author's reply to the current decision on their submission, at ``at``."""
        revision = Disposition.objects.get(submission=item.submission).revision
        reason = self.rng.choice(CONTEST_REASONS) if kind == ResponseKind.CONTEST else ""
        return response_record(
            submission=item.submission,
            revision_number=revision.number,
            author=item.submission.author,
            kind=kind,
            reason=reason,
            now=at,
        )

    def links(self, item: Filed, clauses: dict[str, Clause], *, full: bool, extra: bool = False) -> list[LinkSpec]:
        rng = self.rng
        if item.topic is None:
            raise ValueError("Only a submission with a topic is linked to clauses.")
        candidates = [label for label in item.topic.clauses if label in clauses]
        target = item.submission.target_clause
        first = target if target in candidates else rng.choice(candidates)
        labels = [first]
        others = [label for label in candidates if label != first]
        if others and (extra or rng.random() < 0.3):
            labels.append(rng.choice(others))
        specs = []
        for index, label in enumerate(labels):
            extent = Extent.FULL if full and index == 0 else Extent.PARTIAL
            notes = FULL_NOTES if extent == Extent.FULL else PARTIAL_NOTES
            specs.append(LinkSpec(clause=clauses[label], extent=extent, note=rng.choice(notes)))
        return specs

    def load(self) -> dict[str, int]:
        admin, organiser, stakeholder, people = self.accounts()
        for theme, plan in zip(THEMES, PLANS, strict=True):
            self.process(theme=theme, plan=plan, organiser=organiser, stakeholder=stakeholder, people=people)
        return summary()


def summary() -> dict[str, int]:
    submissions = Submission.objects.filter(process__slug__in=DEMO_SLUGS)
    return {
        "processes": Process.objects.filter(slug__in=DEMO_SLUGS).count(),
        "submissions": submissions.count(),
        "stakeholders": submissions.values("author").distinct().count(),
        "countries": submissions.values("country").distinct().count(),
    }


def demo_data_exists() -> bool:
    return (
        Process.objects.filter(slug__in=DEMO_SLUGS).exists()
        or User.objects.filter(email__iendswith=f"@{DOMAIN}").exists()
    )


def wipe() -> None:
    """Delete the demo processes (with everything filed and decided in them) and the demo accounts."""
    processes = Process.objects.filter(slug__in=DEMO_SLUGS)
    # History (snapshots, events, decision revisions) is append-only, in the database too: deleting the demo's
    # whole processes with their history is the maintenance path the triggers let through.
    with history_maintenance():
        Snapshot.objects.filter(process__in=processes).delete()
        Submission.objects.filter(process__in=processes).delete()
        processes.delete()
    try:
        User.objects.filter(email__iendswith=f"@{DOMAIN}").delete()
    except ProtectedError as error:
        raise CommandError(
            f"Demo accounts (@{DOMAIN}) have submissions in processes that are not part of the demo; "
            "nothing was deleted."
        ) from error


class Command(BaseCommand):
    help = (
        "Load demo data: three processes (open; closed and under review; closed with every submission "
        "dispositioned), about 360 submissions from over 60 stakeholders, and demo sign-ins. Does nothing if the "
        "demo data is already there."
    )

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument(
            "--reset",
            action="store_true",
            help=f"Delete the demo data (the demo processes and the @{DOMAIN} accounts, nothing else) and load it "
            "again, with dates relative to now.",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load the demo even with DEBUG off (its accounts share a published password).",
        )

    def handle(self, *args: object, reset: bool = False, force: bool = False, **options: object) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like a production database, and the demo creates a site admin whose "
                "password is published. Use --force if you really mean it."
            )
        started = time.monotonic()
        # Receipts are e-mailed on commit; demo stakeholders have no mailbox. Their notifications are
        # delivered at once (to nowhere) rather than left for the worker to print hundreds of them.
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
            TASKS={
                "default": {
                    "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                    "QUEUES": settings.TASK_QUEUES,
                }
            },
        ):
            with transaction.atomic():
                if reset:
                    wipe()
                unpublished: dict[str, list[str]] = {}
                if demo_data_exists():
                    loaded = None
                else:
                    loader = Loader(now=timezone.now())
                    loaded = loader.load()
                    unpublished = loader.unpublished

        if loaded is None:
            self.stdout.write("Demo data is already loaded; nothing was changed (use --reset to load it afresh).")
            counts = summary()
            if counts["processes"] != len(DEMO_SLUGS) or not User.objects.filter(email=STAKEHOLDER_EMAIL).exists():
                self.stdout.write(self.style.WARNING("Some demo data is missing; run load_demo --reset to restore it."))
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo data loaded in {time.monotonic() - started:.1f} s: {loaded['processes']} processes, "
                    f"{loaded['submissions']} submissions from {loaded['stakeholders']} stakeholders in "
                    f"{loaded['countries']} countries."
                )
            )
        for code, blockers in unpublished.items():
            self.stdout.write(self.style.WARNING(f"{code} could not be published: " + " ".join(blockers)))
        self.print_sign_ins()

    def print_sign_ins(self) -> None:
        out = self.stdout.write
        URL = _site_url()  # noqa: N806 (read like the constant it was)
        out("")
        out(self.style.MIGRATE_HEADING(f"Trace is at {URL}"))
        out(f'Sign in at {URL}accounts/login/ with the password "{PASSWORD}" as:')
        out(f"  {ADMIN_EMAIL:<26} site admin (Django admin at {URL}admin/)")
        out(f"  {ORGANISER_EMAIL:<26} organiser of the three demo processes (their workspaces)")
        out(f"  {STAKEHOLDER_EMAIL:<26} a stakeholder with submissions of their own ({URL}me/)")
        out(f"Every other @{DOMAIN} account uses the same password.")
        out(
            "The admin and the organiser also use two-factor authentication: add the secret "
            f"{DEMO_TOTP_SECRET} to an authenticator app, or print the current code with "
            "`.venv/bin/python manage.py demo_totp`."
        )
        now = timezone.now()
        processes = {process.slug: process for process in Process.objects.filter(slug__in=DEMO_SLUGS)}
        if processes:
            out("")
            out("Demo processes:")
        for slug in DEMO_SLUGS:
            process = processes.get(slug)
            if process is None:
                continue
            counts = progress(process)
            decided = f"{counts['dispositioned']} of {counts['total']} decided"
            out(f"  {process.code:<8} {process.phase(now).label:<21} {decided:<19} {URL}processes/{slug}/")
        stale = processes.get(DEMO_SLUGS[0])
        if stale is not None and not stale.is_open(now):
            out(
                self.style.WARNING(
                    "The open demo process has closed since it was loaded; load_demo --reset reopens it."
                )
            )
