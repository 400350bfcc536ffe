"""Filing under abuse: a rate limit per account and per address, a honeypot, one stakeholder group per
account and process, and an organiser page that counts every blocked attempt."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from traceability.accounts.models import SecurityEvent, SecurityEventKind, StakeholderKind
from traceability.consultations.models import Submission

from .conftest import client_for
from .factories import file_submission, group_of, make_user


def filing(process, *, group=None, **extra):
    return {
        "title": "A suggestion",
        "text": "Please name every group.",
        "target_clause": "",
        "proposed_change": "",
        "stakeholder_group": (group or group_of(process)).pk,
        "attribution": "name",
        "form_token": str(uuid.uuid4()),
        **extra,
    }


def blocked(process, reason):
    return SecurityEvent.objects.filter(kind=SecurityEventKind.BLOCKED, process_id=process.pk, reason=reason)


def test_filing_is_rate_limited_per_account_with_a_clear_message_and_a_log_entry(db, process, stakeholder):
    client = client_for(stakeholder)
    url = reverse("consultations:submission-create", args=[process.slug])
    statuses = [client.post(url, filing(process)).status_code for _ in range(12)]
    assert statuses == [302] * 10 + [429, 429]
    assert Submission.objects.filter(author=stakeholder).count() == 10
    refused = client.post(url, filing(process, title="The eleventh"))
    assert "nothing was saved" in refused.content.decode()
    assert not Submission.objects.filter(title="The eleventh").exists()
    assert blocked(process, "rate_limit").filter(user=stakeholder).count() == 3
    # Another account is not held back by it.
    other = make_user(kind=StakeholderKind.CIVIL_SOCIETY)
    assert client_for(other).post(url, filing(process)).status_code == 302


def test_filing_is_rate_limited_per_address_across_accounts(db, process, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "file_submission": "10/10m/user,4/h/ip"}
    url = reverse("consultations:submission-create", args=[process.slug])
    statuses = [client_for(make_user()).post(url, filing(process)).status_code for _ in range(6)]
    assert statuses == [302] * 4 + [429, 429]
    assert Submission.objects.count() == 4
    assert blocked(process, "rate_limit").count() == 2


def test_a_filled_honeypot_saves_nothing_says_why_and_is_logged(db, process, stakeholder):
    client = client_for(stakeholder)
    url = reverse("consultations:submission-create", args=[process.slug])
    page = client.get(url).content.decode()
    assert 'name="leave_this_empty"' in page and 'tabindex="-1"' in page
    response = client.post(url, filing(process, leave_this_empty="https://buy.example"))
    assert response.status_code == 200
    assert "meant to stay empty" in response.content.decode()
    assert "buy.example" not in response.content.decode()  # sent back empty: sending again works
    assert not Submission.objects.exists()
    assert blocked(process, "honeypot").filter(user=stakeholder).count() == 1


def test_the_group_is_declared_once_per_process_and_the_author_cannot_change_it(db, process, stakeholder):
    client = client_for(stakeholder)
    url = reverse("consultations:submission-create", args=[process.slug])
    academia = group_of(process, StakeholderKind.ACADEMIA)
    assert client.post(url, filing(process, group=academia)).status_code == 302  # the first declares it
    first = Submission.objects.get()
    assert first.stakeholder_group == academia
    # A second filing that names another group is filed under the declared one (the field is fixed).
    page = client.get(url).content.decode()
    assert "One account speaks for one group in a process" in page
    assert client.post(url, filing(process, group=group_of(process, StakeholderKind.GOVERNMENT))).status_code == 302
    assert set(Submission.objects.values_list("stakeholder_group", flat=True)) == {academia.pk}
    # Editing cannot move a submission to another group either.
    edit = reverse("consultations:submission-edit", args=[process.slug, first.reference])
    data = filing(process, group=group_of(process, StakeholderKind.GOVERNMENT), form_token=first.form_token)
    client.post(edit, data)
    first.refresh_from_db()
    assert first.stakeholder_group == academia
    # And the account's own group is fixed once it has filed.
    assert client.get(url).context["form"].initial["attribution"] == "name"
    profile = client.get(reverse("accounts:profile"))
    assert profile.context["form"].fields["stakeholder_kind"].disabled


def test_the_service_refuses_a_second_group_in_one_process(db, process, stakeholder):
    from django.core.exceptions import ValidationError

    file_submission(process, stakeholder, group=group_of(process, StakeholderKind.ACADEMIA))
    with pytest.raises(ValidationError, match="one account speaks"):
        file_submission(process, stakeholder, group=group_of(process, StakeholderKind.GOVERNMENT))
    assert Submission.objects.count() == 1


def test_organisers_see_blocked_attempts_counted_by_reason(db, process, stakeholder, organiser, other_organiser):
    client = client_for(stakeholder)
    url = reverse("consultations:submission-create", args=[process.slug])
    client.post(url, filing(process, leave_this_empty="x"))
    unconfirmed = make_user(verified=False)
    client_for(unconfirmed).post(url, filing(process))
    page = client_for(organiser).get(reverse("consultations:blocked-attempts", args=[process.slug]))
    assert page.status_code == 200
    assert page.context["counts"] == {"total": 2, "day": 2, "week": 2}
    reasons = dict(page.context["reasons"])
    assert [reasons[label] for label in reasons if reasons[label]] == [1, 1]
    assert len(page.context["latest"]) == 2
    assert (
        "blocked-link"
        in client_for(organiser).get(reverse("dispositions:workspace", args=[process.slug])).content.decode()
    )
    # Only this process's organisers see it.
    assert (
        client_for(other_organiser).get(reverse("consultations:blocked-attempts", args=[process.slug])).status_code
        == 403
    )


def test_the_blocked_attempts_page_has_a_fixed_query_count(db, process, organiser, django_assert_num_queries):
    client = client_for(organiser)
    url = reverse("consultations:blocked-attempts", args=[process.slug])
    client.get(url)
    for _ in range(5):
        client_for(make_user(verified=False)).post(
            reverse("consultations:submission-create", args=[process.slug]), filing(process)
        )
    with django_assert_num_queries(7) as small:
        client.get(url)
    queries = len(small.captured_queries)  # read now: the next request resets the log
    for _ in range(20):
        client_for(make_user(verified=False)).post(
            reverse("consultations:submission-create", args=[process.slug]), filing(process)
        )
    with django_assert_num_queries(queries):
        client.get(url)


def test_a_repeat_filer_keeps_the_attribution_chosen_last(db, process, stakeholder):
    client = client_for(stakeholder)
    url = reverse("consultations:submission-create", args=[process.slug])
    assert client.post(url, filing(process, attribution="group")).status_code == 302
    assert client.get(url).context["form"].initial["attribution"] == "group"
