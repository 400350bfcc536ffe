"""Importing outcome document versions."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from traceability.accounts.models import User
from traceability.consultations.models import Process

from .models import Clause, DocumentVersion, VersionStatus
from .parsing import parse_document


@transaction.atomic
def version_import(
    *, process: Process, source: str, label: str, status: str = VersionStatus.DRAFT, created_by: User | None
) -> DocumentVersion:
    """Parse ``source`` and store it as the process's next document version.

    Raises ``DocumentError`` before writing anything if the text has no usable clauses.
    """
    parsed = parse_document(source)
    Process.objects.select_for_update().filter(pk=process.pk).first()
    last = DocumentVersion.objects.filter(process=process).aggregate(n=Max("number"))["n"] or 0
    version = DocumentVersion(
        process=process, number=last + 1, label=label, status=status, source=source, created_by=created_by
    )
    version.full_clean()
    version.save()
    process.touch()

    # Insert level by level so every parent has its primary key before its children.
    rows: dict[int, Clause] = {}
    by_depth: dict[int, list[tuple[int, object]]] = {}
    for position, item in enumerate(parsed, start=1):
        by_depth.setdefault(item.depth, []).append((position, item))
    index = {id(item): position for position, item in enumerate(parsed, start=1)}
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
            )
            rows[position] = clause
            batch.append(clause)
        Clause.objects.bulk_create(batch, batch_size=500)
    return version
