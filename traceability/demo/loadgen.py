"""Generate a large, realistic process for benchmarks: ``manage.py generate_load --submissions N``.

The small parts go through the real services: the process and its groups, the organiser, the two versions
of the outcome document (imported, matched and adopted), the comment rounds (with their events in the
history chain). The large parts (users, submissions, decision revisions with their clause links, dispositions,
replies, drafts, blocked attempts) are written as rows, exactly as the services would write them:

- statuses: the submission's ``status`` and ``withheld`` are what the services set; a reflected submission
  decided on the first version whose link's clause changed substantively in the adopted second version waits
  for re-confirmation, as ``submissions_reassess`` says;
- each disposition copies its current revision (``first_decided_at`` from the first); a decision "same as" an
  original copies the original's decision and links, with ``duplicate_of`` set, as ``_copy_decision`` does;
- every revision is sealed into the process's history chain (``chain_position``, ``prev_hash``,
  ``entry_hash`` computed by ``dispositions.chain.revision_fields`` and ``history.entry_hash``), after the
  events the services wrote, and the ``HistoryHead`` is moved to the last one: ``verify_history`` passes.

On PostgreSQL the rows go in with ``COPY`` under ``SET LOCAL session_replication_role = replica`` when the
role may set it (triggers off: foreign keys are not re-checked, so the rows must be, and are, consistent; the
search vector's trigger alone stays on);
otherwise with the triggers on (the deferred foreign keys are then checked at commit); for a large load the big
tables' secondary indexes and unique constraints are dropped and built once at the end. On SQLite, batched
``executemany`` inserts. Chunks of submissions are made by two worker processes (forked before any COPY starts;
every id follows from the submission's number, and each chunk has a random generator of its own, so the data is the
same whoever makes it); the loading process seals the revisions into the chain in order and writes. Everything is
one transaction: a failed load leaves nothing behind. Then ANALYZE, and ``POST_LOAD_STEPS``.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import multiprocessing
import queue
import random
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.core.validators import validate_slug
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_countries import countries

from traceability.accounts.models import BlockReason, SecurityEvent, SecurityEventKind, StakeholderKind, User
from traceability.consultations.content_languages import LanguageSource
from traceability.consultations.history import REVISION, entry_hash
from traceability.consultations.models import (
    Attribution,
    HistoryHead,
    Process,
    StakeholderGroup,
    Submission,
    SubmissionStatus,
)
from traceability.consultations.search import search_trigger_always
from traceability.consultations.services import process_create_default_groups, round_open
from traceability.dispositions.chain import revision_fields
from traceability.dispositions.models import (
    ClauseLink,
    DecisionRevision,
    Disposition,
    DispositionKind,
    DraftDecision,
    ExclusionGround,
    Extent,
    Response,
    ResponseKind,
    RevisionChange,
)
from traceability.dispositions.services import version_adopt
from traceability.outcomes.models import Clause, ClauseIdentity, VersionStatus
from traceability.outcomes.services import version_import

from . import load_content as words

# Called, in order, with the process id once the rows are in (each one's time is printed): what keeps
# derived data must be rebuilt after a load that went around the services' triggers (the tallies). The search
# index needs no step: its trigger fires during the load (``RowWriter.skip_triggers``).
POST_LOAD_STEPS: list[str] = [
    "traceability.reports.tallies.rebuild_tallies",
]

BATCH = 20_000
# Worker processes that make the chunks on PostgreSQL (the loading process seals the chain and feeds COPY).
LOAD_PROCESSES = 2
EMAIL_DOMAIN = "load.trace"
# Shares (the issue asks for about 70% decided).
WITHDRAWN_SHARE = 0.03
DECIDED_SHARE = 0.72  # of the submissions not withdrawn
CAMPAIGN_SHARE = 0.10
# The languages accounts receive their e-mails in, per hundred accounts (a deterministic spread: no draw from the
# random stream, so the rest of the data stays what a seed made before this column existed).
MAIL_LANGUAGES = ["en"] * 50 + ["fr"] * 15 + ["es"] * 15 + ["ar"] * 7 + ["zh-hans"] * 5 + ["ru"] * 4 + ["pt-br"] * 4
GROUP_SHARE = 0.18  # shown by stakeholder group only
RESPONSE_SHARE = 0.05
REVISED_SHARE = 0.04  # of the submissions partly reflected on the revision: contested, then revised
# Of the decisions of their own: reflected, excluded on a legal ground, on public morality, not taken up.
DECISION_WEIGHTS = (55, 12, 5, 28)
DECISION_TABLE = tuple(kind for kind, share in enumerate(DECISION_WEIGHTS) for _ in range(share))  # per percent
GROUP_WEIGHTS = {
    StakeholderKind.CIVIL_SOCIETY: 36,
    StakeholderKind.PRIVATE_SECTOR: 24,
    StakeholderKind.ACADEMIA: 13,
    StakeholderKind.TECHNICAL_COMMUNITY: 12,
    StakeholderKind.GOVERNMENT: 10,
    StakeholderKind.INTERNATIONAL_ORGANISATION: 5,
}
COUNTRY_COUNT = 190


class LoadError(ValueError):
    """The load cannot be made as asked (a clear message for the command line)."""


@dataclass
class LoadResult:
    process: Process
    submissions: int
    users: int
    revisions: int
    links: int
    dispositions: int
    responses: int
    replica_role: bool
    timings: list[tuple[str, float]] = field(default_factory=list)


# ----------------------------------------------------------------------------- writing rows


def _column_kinds(model: type[models.Model], columns: tuple[str, ...]) -> list[str]:
    by_column = {f.column: f for f in model._meta.concrete_fields}
    kinds = []
    for column in columns:
        f = by_column[column]
        if isinstance(f, models.DateTimeField):
            kinds.append("datetime")
        elif isinstance(f, models.UUIDField):
            kinds.append("uuid")
        else:
            kinds.append("plain")
    missing = {c for c, f in by_column.items() if c not in columns and not f.null and not f.primary_key}
    if missing:
        raise LoadError(f"{model._meta.db_table}: no value for {sorted(missing)}")
    return kinds


class RowWriter:
    """Writes tuples of values into tables: COPY on PostgreSQL (in a thread of its own, so that the next batch
    is made while the database takes the last one), executemany elsewhere."""

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        self.replica = False
        self.rows: dict[str, int] = {}
        self._queue: queue.Queue | None = None
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        self._dropped: list[str] = []

    def skip_triggers(self) -> bool:
        """Turn triggers (foreign key checks, history rules) off for this transaction, if the role may."""
        if not self.postgres:
            return False
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        except DatabaseError:  # not permitted: load with the triggers on
            return False
        self.replica = True
        # Except the search vector's: each row gets it as it is copied in (see ``search_trigger_always``).
        search_trigger_always(connection, True)
        return True

    def restore_triggers(self) -> None:
        if self.replica:
            search_trigger_always(connection, False)
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = origin")

    def drop_indexes(self, tables: list[str]) -> None:
        """PostgreSQL: drop the secondary indexes and unique constraints of ``tables`` for the load, to build
        them again at the end (one sorted build is much faster than a million insertions). In the load's
        transaction: on failure they come back with the rollback."""
        if not self.postgres:
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT con.conrelid::regclass::text, con.conname, pg_get_constraintdef(con.oid) "
                "FROM pg_constraint con WHERE con.contype = 'u' AND con.conrelid::regclass::text = ANY(%s)",
                [tables],
            )
            constraints = cursor.fetchall()
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
                [tables],
            )
            indexes = cursor.fetchall()
            for table, name, definition in constraints:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                self._dropped.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            for name, definition in indexes:
                cursor.execute(f"DROP INDEX {name}")
                self._dropped.append(definition)

    def rebuild_indexes(self) -> None:
        if not self._dropped:
            return
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for statement in self._dropped:
                cursor.execute(statement)
        self._dropped = []

    def write(self, model: type[models.Model], columns: tuple[str, ...], rows: list[tuple]) -> None:
        if not rows:
            return
        table = model._meta.db_table
        self.rows[table] = self.rows.get(table, 0) + len(rows)
        kinds = _column_kinds(model, columns)
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        if self.postgres:
            self.write_csv(model, columns, encode_csv(rows))
            return
        converters = [_SQLITE[kind] for kind in kinds]
        if any(kind != "plain" for kind in kinds):
            rows = [tuple(convert(v) for convert, v in zip(converters, row, strict=True)) for row in rows]
        placeholders = ", ".join(["%s"] * len(columns))
        with connection.cursor() as cursor:
            # bandit B608 reviewed: table and column names come from the models, never from input.
            cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})", rows)  # nosec B608

    def write_csv(self, model: type[models.Model], columns: tuple[str, ...], text: str) -> None:
        """PostgreSQL: COPY rows already encoded by ``encode_csv``."""
        if not text:
            return
        _column_kinds(model, columns)
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        # CSV: an unquoted empty value is NULL, so the NOT NULL text columns read it as "".
        by_column = {f.column: f for f in model._meta.concrete_fields}
        texts = [c for c in columns if not by_column[c].null and by_column[c].get_internal_type() in TEXTUAL]
        not_null = f", FORCE_NOT_NULL ({', '.join(texts)})" if texts else ""
        sql = f"COPY {model._meta.db_table} ({quoted}) FROM STDIN WITH (FORMAT csv{not_null})"
        self._copy(sql, io.StringIO(text))

    def _copy(self, sql: str, buffer: io.StringIO) -> None:
        if self._thread is None:
            connection.ensure_connection()
            raw = connection.connection
            self._queue = queue.Queue(maxsize=4)

            def work() -> None:
                with raw.cursor() as cursor:
                    while (item := self._queue.get()) is not None:
                        if self._error is None:
                            try:
                                cursor.copy_expert(*item)
                            except BaseException as error:  # noqa: BLE001 - raised again in the loading thread
                                self._error = error

            self._thread = threading.Thread(target=work, name="generate_load COPY", daemon=True)
            self._thread.start()
        if self._error is not None:
            self.finish()
        self._queue.put((sql, buffer))

    def finish(self) -> None:
        """Wait for every COPY to end (the connection is the loading thread's again); raise the first error."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        if self._error is not None:
            error, self._error = self._error, None
            raise error


TEXTUAL = {"CharField", "TextField", "EmailField", "SlugField"}


def encode_csv(rows: list[tuple]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def _sqlite_datetime(value: datetime | None) -> str | None:
    return None if value is None else str(value.astimezone(UTC).replace(tzinfo=None))


_SQLITE: dict[str, Callable[[object], object]] = {
    "plain": lambda v: v,
    "datetime": _sqlite_datetime,
    "uuid": lambda v: v if v is None or isinstance(v, str) else v.hex,
}


def _next_id(model: type[models.Model]) -> int:
    with connection.cursor() as cursor:
        # bandit B608 reviewed: the table name comes from the model.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {model._meta.db_table}")  # nosec B608
        return cursor.fetchone()[0] + 1


def _reset_sequences(models_: Iterable[type[models.Model]]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), list(models_))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


# ----------------------------------------------------------------------------- the outcome document


def _clause_text(rng: random.Random) -> str:
    return (
        f"{rng.choice(words.CLAUSE_SUBJECTS)} {rng.choice(words.CLAUSE_VERBS)} "
        f"{rng.choice(words.CLAUSE_OBJECTS)}, {rng.choice(words.CLAUSE_QUALIFIERS)}."
    )


def documents(rng: random.Random) -> tuple[str, str]:
    """A zero draft (10 sections, 80 numbered paragraphs, some with sub-paragraphs) and its revision: some
    paragraphs reworded in substance, one removed, two added."""
    first, second = ["# Outcome document (zero draft)"], ["# Outcome document (revision 1)"]
    number = 0
    for s, topic in enumerate(words.SECTION_TOPICS, start=1):
        first.append(f"\n## {s}. {topic}")
        second.append(f"\n## {s}. {topic}")
        for _p in range(8):
            number += 1
            text = f"{_clause_text(rng)} {_clause_text(rng)}"
            subs = [f"({chr(97 + k)}) {_clause_text(rng)}" for k in range(rng.choice((0, 0, 0, 2, 3)))]
            first.append(f"{number}. {text}")
            first.extend(subs)
            if number == 17:
                continue  # removed in the revision
            if number % 9 == 4:
                text = f"{text} In particular, it {rng.choice(words.CLAUSE_VERBS)} {rng.choice(words.CLAUSE_OBJECTS)}."
            second.append(f"{number}. {text}")
            second.extend(subs)
        if s in (3, 7):
            number_new = 900 + s
            second.append(f"{number_new}. {_clause_text(rng)} {_clause_text(rng)}")
    return "\n".join(first) + "\n", "\n".join(second) + "\n"


# ----------------------------------------------------------------------------- the plan


def _code_for(slug: str) -> str:
    letters = re.sub(r"[^A-Z0-9]", "", slug.upper())
    if not letters or not letters[0].isalpha():
        letters = "L" + letters
    code = letters[:8] + hashlib.sha256(slug.encode()).hexdigest()[:3].upper()
    return code[:12] if len(code) >= 2 else code + "X"


@dataclass(slots=True)
class _Rev:
    """What ``revision_fields`` reads from a revision."""

    submission_id: int
    number: int
    change: str
    kind: str
    ground: str
    extent: str
    legal_provision: str
    justification: str
    withheld: bool
    duplicate_of_id: int | None
    version_id: int | None
    decided_by_id: int | None
    decided_at: datetime
    release_id: int | None = None


@dataclass(slots=True)
class _Decision:
    kind: str
    ground: str = ""
    extent: str = ""
    legal_provision: str = ""
    justification: str = ""
    withheld: bool = False
    links: tuple[tuple[int, int, str, str, str], ...] = ()  # identity, clause, fingerprint, extent, note
    version_id: int | None = None
    status: str = ""


class Generator:
    def __init__(self, *, submissions: int, slug: str, seed: int, now: datetime, stdout: Callable[[str], None]):
        if submissions < 1:
            raise LoadError("--submissions must be at least 1.")
        try:
            validate_slug(slug)
        except ValidationError as error:
            raise LoadError(f"--process {slug!r}: use letters, digits, hyphens and underscores only.") from error
        if len(slug) > Process._meta.get_field("slug").max_length:
            raise LoadError(f"--process: at most {Process._meta.get_field('slug').max_length} characters.")
        self.n = submissions
        self.slug = slug
        self.code = _code_for(slug)
        # Reproducible benchmark data, nothing secret (bandit B311 reviewed).
        self.seed = seed
        self.rng = random.Random(seed)  # nosec B311
        self.now = now.replace(microsecond=0)
        self.say = stdout
        self.writer = RowWriter()
        self.timings: list[tuple[str, float]] = []
        self.counts = {"revisions": 0, "links": 0, "dispositions": 0, "responses": 0}

    # --- the small parts, through the services ----------------------------------------------------

    def setup(self) -> None:
        if Process.objects.filter(slug=self.slug).exists():
            raise LoadError(f"A process with the slug {self.slug!r} exists already; choose another --process.")
        if Process.objects.filter(code=self.code).exists():
            raise LoadError(f"The code {self.code} is taken; choose another --process.")
        now = self.now
        self.opens_at = now - timedelta(days=150)
        self.closes_at = now - timedelta(days=60)
        self.adopted_at = now - timedelta(days=35)
        self.decisions_from = self.closes_at + timedelta(days=1)
        self.decisions_until = now - timedelta(days=2)
        self.organiser = User.objects.create_user(
            email=f"organiser.{self.slug}@{EMAIL_DOMAIN}",
            password=None,
            display_name="Load organiser",
            organisation="Process secretariat",
            stakeholder_kind=StakeholderKind.INTERNATIONAL_ORGANISATION,
            country="CH",
        )
        self.process = Process.objects.create(
            slug=self.slug,
            code=self.code,
            title=f"Generated consultation ({self.n:,} submissions)",
            summary="A process generated by manage.py generate_load, for benchmarks.",
            description="Generated data: fictional people, organisations and texts.",
            how_to_take_part="Sign in and file a submission while a comment round is open.",
            opens_at=self.opens_at,
            closes_at=self.closes_at,
            response_window_days=30,
        )
        process_create_default_groups(process=self.process)
        self.process.organisers.add(self.organiser)
        self.groups = {g.kind: g.pk for g in StakeholderGroup.objects.filter(process=self.process)}
        first, second = documents(self.rng)
        self.v1 = version_import(
            process=self.process,
            source=first,
            label="Zero draft",
            created_by=self.organiser,
            now=self.opens_at - timedelta(days=1),
        )
        self.round1 = round_open(
            process=self.process,
            version=self.v1,
            closes_at=self.closes_at,
            actor=self.organiser,
            now=self.opens_at,
        )
        self.v2 = version_import(
            process=self.process,
            source=second,
            label="Revision 1",
            status=VersionStatus.DRAFT,
            created_by=self.organiser,
            now=self.adopted_at - timedelta(hours=2),
        )
        self.v2 = version_adopt(version=self.v2, actor=self.organiser, now=self.adopted_at)
        self.v1_clauses = list(
            Clause.objects.filter(version=self.v1)
            .linkable()
            .order_by("position")
            .values_list("pk", "identity_id", "fingerprint", "label")
        )
        self.v2_clauses = list(
            Clause.objects.filter(version=self.v2)
            .linkable()
            .order_by("position")
            .values_list("pk", "identity_id", "fingerprint", "label")
        )
        self.process_pk, self.organiser_pk = self.process.pk, self.organiser.pk
        self.v1_pk, self.v2_pk, self.round1_pk = self.v1.pk, self.v2.pk, self.round1.pk
        merged = dict(ClauseIdentity.objects.filter(process=self.process).values_list("pk", "merged_into_id"))
        current = {(identity, fingerprint) for _pk, identity, fingerprint, _label in self.v2_clauses}
        # A link confirmed on the zero draft stays confirmed when the clause of its identity (or the one it was
        # merged into) in the adopted revision has the same fingerprint (submissions_reassess).
        self.v1_confirmed = {
            (identity, fingerprint): (merged.get(identity) or identity, fingerprint) in current
            for _pk, identity, fingerprint, _label in self.v1_clauses
        }

    # --- people ---------------------------------------------------------------------------------------

    def people(self) -> None:
        rng = self.rng
        total = max(50, int(self.n * 0.35))
        country_codes = [code for code, _name in countries]
        rng.shuffle(country_codes)
        country_codes = country_codes[:COUNTRY_COUNT]
        country_weights = [1 / (rank + 1) ** 0.9 for rank in range(len(country_codes))]
        kinds = list(GROUP_WEIGHTS)
        orgs = [f"{p} {s}" for p in words.ORG_PREFIXES for s in words.ORG_SUFFIXES]
        self.user_base = _next_id(User)
        joined = self.opens_at - timedelta(days=30)
        author_kinds = rng.choices(kinds, weights=list(GROUP_WEIGHTS.values()), k=total)
        author_countries = rng.choices(country_codes, weights=country_weights, k=total)
        self.authors: list[tuple[int, int, str, str, str, str]] = []  # id, group, country, org, name, attribution
        columns = (
            "id",
            "password",
            "is_superuser",
            "email",
            "display_name",
            "organisation",
            "stakeholder_kind",
            "country",
            "is_staff",
            "is_active",
            "date_joined",
            "notify_updates",
            "language",
        )
        rows = []
        for i in range(total):
            pk = self.user_base + i
            name = f"{rng.choice(words.FIRST_NAMES)} {rng.choice(words.LAST_NAMES)}"
            org = "" if rng.random() < 0.2 else f"{rng.choice(orgs)} {rng.randint(1, 40)}"
            country = "" if rng.random() < 0.01 else author_countries[i]
            kind = author_kinds[i]
            rows.append(
                (
                    *(pk, "!", False, f"{self.slug}.{i}@{EMAIL_DOMAIN}", name, org, kind, country),
                    *(False, True, joined, True, MAIL_LANGUAGES[(i * 37) % len(MAIL_LANGUAGES)]),
                )
            )
            attribution = Attribution.GROUP if rng.random() < GROUP_SHARE else Attribution.NAME
            self.authors.append((pk, self.groups[kind], country, org, name, attribution))
            if len(rows) >= BATCH:
                self.writer.write(User, columns, rows)
                rows = []
        self.writer.write(User, columns, rows)
        self.writer.finish()
        # Some people file much more than others.
        self.author_weights = list(_cumulative(1 / (rank + 1) ** 0.6 for rank in range(total)))

    # --- content --------------------------------------------------------------------------------------

    def text(self) -> tuple[str, str]:
        """A text of real length and the language it is written in."""
        rng = self.rng
        language, pool = self.language_table[int(rng.random() * len(self.language_table))]
        count = min(40, max(1, int(rng.lognormvariate(1.3, 0.75))))
        sentences = rng.choices(pool, k=count)
        paragraphs = [" ".join(sentences[i : i + 3]) for i in range(0, count, 3)]
        return "\n\n".join(paragraphs), language

    def campaigns(self) -> None:
        rng = self.rng
        count = max(2, self.n // 5000)
        self.campaign_texts = []
        for c in range(count):
            body = " ".join(rng.sample(words.SENTENCES["en"], 4))
            self.campaign_texts.append((f"Campaign {c + 1}: {rng.choice(words.TITLES)}", body))
        self.campaign_weights = list(_cumulative(1 / (rank + 1) ** 1.1 for rank in range(count)))

    # --- decisions ------------------------------------------------------------------------------------

    def own_decision(self, decided_at: datetime) -> _Decision:
        rng = self.rng
        kind = DECISION_TABLE[int(rng.random() * 100)]
        if kind == 0:
            early = decided_at < self.adopted_at
            clauses = self.v1_clauses if early else self.v2_clauses
            chosen = rng.sample(clauses, rng.choice((1, 1, 1, 2, 2, 3)))
            full_first = rng.random() < 0.45
            links = tuple(
                (
                    identity,
                    pk,
                    fingerprint,
                    Extent.FULL if (k == 0 and full_first) else Extent.PARTIAL,
                    rng.choice(words.LINK_NOTES),
                )
                for k, (pk, identity, fingerprint, _label) in enumerate(chosen)
            )
            extent = Extent.FULL if any(link[3] == Extent.FULL for link in links) else Extent.PARTIAL
            suspect = early and not all(self.v1_confirmed[(link[0], link[2])] for link in links)
            return _Decision(
                kind=DispositionKind.REFLECTED,
                extent=extent,
                links=links,
                version_id=self.v1_pk if early else self.v2_pk,
                status=SubmissionStatus.NEEDS_RECONFIRMATION if suspect else SubmissionStatus.REFLECTED,
            )
        version = self.v1_pk if decided_at < self.adopted_at else self.v2_pk
        if kind == 1:
            return _Decision(
                kind=DispositionKind.EXCLUDED,
                ground=ExclusionGround.LEGAL,
                legal_provision=rng.choice(words.LEGAL_PROVISIONS),
                withheld=rng.random() < 0.15,
                version_id=version,
                status=SubmissionStatus.EXCLUDED,
            )
        if kind == 2:
            return _Decision(
                kind=DispositionKind.EXCLUDED,
                ground=ExclusionGround.PUBLIC_MORALITY,
                justification=rng.choice(words.MORALITY_JUSTIFICATIONS),
                withheld=True,
                version_id=version,
                status=SubmissionStatus.EXCLUDED,
            )
        return _Decision(
            kind=DispositionKind.NOT_TAKEN_UP,
            justification=rng.choice(words.NOT_TAKEN_UP_REASONS),
            version_id=version,
            status=SubmissionStatus.NOT_TAKEN_UP,
        )

    def decided_at(self, number: int) -> datetime:
        """Organisers work through the queue in receipt order: later numbers are decided later."""
        span = self.decisions_until - self.decisions_from
        jitter = timedelta(microseconds=self.rng.randrange(1_000_000))
        return self.decisions_from + span * ((number - 1) / self.n) + jitter

    # --- the big part ---------------------------------------------------------------------------------

    def load(self, progress: Callable[[int], None]) -> None:
        rng = self.rng
        n = self.n
        # One entry per percent: a language drawn by one random number.
        self.language_table = [
            (lang, words.SENTENCES[lang]) for lang, share in words.LANGUAGE_WEIGHTS.items() for _ in range(share)
        ]
        self.campaigns()
        head = HistoryHead.objects.select_for_update().get(process=self.process)
        self.position, self.running = head.entries, head.entry_hash
        # Every id follows from the submission's number, so that chunks can be made apart, in any order: one
        # revision slot per number, then one per number for a second revision; three link slots per revision.
        self.submission_base = _next_id(Submission)
        self.revision_base = _next_id(DecisionRevision)
        self.link_base = _next_id(ClauseLink)
        self.disposition_base = _next_id(Disposition)
        self.response_base = _next_id(Response)
        span = self.closes_at - self.opens_at
        # More submissions near the deadline, as in every real consultation; in receipt order.
        self.offsets = sorted((1 - rng.random() ** 1.8) * 0.99999 for _ in range(n))
        self.received = [self.opens_at + span * offset for offset in self.offsets]
        self.author_picks = rng.choices(self.authors, cum_weights=self.author_weights, k=n)
        self.plan_campaigns()
        seconds: list[tuple[int, _Rev, tuple]] = []
        self.pending: list[int] = []
        for made in self.chunks():
            self.take(made)
            seconds.extend(made.seconds)
            if len(self.pending) < 200:
                self.pending.extend(made.pending)
            progress(made.count)
        # Second revisions (a contest answered, the decision revised) are sealed after all the first ones.
        made = _Made()
        made.revisions = sorted(seconds, key=lambda item: (item[1].decided_at, item[0]))
        self.take(made)
        self.writer.finish()
        HistoryHead.objects.filter(process=self.process).update(
            entries=self.position, entry_hash=self.running, updated_at=self.decisions_until
        )
        Process.objects.filter(pk=self.process.pk).update(last_number=n, stats_version=models.F("stats_version") + 1)
        self.extras()

    def plan_campaigns(self) -> None:
        """Which filings belong to a campaign and which are withdrawn, and each campaign's original (its first
        filing not withdrawn, decided on its own), before the chunks are made: a follower may be in any chunk."""
        rng = self.rng
        n, count = self.n, len(self.campaign_texts)
        self.campaign_of = [-1] * n
        self.withdrawn = bytearray(n)
        self.originals: dict[int, tuple[int, _Decision, datetime]] = {}  # index -> decision, time
        self.original_pk: dict[int, int] = {}  # campaign -> the original's pk
        for index in range(n):
            if rng.random() < CAMPAIGN_SHARE:
                self.campaign_of[index] = rng.choices(range(count), cum_weights=self.campaign_weights)[0]
            if rng.random() < WITHDRAWN_SHARE:
                self.withdrawn[index] = 1
        for index, campaign in enumerate(self.campaign_of):
            if campaign >= 0 and not self.withdrawn[index] and campaign not in self.original_pk:
                at = self.decided_at(index + 1)
                self.original_pk[campaign] = self.submission_base + index
                self.originals[index] = (campaign, self.own_decision(at), at)

    def chunks(self) -> Iterator[_Made]:
        """The chunks of ``BATCH`` submissions, in order, made by worker processes (on PostgreSQL as CSV ready for
        COPY) when there are a few of them."""
        ranges = [(start, min(self.n, start + BATCH)) for start in range(0, self.n, BATCH)]
        if len(ranges) < 3 or LOAD_PROCESSES < 1:
            for start, stop in ranges:
                yield _make(self, start, stop, encode=self.writer.postgres)
            return
        global _ACTIVE
        _ACTIVE = self
        # Forked now, before any COPY thread runs; the children never touch the database connection.
        with multiprocessing.get_context("fork").Pool(LOAD_PROCESSES) as pool:
            waiting: deque = deque()
            for start, stop in ranges:
                waiting.append(pool.apply_async(_make_active, (start, stop, self.writer.postgres)))
                if len(waiting) > LOAD_PROCESSES + 1:
                    yield waiting.popleft().get()
            while waiting:
                yield waiting.popleft().get()
        _ACTIVE = None

    def take(self, made: _Made) -> None:
        """Seal a chunk's revisions into the chain, in order, and write the chunk's rows."""
        rows = []
        for pk, revision, links in made.revisions:
            position, prev, digest = self.seal(revision, links)
            r = revision
            rows.append(
                (
                    pk,
                    r.submission_id,
                    r.number,
                    r.change,
                    r.kind,
                    r.ground,
                    r.extent,
                    r.legal_provision,
                    r.justification,
                    r.withheld,
                    r.duplicate_of_id,
                    r.version_id,
                    r.decided_by_id,
                    r.decided_at,
                    None,
                    position,
                    prev,
                    digest,
                )
            )
            self.counts["revisions"] += 1
            self.counts["links"] += len(links)
        self.counts["dispositions"] += made.dispositions
        self.counts["responses"] += made.responses
        w = self.writer
        for model, columns, part in (
            (Submission, SUBMISSION_COLUMNS, made.submissions),
            (DecisionRevision, REVISION_COLUMNS, rows),
            (ClauseLink, LINK_COLUMNS, made.links),
            (Disposition, DISPOSITION_COLUMNS, made.disposition_rows),
            (Response, RESPONSE_COLUMNS, made.response_rows),
        ):
            if isinstance(part, str):
                w.write_csv(model, columns, part)
            else:
                w.write(model, columns, part)

    def one(self, made: _Made, index: int, targets: list) -> None:
        rng = self.rng
        number, pk = index + 1, self.submission_base + index
        received_at = self.received[index]
        author_id, group_id, country, org, name, attribution = self.author_picks[index]
        campaign = self.campaign_of[index]
        if campaign >= 0:
            title, text = self.campaign_texts[campaign]
            language = "en"
        else:
            title = rng.choice(words.TITLES)
            text, language = self.text()
        target_clause, target_id = "", None
        if rng.random() < 0.3:
            _pk, target_id, _fp, target_clause = rng.choice(targets)
        change = rng.choice(words.PROPOSED_CHANGES) if rng.random() < 0.4 else ""
        status, withheld, withdrawn_at = SubmissionStatus.PENDING, False, None
        if self.withdrawn[index]:
            status = SubmissionStatus.WITHDRAWN
            withdrawn_at = min(received_at + timedelta(hours=rng.randint(1, 240)), self.closes_at)
        elif index in self.originals:
            # The first filing of a campaign is decided on its own; the others, when decided, "same as" it.
            _campaign, decision, at = self.originals[index]
            status, withheld = decision.status, decision.withheld
            self.decide(made, pk, number, decision, at, None, True)
        elif rng.random() < DECIDED_SHARE:
            at = self.decided_at(number)
            if campaign >= 0:
                original = self.original_pk[campaign]
                decision = self.originals[original - self.submission_base][1]
                self.decide(made, pk, number, decision, at, original, True)
            else:
                decision = self.own_decision(at)
                self.decide(made, pk, number, decision, at, None, False)
            status, withheld = decision.status, decision.withheld
        elif len(made.pending) < 200:
            made.pending.append(pk)
        made.submissions.append(
            (
                pk,
                self.process_pk,
                number,
                f"{self.code}-{number:05d}",
                author_id,
                group_id,
                country,
                org,
                name,
                attribution,
                title,
                text,
                target_clause,
                target_id,
                self.round1_pk,
                status,
                withheld,
                change,
                language,
                LanguageSource.DETECTED.value,
                hashlib.sha256(text.encode()).hexdigest(),
                f"{rng.getrandbits(128):032x}",  # a one-time form token: the hex form both databases read
                received_at,
                received_at,
                withdrawn_at,
            )
        )

    def seal(self, revision: _Rev, links: tuple) -> tuple[int, str, str]:
        self.position += 1
        prev = self.running
        self.running = entry_hash(
            kind=REVISION, position=self.position, prev_hash=prev, fields=revision_fields(revision, links)
        )
        return self.position, prev, self.running

    def revision(self, made: _Made, pk: int, revision: _Rev, links: tuple) -> None:
        """A revision to seal (in the loading process) and its clause links (three slots per revision)."""
        made.revisions.append((pk, revision, links))
        first_link = self.link_base + (pk - self.revision_base) * 3
        for k, (identity, clause, fingerprint, extent, note) in enumerate(links):
            made.links.append((first_link + k, pk, identity, clause, fingerprint, extent, note))

    def decide(
        self,
        made: _Made,
        pk: int,
        number: int,
        d: _Decision,
        at: datetime,
        duplicate_of: int | None,
        in_campaign: bool,
    ) -> None:
        rng = self.rng
        organiser = self.organiser_pk
        revision = _Rev(
            submission_id=pk,
            number=1,
            change=RevisionChange.DECIDED,
            kind=d.kind,
            ground=d.ground,
            extent=d.extent,
            legal_provision=d.legal_provision,
            justification=d.justification,
            withheld=d.withheld,
            duplicate_of_id=duplicate_of,
            version_id=d.version_id,
            decided_by_id=organiser,
            decided_at=at,
        )
        first_pk = self.revision_base + number - 1
        self.revision(made, first_pk, revision, d.links)
        current_pk, current, current_d = first_pk, revision, d
        revised = (
            duplicate_of is None
            and not in_campaign
            and d.kind == DispositionKind.REFLECTED
            and d.extent == Extent.PARTIAL
            and d.version_id == self.v2_pk
            and at < self.now - timedelta(days=10)
            and rng.random() < REVISED_SHARE
        )
        if revised:
            # Contested, answered, and decided again (fully reflected now): a second revision.
            asked = at + timedelta(days=1, seconds=rng.randrange(86_400))
            answered = asked + timedelta(days=rng.randint(1, 4))
            self.response(made, number, first_pk, ResponseKind.CONTEST, asked, answered)
            links = tuple(
                (identity, clause, fingerprint, Extent.FULL if k == 0 else extent, note)
                for k, (identity, clause, fingerprint, extent, note) in enumerate(d.links)
            )
            current_d = _Decision(
                kind=d.kind, extent=Extent.FULL, links=links, version_id=d.version_id, status=SubmissionStatus.REFLECTED
            )
            current = dataclasses.replace(revision, number=2, extent=Extent.FULL, decided_at=answered)
            current_pk = self.revision_base + self.n + number - 1
            second = _Made()
            self.revision(second, current_pk, current, links)
            made.seconds.extend(second.revisions)
            made.links.extend(second.links)
        elif rng.random() < RESPONSE_SHARE:
            kind = ResponseKind.AGREE if rng.random() < 0.6 else ResponseKind.CONTEST
            asked = min(at + timedelta(hours=rng.randint(2, 24 * 25)), self.now - timedelta(hours=1))
            answered = asked + timedelta(days=rng.randint(1, 5)) if kind == ResponseKind.CONTEST else None
            if answered is not None and (rng.random() < 0.5 or answered >= self.now):
                answered = None
            self.response(made, number, first_pk, kind, asked, answered)
        made.disposition_rows.append(
            (
                self.disposition_base + number - 1,
                pk,
                current_pk,
                current_d.kind,
                current_d.ground,
                current_d.extent,
                current_d.legal_provision,
                current_d.justification,
                current_d.withheld,
                duplicate_of,
                organiser,
                current.decided_at,
                at,
            )
        )
        made.dispositions += 1

    def response(
        self, made: _Made, number: int, revision: int, kind: str, at: datetime, answered: datetime | None
    ) -> None:
        rng = self.rng
        contest = kind == ResponseKind.CONTEST
        made.response_rows.append(
            (
                self.response_base + number - 1,
                revision,
                self.process.pk,
                kind,
                rng.choice(words.CONTEST_REASONS) if contest else "",
                at,
                rng.choice(words.CONTEST_ANSWERS) if answered is not None else "",
                answered,
                self.organiser_pk if answered is not None else None,
            )
        )
        made.responses += 1

    def extras(self) -> None:
        """A few drafted decisions waiting for release, and blocked filing attempts."""
        rng = self.rng
        drafts = []
        drafted_at = self.now - timedelta(hours=3)
        for pk in self.pending[:25]:
            if rng.random() < 0.5:
                clause = rng.choice(self.v2_clauses)[0]
                links = json.dumps([{"clause": clause, "extent": Extent.FULL, "note": ""}])
                drafts.append((pk, DispositionKind.REFLECTED, "", "", "", False, None, links, self.organiser.pk))
            else:
                reason = rng.choice(words.NOT_TAKEN_UP_REASONS)
                drafts.append((pk, DispositionKind.NOT_TAKEN_UP, "", "", reason, False, None, "[]", self.organiser.pk))
        base = _next_id(DraftDecision)
        self.writer.write(
            DraftDecision,
            DRAFT_COLUMNS,
            [(base + i, *row, drafted_at) for i, row in enumerate(drafts)],
        )
        blocked = min(5000, max(20, self.n // 200))
        # The drafts' COPY runs on this connection in the writer's thread: wait for it before reading on it here.
        self.writer.finish()
        base = _next_id(SecurityEvent)
        span = (self.closes_at - self.opens_at).total_seconds()
        reasons = [BlockReason.RATE_LIMIT] * 6 + [BlockReason.HONEYPOT] * 3 + [BlockReason.UNVERIFIED]
        rows = [
            (
                base + i,
                self.opens_at + timedelta(seconds=rng.uniform(0, span)),
                SecurityEventKind.BLOCKED,
                None,
                hashlib.sha256(f"{self.slug}-{rng.randrange(5000)}".encode()).hexdigest(),
                "file_submission",
                rng.choice(reasons),
                self.process.pk,
                json.dumps({"agent": rng.choice(words.BLOCKED_AGENTS)}),
            )
            for i in range(blocked)
        ]
        self.writer.write(SecurityEvent, SECURITY_COLUMNS, rows)


@dataclass
class _Made:
    """One chunk of submissions with their decisions: rows (or, made in a worker process, CSV ready for COPY),
    and the revisions for the loading process to seal into the chain in order."""

    count: int = 0
    submissions: list[tuple] | str = field(default_factory=list)
    revisions: list[tuple[int, _Rev, tuple]] = field(default_factory=list)
    seconds: list[tuple[int, _Rev, tuple]] = field(default_factory=list)
    links: list[tuple] | str = field(default_factory=list)
    disposition_rows: list[tuple] | str = field(default_factory=list)
    response_rows: list[tuple] | str = field(default_factory=list)
    pending: list[int] = field(default_factory=list)
    dispositions: int = 0
    responses: int = 0


# The generator the worker processes inherit when they are forked (see ``Generator.chunks``).
_ACTIVE: Generator | None = None


def _make(generator: Generator, start: int, stop: int, *, encode: bool) -> _Made:
    """Submissions ``start`` to ``stop`` (indexes), with a random generator of their own: the same data whoever
    makes them."""
    generator.rng = random.Random(f"{generator.seed}:{start}")  # nosec B311
    made = _Made(count=stop - start)
    targets = generator.v1_clauses
    for index in range(start, stop):
        generator.one(made, index, targets)
    if encode:
        made.submissions = encode_csv(made.submissions)
        made.links = encode_csv(made.links)
        made.disposition_rows = encode_csv(made.disposition_rows)
        made.response_rows = encode_csv(made.response_rows)
    return made


def _make_active(start: int, stop: int, encode: bool) -> _Made:
    return _make(_ACTIVE, start, stop, encode=encode)


def _cumulative(values: Iterable[float]) -> Iterator[float]:
    total = 0.0
    for value in values:
        total += value
        yield total


SUBMISSION_COLUMNS = (
    "id",
    "process_id",
    "number",
    "reference",
    "author_id",
    "stakeholder_group_id",
    "country",
    "organisation",
    "author_name",
    "attribution",
    "title",
    "text",
    "target_clause",
    "target_id",
    "round_id",
    "status",
    "withheld",
    "proposed_change",
    "language",
    "language_source",
    "text_sha256",
    "form_token",
    "received_at",
    "updated_at",
    "withdrawn_at",
)
REVISION_COLUMNS = (
    "id",
    "submission_id",
    "number",
    "change",
    "kind",
    "ground",
    "extent",
    "legal_provision",
    "justification",
    "withheld",
    "duplicate_of_id",
    "version_id",
    "decided_by_id",
    "decided_at",
    "release_id",
    "chain_position",
    "prev_hash",
    "entry_hash",
)
LINK_COLUMNS = ("id", "revision_id", "identity_id", "clause_id", "fingerprint", "extent", "note")
DISPOSITION_COLUMNS = (
    "id",
    "submission_id",
    "revision_id",
    "kind",
    "ground",
    "extent",
    "legal_provision",
    "justification",
    "withheld",
    "duplicate_of_id",
    "decided_by_id",
    "decided_at",
    "first_decided_at",
)
RESPONSE_COLUMNS = (
    "id",
    "revision_id",
    "process_id",
    "kind",
    "reason",
    "responded_at",
    "answer",
    "answered_at",
    "answered_by_id",
)
DRAFT_COLUMNS = (
    "id",
    "submission_id",
    "kind",
    "ground",
    "legal_provision",
    "justification",
    "withheld",
    "duplicate_of_id",
    "links",
    "drafted_by_id",
    "drafted_at",
)
SECURITY_COLUMNS = ("id", "at", "kind", "user_id", "ip_hash", "action", "reason", "process_id", "detail")

# From this many submissions on, when the load is at least as large as what the table holds, PostgreSQL builds
# the big tables' secondary indexes once at the end instead of maintaining them row by row.
REBUILD_FROM = 20_000
REBUILT_MODELS = (User, Submission, DecisionRevision, ClauseLink, Disposition)
LOADED_MODELS = (User, Submission, DecisionRevision, ClauseLink, Disposition, Response, DraftDecision, SecurityEvent)


def post_load_steps() -> list[tuple[str, Callable[[int], object]]]:
    """``POST_LOAD_STEPS`` imported (before the load: a wrong path fails it before anything is written)."""
    steps = []
    for path in POST_LOAD_STEPS:
        try:
            steps.append((path, import_string(path)))
        except ImportError as error:
            raise LoadError(f"POST_LOAD_STEPS: cannot import {path!r} ({error}).") from error
    return steps


def run_post_load_steps(
    process_id: int, say: Callable[[str], None], steps: list[tuple[str, Callable[[int], object]]]
) -> list[tuple[str, float]]:
    timings = []
    for path, step in steps:
        started = time.perf_counter()
        step(process_id)
        seconds = time.perf_counter() - started
        timings.append((path, seconds))
        say(f"  {path}: {seconds:.1f} s")
    return timings


def generate(
    *,
    submissions: int,
    slug: str,
    seed: int = 1,
    now: datetime | None = None,
    skip_triggers: bool = True,
    progress: Callable[[int], None] = lambda _n: None,
    say: Callable[[str], None] = lambda _line: None,
) -> LoadResult:
    """Generate a process with ``submissions`` submissions (see the module's docstring)."""
    g = Generator(submissions=submissions, slug=slug, seed=seed, now=now or timezone.now(), stdout=say)
    steps = post_load_steps()
    timings: list[tuple[str, float]] = []

    def step(name: str, started: float) -> float:
        seconds = time.perf_counter() - started
        timings.append((name, seconds))
        say(f"  {name}: {seconds:.1f} s")
        return time.perf_counter()

    started = time.perf_counter()
    with transaction.atomic():
        g.setup()
        started = step("process, groups, document versions and rounds (services)", started)
        replica = g.writer.skip_triggers() if skip_triggers else False
        rebuild = submissions >= REBUILD_FROM and submissions >= Submission.objects.count()
        if rebuild:
            g.writer.drop_indexes([model._meta.db_table for model in REBUILT_MODELS])
        g.people()
        started = step(f"{len(g.authors):,} people", started)
        g.load(progress)
        g.writer.finish()
        started = step(f"{submissions:,} submissions, their decisions and replies (rows)", started)
        if rebuild:
            g.writer.rebuild_indexes()
            started = step("indexes and unique constraints built again", started)
        g.writer.restore_triggers()
        _reset_sequences(LOADED_MODELS)
        # The round now open takes new submissions (the benchmark's intake files into it).
        round_open(
            process=g.process,
            version=g.v2,
            closes_at=g.now + timedelta(days=60),
            actor=g.organiser,
            now=g.now,
        )
    started = step("commit", started)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    started = step("ANALYZE", started)
    timings += run_post_load_steps(g.process.pk, say, steps)
    g.process.refresh_from_db()
    return LoadResult(
        process=g.process,
        submissions=submissions,
        users=len(g.authors),
        revisions=g.counts["revisions"],
        links=g.counts["links"],
        dispositions=g.counts["dispositions"],
        responses=g.counts["responses"],
        replica_role=replica,
        timings=timings,
    )


__all__ = ["POST_LOAD_STEPS", "LoadError", "LoadResult", "generate"]
