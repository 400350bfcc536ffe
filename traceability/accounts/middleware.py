"""Session and sign-in rules that hold on every request: idle sign-out, a second factor for the
organisers' workspace and the admin, and a log entry for every request a rate limit refused."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import audit
from .models import BlockReason
from .selectors import holds_a_role

# Set in the session when its user proved a second factor (signed in with it, re-authenticated with
# it, or has just set one up). Compared with the user's id, so it never carries over to another user.
MFA_SESSION_KEY = "trace_mfa_user"
# Where a session sent to set up or enter its second factor was going (a link back is shown).
MFA_NEXT_SESSION_KEY = "trace_mfa_next"
LAST_SEEN_SESSION_KEY = "trace_last_seen"
# When the session signed in: it ends SESSION_COOKIE_AGE later however active it is (saving the session
# every minute for the idle check would otherwise push its expiry on for ever).
SIGNED_IN_SESSION_KEY = "trace_signed_in_at"
# How stale the "last seen" time may get before a request writes it again: idle sign-out is exact to
# within this, and most requests write no session.
LAST_SEEN_RESOLUTION = 60

# The pages of organisers (every process's workspace) and of site admins.
MFA_REQUIRED_PATHS = re.compile(r"^/[\w-]+/(admin/|processes/[^/]+/workspace/)")  # after the language: /fr/admin/


def mfa_verified(request: HttpRequest) -> bool:
    return request.user.is_authenticated and request.session.get(MFA_SESSION_KEY) == request.user.pk


class IdleTimeoutMiddleware:
    """Sign out a session that made no request for ``SESSION_IDLE_TIMEOUT`` seconds."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_SESSION_KEY)
            signed_in_at = request.session.get(SIGNED_IN_SESSION_KEY)
            if isinstance(signed_in_at, int) and now - signed_in_at > settings.SESSION_COOKIE_AGE:
                logout(request)
                messages.info(request, _("Your session reached its time limit and ended. Sign in again."))
            elif isinstance(last_seen, int) and now - last_seen > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
                messages.info(request, _("You were signed out after a period without activity. Sign in again."))
            elif not isinstance(last_seen, int) or now - last_seen >= LAST_SEEN_RESOLUTION:
                request.session[LAST_SEEN_SESSION_KEY] = now
        return self.get_response(request)


class MfaRequiredMiddleware:
    """Organisers and site admins work with a second factor: the workspace and the admin send a
    session without one to set up TOTP (when the account has none) or to enter a code."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated or not MFA_REQUIRED_PATHS.match(request.path_info):
            return self.get_response(request)
        if mfa_verified(request):
            if request.session.get(MFA_NEXT_SESSION_KEY) == request.get_full_path():
                del request.session[MFA_NEXT_SESSION_KEY]  # arrived
            return self.get_response(request)
        # Anyone else who asks for a workspace gets the view's own answer (403), not a prompt to set up
        # a factor they do not need.
        if holds_a_role(request.user):
            from allauth.mfa.models import Authenticator

            request.session[MFA_NEXT_SESSION_KEY] = request.get_full_path()
            query = urlencode({"next": request.get_full_path()})
            if Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists():
                return redirect(f"{reverse('mfa_reauthenticate')}?{query}")
            messages.info(
                request,
                _(
                    "Organisers and administrators use two-factor authentication. Confirm your password if asked, "
                    "then set up an authenticator app: scan the code with it and enter the six digits it shows."
                ),
            )
            return redirect(f"{reverse('mfa_activate_totp')}?{query}")
        return self.get_response(request)


class BlockedRequestMiddleware:
    """Every request a rate limit refused (HTTP 429) is logged as a blocked attempt, never dropped
    silently. Views that log their own blocks with more detail (filing) mark the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 429 and not getattr(request, "trace_block_recorded", False):
            match = getattr(request, "resolver_match", None)
            action = match.url_name if match is not None and match.url_name else request.path_info[:40]
            audit.blocked(request, action=action, reason=BlockReason.RATE_LIMIT)
        return response
