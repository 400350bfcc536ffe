"""The production task backend: RQ on a real Redis. A receipt enqueued through django-tasks-rq is run by
a real RQ worker (in burst mode, in this process so that it sees the test database) and delivered.

Redis is looked for at $REDIS_URL (default redis://127.0.0.1:6379). Without one the test is skipped
locally, and fails under CI=true: CI must provide Redis, never silently skip the production path."""

from __future__ import annotations

import os
import uuid

import django_rq
import pytest
import redis
from django.core import mail
from django.urls import reverse

from traceability.accounts.models import Notification, NotificationStatus
from traceability.consultations.models import Submission

from .conftest import client_for
from .factories import group_of

BASE = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0").rsplit("/", 1)[0]
# A database of its own per test run, so that runs side by side do not take each other's jobs.
REDIS_URL = f"{BASE}/{10 + os.getpid() % 6}"


@pytest.fixture
def rq_backend(settings):
    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs a Redis server at {REDIS_URL}: {error}")
        pytest.skip(f"no Redis server at {REDIS_URL}")
    connection.flushdb()
    settings.RQ_QUEUES = {name: {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 60} for name in settings.TASK_QUEUES}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": settings.TASK_QUEUES}}
    yield django_rq.get_queue("default")
    connection.flushdb()
    connection.close()


@pytest.mark.django_db(transaction=True)
def test_a_receipt_goes_through_redis_and_a_real_rq_worker(rq_backend, stakeholder, process):
    response = client_for(stakeholder).post(
        reverse("consultations:submission-create", args=[process.slug]),
        {
            "title": "Through Redis",
            "text": "Queued on Redis, run by RQ.",
            "stakeholder_group": group_of(process).pk,
            "attribution": "name",
            "form_token": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 302

    assert rq_backend.count == 1  # the task waits on Redis; nothing was sent in the request
    assert mail.outbox == []
    assert Notification.objects.get().status == NotificationStatus.QUEUED

    worker = django_rq.get_worker("default", job_class="django_tasks_rq.Job", worker_class="rq.SimpleWorker")
    assert worker.work(burst=True)

    assert rq_backend.count == 0
    assert Notification.objects.get().status == NotificationStatus.SENT
    assert len(mail.outbox) == 1
    assert Submission.objects.get().reference in mail.outbox[0].body


@pytest.mark.django_db(transaction=True)
def test_figures_wait_on_their_own_queue_which_the_worker_empties_first(rq_backend, settings, process):
    """As production runs it (``rqworker figures default``): a figure counted again after a decision goes to the
    "figures" queue, and a worker of both queues takes it before a download's build queued earlier."""
    from traceability.reports.tasks import build_export, enqueue_figures, refresh_interaction

    build = build_export.enqueue(10**9)
    figures = enqueue_figures(refresh_interaction, process.pk, None)
    assert django_rq.get_queue("figures").job_ids == [figures.id]
    assert rq_backend.job_ids == [build.id]

    worker = django_rq.get_worker(
        *settings.TASK_QUEUES, job_class="django_tasks_rq.Job", worker_class="rq.SimpleWorker"
    )
    assert worker.work(burst=True, max_jobs=1)
    assert django_rq.get_queue("figures").count == 0 and rq_backend.job_ids == [build.id]
    assert refresh_interaction.get_result(figures.id).status == "SUCCESSFUL"
