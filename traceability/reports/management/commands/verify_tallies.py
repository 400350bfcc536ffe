"""``manage.py verify_tallies [--process SLUG]``: compare every tally with a recount from the rows."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from traceability.consultations.models import Process
from traceability.reports.tallies import differences


class Command(BaseCommand):
    help = (
        "Recount the report's tallies from the submissions, dispositions and drafts, and compare: exits with an "
        "error naming every key whose stored count differs (run rebuild_tallies to repair)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--process", help="The slug of one process to check (default: every process).")

    def handle(self, *args: object, process: str | None = None, **options: object) -> None:
        process_id = None
        if process:
            found = Process.objects.filter(slug=process).values_list("pk", flat=True).first()
            if found is None:
                raise CommandError(f"No process has the slug {process!r}.")
            process_id = found
        found_differences = differences(process_id)
        if found_differences:
            lines = [
                f"{d.table} "
                + " ".join(f"{name}={value}" for name, value in d.key.items())
                + f": stored {d.stored}, expected {d.expected}"
                for d in found_differences
            ]
            raise CommandError(f"{len(found_differences)} tally keys differ from a recount:\n" + "\n".join(lines))
        self.stdout.write("Every tally equals a recount.")
