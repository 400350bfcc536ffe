"""The fixed cast of every test: anonymous, a stakeholder, an organiser of this
process, an organiser of another process, and a site admin."""

from __future__ import annotations

import os

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import translation

from traceability.accounts.middleware import MFA_SESSION_KEY
from traceability.accounts.models import StakeholderKind, User
from traceability.consultations.models import Process

from .factories import make_process, make_user


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix) -> None:
    """Give each test run its own database, so two runs on one machine never share one."""
    from django.conf import settings

    test = settings.DATABASES["default"].setdefault("TEST", {})
    name = test.get("NAME") or f"test_{settings.DATABASES['default']['NAME']}"
    if name.endswith(".sqlite3"):
        name = name[: -len(".sqlite3")]
    suffix = f"_{os.getpid()}"
    test["NAME"] = (
        f"{name}{suffix}.sqlite3" if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") else f"{name}{suffix}"
    )


@pytest.fixture(autouse=True)
def empty_cache(request):
    """Every test that uses the database starts with an empty cache (the cache is a database table, as
    in the embedded default): cached indicators and rate-limit counts never leak between tests."""
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or "live_server" in request.fixturenames
    if marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        transactional = True
    if not (transactional or marker is not None or "db" in request.fixturenames):
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def english_between_tests():
    """Each test starts and ends in English. A request activates its address's language in the thread that
    serves it, and the test client serves in the test's own thread: without this, a page read in French would
    leave the next test reversing URLs and rendering mail in French."""
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def immediate_tasks(settings) -> None:
    """Tasks run at once, in the process that enqueues them (after the transaction commits, since
    ``notify`` enqueues on commit): a test sees the mail a user would get once the worker ran, and
    exercises the same task code. The tests of the worker itself (test_notifications.py) switch to
    the database backend and run the real ``db_worker``."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend", "QUEUES": settings.TASK_QUEUES}
    }


@pytest.fixture
def queued_tasks(settings):  # type: ignore[no-untyped-def]
    """Tasks wait in a queue, as with a worker that has not run yet, instead of running at once: the backend's
    ``results`` lists them, and a test runs one with ``task.call(*result.args, **result.kwargs)``. Every process
    counts as large enough for its slow figures to be made in the background (``caching.in_background``)."""
    from django_tasks import default_task_backend

    settings.TRACE_BACKGROUND_FROM = 0
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": settings.TASK_QUEUES}
    }
    default_task_backend.clear()
    return default_task_backend


@pytest.fixture(autouse=True)
def exports_storage(settings, tmp_path) -> None:
    """Built downloads go to a directory of the test's own, removed with it."""
    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "exports"},
        },
    }


@pytest.fixture(autouse=True)
def fast_password_hashing(settings) -> None:
    # Hashing strength is Django's concern; tests need speed.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def stakeholder(db) -> User:
    return make_user(kind=StakeholderKind.CIVIL_SOCIETY, country="KE", display_name="Amina Stakeholder")


@pytest.fixture
def other_stakeholder(db) -> User:
    return make_user(kind=StakeholderKind.PRIVATE_SECTOR, country="DE", display_name="Other Stakeholder")


@pytest.fixture
def organiser(db) -> User:
    return make_user(kind=StakeholderKind.GOVERNMENT, country="BR", display_name="Olu Organiser")


@pytest.fixture
def other_organiser(db) -> User:
    return make_user(kind=StakeholderKind.ACADEMIA, country="FR", display_name="Other Organiser")


@pytest.fixture
def admin_user(db) -> User:
    return User.objects.create_superuser(email="admin@example.org", password="admin-password-123")


@pytest.fixture
def process(organiser) -> Process:
    return make_process(phase="open", code="IGF25", organisers=(organiser,))


@pytest.fixture
def closed_process(organiser) -> Process:
    return make_process(phase="closed", code="WSIS20", organisers=(organiser,))


@pytest.fixture
def other_process(other_organiser) -> Process:
    return make_process(phase="open", code="OTHER", organisers=(other_organiser,))


def client_for(user: User | None, *, mfa: bool = True) -> Client:
    """A client signed in as ``user``; with ``mfa`` (the default), as after entering the second factor
    too, which organisers need for the workspace (tests of that rule pass ``mfa=False``)."""
    client = Client()
    if user is not None:
        client.force_login(user)
        if mfa:
            session = client.session
            session[MFA_SESSION_KEY] = user.pk
            session.save()
    return client


@pytest.fixture
def anon_client() -> Client:
    return Client()


@pytest.fixture
def stakeholder_client(stakeholder) -> Client:
    return client_for(stakeholder)


@pytest.fixture
def organiser_client(organiser) -> Client:
    return client_for(organiser)


@pytest.fixture
def other_organiser_client(other_organiser) -> Client:
    return client_for(other_organiser)


def pytest_collection_modifyitems(config, items):
    """Tests of one database's own machinery run in that database's pass of the suite (CI runs both) and are
    deselected, not skipped, in the other: under CI=true no test is skipped."""
    from django.db import connection

    other = "sqlite_only" if connection.vendor == "postgresql" else "postgresql_only"
    deselected = [item for item in items if item.get_closest_marker(other)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker(other)]
