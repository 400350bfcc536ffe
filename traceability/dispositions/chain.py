"""Decision revisions in the process's history chain (see ``consultations.history``), and the verification of
whole chains: events and revisions, recomputed from the rows, against the head each process keeps."""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from traceability.consultations.history import (
    EVENT,
    GENESIS,
    REVISION,
    chain_seal_many,
    entry_hash,
    event_fields,
    instant,
)
from traceability.consultations.models import HistoryHead, Process, ProcessEvent

from .models import ClauseLink, DecisionRevision

LinkValues = tuple[int, int, str, str, str]  # identity, clause, fingerprint, extent, note

CHUNK = 2000


def revision_fields(revision: object, links: Iterable[LinkValues]) -> dict[str, object]:
    """What a revision says, as hashed: its decision, who and when, and its links (in a fixed order).
    Works on historical models in migrations too."""
    return {
        "submission": revision.submission_id,
        "number": revision.number,
        "change": revision.change,
        "kind": revision.kind,
        "ground": revision.ground,
        "extent": revision.extent,
        "legal_provision": revision.legal_provision,
        "justification": revision.justification,
        "withheld": bool(revision.withheld),
        "duplicate_of": revision.duplicate_of_id,
        "version": revision.version_id,
        "decided_by": revision.decided_by_id,
        "decided_at": instant(revision.decided_at),
        "release": revision.release_id,
        "links": sorted([list(link) for link in links]),
    }


def seal_revisions(process_id: int, revisions: list[tuple[DecisionRevision, list[LinkValues]]]) -> None:
    """Seal unsaved revisions of one process, with the links each will get, into the process's chain, in
    order (the caller saves them, with those links, in the same transaction)."""
    seals = chain_seal_many(
        process_id=process_id,
        kind=REVISION,
        fields=[revision_fields(revision, links) for revision, links in revisions],
    )
    for (revision, _links), seal in zip(revisions, seals, strict=True):
        revision.chain_position, revision.prev_hash, revision.entry_hash = (
            seal.position,
            seal.prev_hash,
            seal.entry_hash,
        )


# ----------------------------------------------------------------------------- verification


@dataclass(frozen=True)
class Entry:
    kind: str
    table: str
    pk: int
    position: int | None
    prev_hash: str
    entry_hash: str
    fields: dict[str, object]


@dataclass(frozen=True)
class Break:
    """The first place a chain does not hold: which row, what was checked, what it should be and what it is."""

    table: str
    pk: int
    position: int | None
    check: str
    expected: str
    found: str


@dataclass(frozen=True)
class ChainReport:
    process: Process
    entries: int
    head: str
    broken: Break | None

    @property
    def ok(self) -> bool:
        return self.broken is None


def _pages(queryset: QuerySet, build: Callable[[list[object]], Iterator[Entry]]) -> Iterator[Entry]:
    """The sealed rows of ``queryset`` in chain order, a page at a time (keyset on position, then id)."""
    queryset = queryset.filter(chain_position__isnull=False).order_by("chain_position", "pk")
    after: tuple[int, int] | None = None
    while True:
        page = queryset
        if after is not None:
            page = page.filter(Q(chain_position__gt=after[0]) | Q(chain_position=after[0], pk__gt=after[1]))
        rows = list(page[:CHUNK])
        if not rows:
            return
        yield from build(rows)
        after = (rows[-1].chain_position, rows[-1].pk)


def _events(rows: list[ProcessEvent]) -> Iterator[Entry]:
    table = ProcessEvent._meta.db_table
    for row in rows:
        yield Entry(EVENT, table, row.pk, row.chain_position, row.prev_hash, row.entry_hash, event_fields(row))


def _revisions(rows: list[DecisionRevision]) -> Iterator[Entry]:
    table = DecisionRevision._meta.db_table
    links: dict[int, list[LinkValues]] = defaultdict(list)
    values = ClauseLink.objects.filter(revision__in=[row.pk for row in rows]).values_list(
        "revision_id", "identity_id", "clause_id", "fingerprint", "extent", "note"
    )
    for revision_id, *link in values.order_by():
        links[revision_id].append(tuple(link))
    for row in rows:
        fields = revision_fields(row, links[row.pk])
        yield Entry(REVISION, table, row.pk, row.chain_position, row.prev_hash, row.entry_hash, fields)


def verify_chain(process: Process) -> ChainReport:
    """Recompute ``process``'s history chain from its rows and compare it with the stored hashes and head."""
    events = ProcessEvent.objects.filter(process=process)
    revisions = DecisionRevision.objects.filter(submission__process=process)
    for queryset in (events, revisions):
        unsealed = queryset.filter(chain_position__isnull=True).order_by("pk").values_list("pk", flat=True).first()
        if unsealed is not None:
            table = queryset.model._meta.db_table
            return ChainReport(process, 0, "", Break(table, unsealed, None, "sealed", "a chain position", "none"))
    entries = heapq.merge(_pages(events, _events), _pages(revisions, _revisions), key=lambda entry: entry.position)
    count, running = 0, GENESIS
    for entry in entries:
        count += 1
        where = (entry.table, entry.pk, entry.position)
        if entry.position != count:
            return ChainReport(process, count - 1, running, Break(*where, "position", str(count), str(entry.position)))
        if entry.prev_hash != running:
            return ChainReport(process, count - 1, running, Break(*where, "previous hash", running, entry.prev_hash))
        digest = entry_hash(kind=entry.kind, position=count, prev_hash=running, fields=entry.fields)
        if digest != entry.entry_hash:
            return ChainReport(process, count - 1, running, Break(*where, "entry hash", digest, entry.entry_hash))
        running = digest
    head = HistoryHead.objects.filter(process=process).first()
    stored = (head.entries, head.entry_hash) if head else (0, GENESIS)
    if stored != (count, running):
        broken = Break(
            HistoryHead._meta.db_table, process.pk, None, "head", f"{count} {running}", f"{stored[0]} {stored[1]}"
        )
        return ChainReport(process, count, running, broken)
    return ChainReport(process, count, running, None)
