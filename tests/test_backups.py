"""A backup restores into a fresh database with every row and every published snapshot intact.

Runs on the suite's own engine: pg_dump/pg_restore on PostgreSQL, SQLite's online backup API on SQLite.
The demo is loaded, backed up, restored into a second, fresh database (a new database on the same
PostgreSQL server, or a new SQLite file), and the two are compared model by model."""

from __future__ import annotations

import copy
import stat
from io import StringIO

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.db.utils import load_backend

from traceability.publications.models import Snapshot
from traceability.publications.snapshots import sha256

pytestmark = pytest.mark.django_db(transaction=True)


def is_sqlite(alias: str = "default") -> bool:
    return connections[alias].vendor == "sqlite"


@pytest.fixture
def fresh_database(tmp_path):
    """A second, empty database of the suite's engine, reachable as the alias ``restored``."""
    config = copy.deepcopy(connections["default"].settings_dict)
    if is_sqlite():
        config["NAME"] = str(tmp_path / "restored.sqlite3")
    else:
        config["NAME"] = f"{config['NAME']}_restored"
        with connections["default"].cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}"')
            cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
    # Made by hand rather than added to DATABASES: Django lets a test use a connection created on the fly.
    connections["restored"] = load_backend(config["ENGINE"]).DatabaseWrapper(config, alias="restored")
    yield "restored"
    connections["restored"].close()
    del connections["restored"]
    if config["ENGINE"].endswith("postgresql"):
        with connections["default"].cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}" WITH (FORCE)')


def counts(alias: str) -> dict[str, int]:
    """Rows per model of every one of Trace's apps."""
    return {
        model._meta.label: model._base_manager.using(alias).count()
        for config in apps.get_app_configs()
        if config.name.startswith("traceability.")
        for model in config.get_models()
    }


def snapshot_hashes(alias: str) -> list[tuple[str, int, str]]:
    return list(
        Snapshot.objects.using(alias)
        .order_by("process__code", "number")
        .values_list("process__code", "number", "sha256")
    )


def run(command: str, *args: object) -> str:
    out = StringIO()
    call_command(command, *[str(arg) for arg in args], stdout=out)
    return out.getvalue()


def test_a_backup_of_the_demo_restores_into_a_fresh_database_with_every_row_and_snapshot(tmp_path, fresh_database):
    call_command("load_demo", "--force", stdout=StringIO())
    before = counts("default")
    hashes = snapshot_hashes("default")
    assert any(code == "NET25" for code, _number, _digest in hashes), "the demo publishes NET25's report"
    assert before["consultations.Submission"] > 0 and before["dispositions.DecisionRevision"] > 0

    backup = tmp_path / "backups" / ("trace.sqlite3" if is_sqlite() else "trace.pgdump")
    output = run("backup_db", "--output", backup)
    assert f"to {backup}" in output
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert [path.name for path in backup.parent.iterdir()] == [backup.name]  # no partial file left behind

    output = run("restore_db", backup, "--database", fresh_database)
    assert output.startswith("Restored into")
    assert f"{sum(before.values()):,} rows" in output

    assert counts(fresh_database) == before
    assert snapshot_hashes(fresh_database) == hashes
    for snapshot in Snapshot.objects.using(fresh_database).all():
        assert sha256(bytes(snapshot.content)) == snapshot.sha256
        assert len(snapshot.content) == snapshot.size


def test_restore_refuses_a_database_that_is_not_empty_unless_forced(tmp_path, fresh_database):
    call_command("load_demo", "--force", stdout=StringIO())
    before = counts("default")
    backup = tmp_path / "trace.backup"
    run("backup_db", "--output", backup)
    run("restore_db", backup, "--database", fresh_database)

    with pytest.raises(CommandError, match="is not empty .*--force"):
        run("restore_db", backup, "--database", fresh_database)

    # A report's figures kept from the data being replaced must not outlive it: the restored processes reach the
    # same versions (stats_version) again with other figures.
    cache.set("trace:kept-before-the-restore", "figures of the replaced data")
    output = run("restore_db", backup, "--database", fresh_database, "--force")
    assert output.startswith("Replaced the contents of")
    assert "Emptied the cache" in output and cache.get("trace:kept-before-the-restore") is None
    assert counts(fresh_database) == before
    assert snapshot_hashes(fresh_database) == snapshot_hashes("default")


def test_a_backup_never_overwrites_a_file(tmp_path):
    target = tmp_path / "existing"
    target.write_bytes(b"keep me")
    with pytest.raises(CommandError, match="already exists"):
        run("backup_db", "--output", target)
    assert target.read_bytes() == b"keep me"


def test_restore_refuses_a_file_that_is_no_backup_of_this_engine(tmp_path, fresh_database):
    junk = tmp_path / "junk"
    junk.write_bytes(b"not a backup")
    with pytest.raises(CommandError, match="neither a SQLite database nor a pg_dump"):
        run("restore_db", junk, "--database", fresh_database)

    other = tmp_path / "other-engine"
    other.write_bytes(b"PGDMP\x01\x0e" if is_sqlite() else b"SQLite format 3\x00")
    with pytest.raises(CommandError, match="restore it into a database of the engine it came from"):
        run("restore_db", other, "--database", fresh_database)


def test_a_restore_says_when_it_could_not_empty_a_cache(tmp_path, fresh_database, settings):
    """A cache server that is down does not undo the restore, but the operator is told to empty it by hand."""
    backup = tmp_path / "trace.backup"
    run("backup_db", "--output", backup)
    # Nothing listens on port 9 of this machine (the discard service is not run): every command to it fails.
    settings.CACHES = {
        **settings.CACHES,
        "down": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"},
    }
    output = run("restore_db", backup, "--database", fresh_database)
    assert output.startswith("Restored into")
    assert "Could not empty the cache (ConnectionError" in output and "Emptied the cache" not in output
