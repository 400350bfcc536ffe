"""Importing outcome document versions, matching them to the version before, adopting the match."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from traceability.accounts.models import User
from traceability.consultations.models import Process

from .matching import Side, normalise, propose, relate
from .models import Clause, ClauseIdentity, ClauseMatch, DocumentVersion, MatchRelation, VersionStatus
from .parsing import DocumentError, ParsedDocument, parse_document


class NothingToImport(DocumentError):
    """The text is the same as the newest adopted version."""


def clause_fingerprint(heading: str, text: str) -> str:
    """SHA-256 of the clause's heading and text with whitespace normalised: what a link is confirmed against."""
    return hashlib.sha256(normalise(f"{heading}\n{text}").encode("utf-8")).hexdigest()


def _side(clause: Clause) -> Side:
    return Side(
        key=clause.pk,
        label=clause.label,
        text=f"{clause.heading}\n{clause.text}".strip(),
        position=clause.position,
        linkable=clause.linkable,
    )


def _same_text(parsed: ParsedDocument, previous: DocumentVersion) -> bool:
    old = list(previous.clauses.order_by("position").values_list("label", "heading", "text"))
    new = [(c.label, c.heading, c.text) for c in parsed.clauses]
    if len(old) != len(new):
        return False
    return all(
        label == new_label and normalise(f"{heading}\n{text}") == normalise(f"{new_heading}\n{new_text}")
        for (label, heading, text), (new_label, new_heading, new_text) in zip(old, new, strict=True)
    )


@transaction.atomic
def version_import(
    *,
    process: Process,
    source: str,
    label: str,
    status: str = VersionStatus.DRAFT,
    created_by: User | None,
    now: datetime | None = None,
) -> DocumentVersion:
    """Parse ``source`` and store it as the process's next document version.

    A first version is adopted at once. A later one is matched against the newest adopted version
    and waits for the organisers to review and adopt the match. Raises ``DocumentError`` before
    writing anything if the text has no usable clauses, if it is the same text as the newest adopted
    version (``NothingToImport``), or if another version is still waiting for adoption.
    """
    now = now or timezone.now()
    parsed = parse_document(source, language=process.original_language)
    Process.objects.select_for_update().filter(pk=process.pk).first()
    waiting = DocumentVersion.objects.pending_for(process)
    if waiting is not None:
        raise DocumentError(
            _(
                "Version %(number)d (%(label)s) is still waiting for its matching to be adopted. "
                "Adopt or discard it first."
            )
            % {"number": waiting.number, "label": waiting.label}
        )
    final = DocumentVersion.objects.filter(process=process, status=VersionStatus.FINAL).adopted().first()
    if final is not None and status != VersionStatus.FINAL:
        # Links follow clauses forward only: a draft after the final text would re-route the final's links.
        raise DocumentError(
            _(
                "The final text (version %(number)d) is adopted. Import a corrected final text, "
                "with the status Final, rather than a draft."
            )
            % {"number": final.number}
        )
    previous = DocumentVersion.objects.latest_for(process)
    if previous is not None and _same_text(parsed, previous):
        raise NothingToImport(
            _("This text is the same as version %(number)d (%(label)s). Nothing was imported.")
            % {"number": previous.number, "label": previous.label}
        )
    last = DocumentVersion.objects.filter(process=process).aggregate(n=Max("number"))["n"] or 0
    version = DocumentVersion(
        process=process,
        number=last + 1,
        label=label,
        title=parsed.title[:300],
        status=status,
        source=source,
        created_by=created_by,
    )
    version.full_clean()
    version.save()

    # Insert level by level so every parent has its primary key before its children.
    rows: dict[int, Clause] = {}
    by_depth: dict[int, list[tuple[int, object]]] = defaultdict(list)
    index = {id(item): position for position, item in enumerate(parsed.clauses, start=1)}
    for position, item in enumerate(parsed.clauses, start=1):
        by_depth[item.depth].append((position, item))
    for depth in sorted(by_depth):
        batch = []
        for position, item in by_depth[depth]:
            clause = Clause(
                version=version,
                parent=rows[index[id(item.parent)]] if item.parent is not None else None,
                kind=item.kind,
                eid=item.eid,
                label=item.label,
                heading=item.heading,
                text=item.text,
                position=position,
                depth=item.depth,
                linkable=item.linkable,
                fingerprint=clause_fingerprint(item.heading, item.text),
            )
            rows[position] = clause
            batch.append(clause)
        Clause.objects.bulk_create(batch, batch_size=500)

    if previous is None:
        version_adopt_identities(version=version, now=now)
    else:
        old = [_side(c) for c in previous.clauses.order_by("position")]
        new = [_side(rows[position]) for position in sorted(rows)]
        ClauseMatch.objects.bulk_create(
            (
                ClauseMatch(
                    version=version, previous_id=pair.old, clause_id=pair.new, relation=pair.relation, score=pair.score
                )
                for pair in propose(old, new)
            ),
            batch_size=500,
        )
    process.touch()
    return version


def _predecessor(version: DocumentVersion) -> DocumentVersion | None:
    return (
        DocumentVersion.objects.filter(process_id=version.process_id, number__lt=version.number)
        .adopted()
        .order_by("-number")
        .first()
    )


@transaction.atomic
def match_correct(
    *, version: DocumentVersion, clause: Clause, previous_labels: list[str], editorial: bool, actor: User
) -> list[ClauseMatch]:
    """Set which clauses of the version before ``clause`` comes from (none: it is new), by their labels.

    The relations of every match are derived again from the corrected edges (a clause named by two new
    clauses is split, two clauses named by one are merged, a clause no one names is removed).
    """
    version = DocumentVersion.objects.select_for_update().get(pk=version.pk)
    if not version.process.is_organiser(actor):
        raise PermissionDenied
    if version.is_adopted:
        raise ValidationError(_("This version is already adopted; its matching can no longer change."))
    if clause.version_id != version.pk:
        raise ValidationError(_("Choose a clause of this version."))
    previous_version = _predecessor(version)
    old_clauses = {c.label: c for c in previous_version.clauses.all()}
    unknown = [label for label in previous_labels if label not in old_clauses]
    if unknown:
        raise ValidationError(
            {
                "previous": _("Version %(number)d has no clause labelled %(labels)s.")
                % {"number": previous_version.number, "labels": ", ".join(unknown)}
            }
        )
    chosen = {old_clauses[label].pk for label in previous_labels}
    edges = {
        (m.previous_id, m.clause_id): m
        for m in ClauseMatch.objects.filter(version=version, previous__isnull=False, clause__isnull=False)
    }
    kept = {key: m for key, m in edges.items() if key[1] != clause.pk}
    flags = {key: (m.editorial, m.corrected) for key, m in kept.items()}
    for old_pk in chosen:
        flags[(old_pk, clause.pk)] = (editorial, True)
    old = [_side(c) for c in old_clauses.values()]
    new = [_side(c) for c in version.clauses.all()]
    pairs = relate(sorted(old, key=lambda s: s.position), sorted(new, key=lambda s: s.position), list(flags))
    ClauseMatch.objects.filter(version=version).delete()
    return ClauseMatch.objects.bulk_create(
        (
            ClauseMatch(
                version=version,
                previous_id=pair.old,
                clause_id=pair.new,
                relation=pair.relation,
                score=pair.score,
                # relate() returns every given edge; only NEW and REMOVED pairs are not among them.
                editorial=flags.get((pair.old, pair.new), (False, False))[0],
                corrected=pair.new == clause.pk or flags.get((pair.old, pair.new), (False, False))[1],
            )
            for pair in pairs
        ),
        batch_size=500,
    )


@transaction.atomic
def version_discard(*, version: DocumentVersion, actor: User) -> None:
    """Delete a version that was imported but not adopted (nothing links to it yet)."""
    version = DocumentVersion.objects.select_for_update().get(pk=version.pk)
    if not version.process.is_organiser(actor):
        raise PermissionDenied
    if version.is_adopted:
        raise ValidationError(_("An adopted version is part of the record and cannot be discarded."))
    ClauseMatch.objects.filter(version=version).delete()
    Clause.objects.filter(version=version).update(parent=None)
    version.delete()


@transaction.atomic
def version_adopt_identities(*, version: DocumentVersion, now: datetime) -> None:
    """Give every clause of ``version`` its permanent identity and fingerprint from the reviewed match.

    The links that follow those identities live in the dispositions app, which calls this inside the
    transaction that also re-assesses them (dispositions.services.version_adopt).
    """
    if version.is_adopted:
        raise ValidationError(_("This version is already adopted."))
    clauses = list(version.clauses.order_by("position"))
    matches = list(ClauseMatch.objects.filter(version=version).select_related("previous"))
    preds: dict[int, list[ClauseMatch]] = defaultdict(list)
    succs: dict[int, list[int]] = defaultdict(list)
    for match in matches:
        if match.clause_id and match.previous_id:
            preds[match.clause_id].append(match)
            succs[match.previous_id].append(match.clause_id)
    position = {c.pk: c.position for c in clauses}
    taken: set[int] = set()  # identities already carried by a clause of this version
    merged: dict[int, int] = {}  # identity -> the identity it merged into
    new_identities: list[tuple[Clause, int | None]] = []  # clause, split_from
    for clause in clauses:
        incoming = sorted(preds.get(clause.pk, []), key=lambda m: m.previous.position)
        carried = None
        for match in incoming:
            identity = match.previous.identity_id
            # A split's first part (in document order) carries the identity on.
            first_part = min(succs[match.previous_id], key=position.__getitem__)
            if identity not in taken and first_part == clause.pk:
                carried = identity
                break
        if carried is None:
            new_identities.append((clause, incoming[0].previous.identity_id if incoming else None))
        else:
            taken.add(carried)
            clause.identity_id = carried
        substance_kept = len(incoming) == 1 and (
            incoming[0].relation in (MatchRelation.UNCHANGED, MatchRelation.RENUMBERED) or incoming[0].editorial
        )
        if substance_kept and len(succs[incoming[0].previous_id]) == 1:
            clause.fingerprint = incoming[0].previous.fingerprint
        for match in incoming:
            if match.previous.identity_id != clause.identity_id and clause.identity_id is not None:
                merged.setdefault(match.previous.identity_id, clause.identity_id)
    created = ClauseIdentity.objects.bulk_create(
        [
            ClauseIdentity(process_id=version.process_id, introduced_in=version, split_from_id=split_from)
            for _clause, split_from in new_identities
        ],
        batch_size=500,
    )
    for (clause, _split_from), identity in zip(new_identities, created, strict=True):
        clause.identity_id = identity.pk
    # Merges whose surviving clause got a new identity (a many-to-many edit) point at it now.
    for clause in clauses:
        for match in preds.get(clause.pk, []):
            old_identity = match.previous.identity_id
            if old_identity != clause.identity_id and old_identity not in taken:
                if len(succs[match.previous_id]) == 1:
                    merged.setdefault(old_identity, clause.identity_id)
    Clause.objects.bulk_update(clauses, ["identity", "fingerprint"], batch_size=500)
    for old_identity, into in merged.items():
        if old_identity in taken:
            continue
        # Keep every chain one step long: what merged into old_identity now merges into ``into``.
        ClauseIdentity.objects.filter(merged_into_id=old_identity).update(merged_into_id=into)
        ClauseIdentity.objects.filter(pk=old_identity).update(merged_into_id=into)
    version.adopted_at = now
    version.save(update_fields=["adopted_at"])
