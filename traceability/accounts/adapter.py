"""How django-allauth fits Trace: our user fields at sign-up, mail through the task queue, and the
security log for failed and locked-out sign-ins."""

from __future__ import annotations

import json
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django import forms
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import translation

from . import audit, crypto
from .models import SecurityEventKind, User


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request: HttpRequest, user: User, form: forms.Form, commit: bool = True) -> User:
        user = super().save_user(request, user, form, commit=False)
        data = form.cleaned_data
        user.display_name = data["display_name"]
        user.organisation = data["organisation"]
        user.stakeholder_kind = data["stakeholder_kind"]
        user.country = data["country"]
        user.language = translation.get_language() or settings.LANGUAGE_CODE  # the language signed up in
        if commit:
            user.save()
        return user

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render the mail now (in the request's language, with its links) and send it from the task
        worker once the transaction commits: a slow or hung mail server never holds a request."""
        from .tasks import send_account_mail

        ctx = {"email": email, "current_site": _current_site(allauth_context.request)}
        ctx.update(context)
        message = self.render_mail(template_prefix, email, ctx)
        html = next(
            (content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"), ""
        )
        payload = {
            "subject": message.subject,
            "body": message.body,
            "html": html,
            "from_email": message.from_email,
            "to": list(message.to),
        }
        # Encrypted: these mails carry live links (confirm an address, reset a password), and the queue
        # (task rows in the database, or Redis) keeps its arguments, in backups too.
        sealed = crypto.encrypt(json.dumps(payload))
        transaction.on_commit(lambda: send_account_mail.enqueue(sealed), robust=True)

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except forms.ValidationError:
            user = _user_for(credentials)
            audit.record(SecurityEventKind.LOCKED_OUT, request=request, user=user, action="login")
            raise

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        audit.record(SecurityEventKind.SIGN_IN_FAILED, request=request, user=_user_for(credentials), action="login")


def _user_for(credentials: dict[str, Any]) -> User | None:
    email = str(credentials.get("email") or credentials.get("username") or "").strip().lower()
    if not email:
        return None
    return User.objects.filter(email=email).first()


def _current_site(request: HttpRequest | None) -> object:
    from django.contrib.sites.shortcuts import get_current_site

    return get_current_site(request) if request is not None else None
