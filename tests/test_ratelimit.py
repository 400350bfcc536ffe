"""The filing's rate limits: read from ACCOUNT_RATE_LIMITS in allauth's notation, counted without a lock, so a burst
under the limit is never refused and a request over it always is."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from traceability.accounts import ratelimit

from .factories import make_user

pytestmark = pytest.mark.django_db


def test_the_limits_are_read_in_allauths_notation_and_a_typo_is_refused(settings):
    settings.ACCOUNT_RATE_LIMITS = {"file_submission": "10/10m/user, 100/d/user,60/h/ip"}
    assert ratelimit.rates("file_submission") == [(10, 600, "user"), (100, 86400, "user"), (60, 3600, "ip")]
    settings.ACCOUNT_RATE_LIMITS = {"file_submission": "10 per minute"}
    with pytest.raises(ImproperlyConfigured, match="10 per minute"):
        ratelimit.rates("file_submission")
    settings.ACCOUNT_RATE_LIMITS = False  # TRACE_RATE_LIMITS=off
    assert ratelimit.rates("file_submission") == []


def test_each_limit_refuses_only_past_its_amount_for_its_own_user_or_address(settings):
    settings.ACCOUNT_RATE_LIMITS = {"file_submission": "3/h/user,5/h/ip"}
    one, two = make_user(), make_user()
    here = RequestFactory().post("/", REMOTE_ADDR="198.51.100.7")
    elsewhere = RequestFactory().post("/", REMOTE_ADDR="203.0.113.9")
    assert [ratelimit.consume(here, action="file_submission", user=one) for _ in range(4)] == [True] * 3 + [False]
    # Another account at the same address: the address has had 3 (the refused fourth stopped at one's own limit
    # and was not counted against it), so two files twice before the address's five are used.
    assert [ratelimit.consume(here, action="file_submission", user=two) for _ in range(3)] == [True, True, False]
    assert ratelimit.consume(elsewhere, action="file_submission", user=two) is False  # two's own three are used
    assert ratelimit.consume(elsewhere, action="file_submission", user=make_user()) is True


def test_with_the_limits_off_nothing_is_refused(settings):
    settings.ACCOUNT_RATE_LIMITS = False
    user, request = make_user(), RequestFactory().post("/")
    assert all(ratelimit.consume(request, action="file_submission", user=user) for _ in range(50))
