"""``manage.py generate_load --submissions N [--process SLUG] [--seed S]``: a large, realistic process for
benchmarks (see ``traceability.demo.loadgen``)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from traceability.demo.loadgen import LoadError, generate


class Command(BaseCommand):
    help = (
        "Generate a closed process with N submissions (skewed stakeholder groups, about 190 countries, texts of "
        "real length in a few languages, about 70% decided on both grounds, campaigns decided 'same as', replies) "
        "and a comment round open for new filings. COPY on PostgreSQL, batched inserts on SQLite. For benchmarks: "
        "it adds a process and thousands of accounts (@load.trace) to the database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--submissions", type=int, required=True, help="how many submissions (at least 1)")
        parser.add_argument("--process", default="generated-load", help="the new process's slug")
        parser.add_argument("--seed", type=int, default=1, help="random seed (the same seed makes the same data)")
        parser.add_argument(
            "--keep-triggers",
            action="store_true",
            help="PostgreSQL: load with the triggers on (foreign keys checked) even when the role may turn them off",
        )

    def handle(self, *args: object, **options: object) -> None:
        total = options["submissions"]
        started = time.perf_counter()
        self.stdout.write(f"Generating {total:,} submissions in process {options['process']!r}:")
        bar = tqdm(total=total, unit=" submissions", unit_scale=True, dynamic_ncols=True, leave=False, disable=None)
        try:
            result = generate(
                submissions=total,
                slug=options["process"],
                seed=options["seed"],
                skip_triggers=not options["keep_triggers"],
                progress=bar.update,
                say=lambda line: bar.write(line, file=self.stdout._out),
            )
        except LoadError as error:
            raise CommandError(str(error)) from error
        finally:
            bar.close()
        seconds = time.perf_counter() - started
        mode = "COPY, triggers off" if result.replica_role else "triggers on"
        if result.process and not result.replica_role and not options["keep_triggers"]:
            from django.db import connection

            if connection.vendor != "postgresql":
                mode = "batched inserts"
        self.stdout.write(
            self.style.SUCCESS(
                f"Done in {seconds:.1f} s ({mode}): process {result.process.code} "
                f"({result.process.get_absolute_url()}), {result.submissions:,} submissions from {result.users:,} "
                f"people, {result.dispositions:,} decided ({result.revisions:,} revisions, {result.links:,} clause "
                f"links), {result.responses:,} replies."
            )
        )
