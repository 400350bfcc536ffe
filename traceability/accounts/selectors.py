"""Reads about accounts, for the apps above this one."""

from __future__ import annotations

from allauth.account.models import EmailAddress

from .models import User


def has_verified_email(user: User) -> bool:
    """Whether the account's address was confirmed: only then does what it files count."""
    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()


def holds_a_role(user: User) -> bool:
    """Staff, or an organiser of some process: the accounts that must work with a second factor."""
    return bool(user.is_staff or user.organised_processes.exists())  # type: ignore[attr-defined]
