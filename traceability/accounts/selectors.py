"""Reads about accounts, for the apps above this one."""

from __future__ import annotations

from allauth.account.models import EmailAddress

from .models import User


def has_verified_email(user: User) -> bool:
    """Whether the account's address was confirmed: only then does what it files count."""
    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()
