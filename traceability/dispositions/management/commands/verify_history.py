"""``manage.py verify_history [--process CODE]``: recompute every process's history chain from its rows."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from traceability.consultations.models import Process
from traceability.dispositions.chain import verify_chain


class Command(BaseCommand):
    help = (
        "Recompute the history chain of every process (or of one) from its events and decision revisions, and "
        "compare it with the stored hashes and head. Prints OK with the head hash and the number of entries, or "
        "the first broken entry; exits with status 1 when any chain is broken."
    )

    def add_arguments(self, parser) -> None:  # type: ignore[no-untyped-def]
        parser.add_argument("--process", metavar="CODE", help="Verify only the process with this code.")

    def handle(self, *args: object, process: str | None = None, **options: object) -> None:
        processes = Process.objects.order_by("code")
        if process is not None:
            processes = processes.filter(code__iexact=process)
            if not processes.exists():
                raise CommandError(f"No process has the code {process}.")
        broken = 0
        for each in processes.iterator():
            report = verify_chain(each)
            if report.ok:
                entries = "entry" if report.entries == 1 else "entries"
                self.stdout.write(
                    f"{each.code}: OK, {report.entries} {entries}, head {report.head}", self.style.SUCCESS
                )
                continue
            broken += 1
            found = report.broken
            position = f" (position {found.position})" if found.position is not None else ""
            self.stdout.write(
                f"{each.code}: BROKEN at {found.table} id {found.pk}{position}: {found.check} expected "
                f"{found.expected}, found {found.found} ({report.entries} entries verified before it)",
                self.style.ERROR,
            )
        if broken:
            raise CommandError(f"The history chain of {broken} process(es) is broken.", returncode=1)
