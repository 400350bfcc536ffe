"""The security audit log: who did what, when, from which (hashed) address.

``record`` is the only writer. It also sends the entry to the ``trace.security`` logger as one JSON
object per line, so the line's content is escaped and user input (an address typed at sign-in, a
user agent) cannot start a new, forged line.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.http import HttpRequest

from .models import BlockReason, SecurityEvent, SecurityEventKind, User

logger = logging.getLogger("trace.security")


def client_ip(request: HttpRequest | None) -> str:
    """The client's address as allauth determines it (honouring TRUSTED_PROXY_COUNT), or ''."""
    if request is None:
        return ""
    from allauth.account.adapter import get_adapter

    try:
        return get_adapter().get_client_ip(request)
    except Exception:  # an address that cannot be determined is not worth failing the request for
        return ""


def ip_hash(ip: str) -> str:
    if not ip:
        return ""
    key = (settings.AUDIT_IP_KEY or settings.SECRET_KEY).encode()
    return hmac.new(key, ip.encode(), hashlib.sha256).hexdigest()[:32]


def record(
    kind: SecurityEventKind | str,
    *,
    request: HttpRequest | None = None,
    user: User | None = None,
    action: str = "",
    reason: BlockReason | str = "",
    process_id: int | None = None,
    **detail: object,
) -> SecurityEvent:
    if user is None and request is not None and getattr(request, "user", None) is not None:
        if request.user.is_authenticated:
            user = request.user  # type: ignore[assignment]
    if request is not None and "agent" not in detail:
        detail["agent"] = request.META.get("HTTP_USER_AGENT", "")
    event = SecurityEvent.objects.create(
        kind=kind,
        user=user if user is not None and user.pk else None,
        ip_hash=ip_hash(client_ip(request)),
        action=action[:40],
        reason=reason,
        process_id=process_id,
        detail={key: str(value)[:200] for key, value in detail.items()},
    )
    logger.info(
        json.dumps(
            {
                "event": str(kind),
                "at": event.at.isoformat(),
                "user": event.user_id,
                "ip": event.ip_hash,
                "action": event.action,
                "reason": event.reason,
                "process": process_id,
                **event.detail,
            },
            sort_keys=True,
        )
    )
    return event


def blocked(
    request: HttpRequest, *, action: str, reason: BlockReason | str, process_id: int | None = None
) -> SecurityEvent:
    """Record a refused request: every one, so that the counts organisers see are exact (one row, no
    lock beyond the insert: refusing stays cheaper than accepting a filing)."""
    return record(SecurityEventKind.BLOCKED, request=request, action=action, reason=reason, process_id=process_id)
