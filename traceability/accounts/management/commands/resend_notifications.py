"""Queue again the notifications that are due, and with --failed those that gave up."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser

from traceability.accounts.services import notifications_resend


class Command(BaseCommand):
    help = (
        "Hand queued notifications whose retry time has come (and those stuck 'sending') to the task "
        "backend again; with --failed, also the failed ones, their attempts counted afresh. Safe to run "
        "from cron: a notification is sent at most once per claim."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--failed", action="store_true", help="Also resend notifications marked failed.")
        parser.add_argument("ids", nargs="*", type=int, help="Only these notification ids.")

    def handle(self, *args: object, failed: bool, ids: list[int], **options: object) -> None:
        queued = notifications_resend(failed=failed, ids=ids or None)
        self.stdout.write(f"{len(queued)} notification(s) queued again.")
