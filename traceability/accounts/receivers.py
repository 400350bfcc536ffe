"""Security events from Django's and allauth's signals, into the audit log (accounts/audit.py)."""

from __future__ import annotations

import time
from typing import Any

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from . import audit
from .models import SecurityEventKind, User


@receiver(auth_signals.user_logged_in)
def _signed_in(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    from .middleware import SIGNED_IN_SESSION_KEY

    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_SESSION_KEY] = int(time.time())
    audit.record(SecurityEventKind.SIGN_IN, request=request, user=user)


@receiver(auth_signals.user_logged_out)
def _signed_out(sender: Any, request: Any, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        audit.record(SecurityEventKind.SIGN_OUT, request=request, user=user)


@receiver(account_signals.user_signed_up)
def _signed_up(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    audit.record(SecurityEventKind.SIGNED_UP, request=request, user=user)


@receiver(account_signals.email_confirmed)
def _email_confirmed(sender: Any, request: Any, email_address: Any, **kwargs: Any) -> None:
    audit.record(SecurityEventKind.EMAIL_VERIFIED, request=request, user=email_address.user)


@receiver(account_signals.password_changed)
@receiver(account_signals.password_set)
def _password_changed(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    audit.record(SecurityEventKind.PASSWORD_CHANGED, request=request, user=user)


@receiver(account_signals.password_reset)
def _password_reset(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    audit.record(SecurityEventKind.PASSWORD_RESET, request=request, user=user)


@receiver(mfa_signals.authenticator_added)
def _mfa_added(sender: Any, request: Any, user: User, authenticator: Any, **kwargs: Any) -> None:
    # Setting up a factor took a valid code from it: this session has proved it.
    _mark_mfa_verified(request, user)
    audit.record(SecurityEventKind.MFA_ADDED, request=request, user=user, method=authenticator.type)


@receiver(mfa_signals.authenticator_removed)
def _mfa_removed(sender: Any, request: Any, user: User, authenticator: Any, **kwargs: Any) -> None:
    from .middleware import MFA_SESSION_KEY

    if request is not None and hasattr(request, "session"):
        request.session.pop(MFA_SESSION_KEY, None)  # this session no longer holds a proved factor
    audit.record(SecurityEventKind.MFA_REMOVED, request=request, user=user, method=authenticator.type)


@receiver(mfa_signals.authentication_failed)
def _mfa_failed(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    audit.record(SecurityEventKind.MFA_FAILED, request=request, user=user)


@receiver(mfa_signals.authenticator_reset)
def _mfa_reset(sender: Any, request: Any, user: User, authenticator: Any, **kwargs: Any) -> None:
    audit.record(SecurityEventKind.MFA_ADDED, request=request, user=user, method=authenticator.type, reset="true")


@receiver(pre_save, sender=User)
def _remember_site_roles(sender: Any, instance: User, update_fields: Any = None, **kwargs: Any) -> None:
    """Note the staff and superuser flags before a save, for ``_site_role_changed`` to compare."""
    if kwargs.get("raw") or (update_fields is not None and not {"is_staff", "is_superuser"} & set(update_fields)):
        instance._roles_before = None  # type: ignore[attr-defined]
        return
    before = None
    if instance.pk is not None:
        before = User.objects.filter(pk=instance.pk).values("is_staff", "is_superuser").first()
    instance._roles_before = before or {"is_staff": False, "is_superuser": False}  # type: ignore[attr-defined]


@receiver(post_save, sender=User)
def _site_role_changed(sender: Any, instance: User, created: bool, **kwargs: Any) -> None:
    """A change of staff or superuser status (the admin, createsuperuser, the shell) is logged once saved."""
    before = getattr(instance, "_roles_before", None)
    if before is None:
        return
    for field in ("is_staff", "is_superuser"):
        if before[field] != getattr(instance, field):
            audit.record(
                SecurityEventKind.ROLE_CHANGED, user=instance, role=field, now=str(getattr(instance, field)).lower()
            )
    instance._roles_before = None  # type: ignore[attr-defined]


def _mark_mfa_verified(request: Any, user: User) -> None:
    from .middleware import MFA_SESSION_KEY

    if request is not None and hasattr(request, "session"):
        request.session[MFA_SESSION_KEY] = user.pk


@receiver(account_signals.authentication_step_completed)
def _authentication_step(sender: Any, request: Any, user: User, method: str, **kwargs: Any) -> None:
    if method == "mfa":
        _mark_mfa_verified(request, user)
