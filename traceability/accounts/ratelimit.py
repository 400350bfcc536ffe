"""Rate limits for actions that legitimate bursts must pass (filing a submission): no lock to wait for.

allauth's ``ratelimit.consume`` keeps a history per key under a lock held in the cache, and answers "limited" to a
request that could not take that lock within a second. Thirty people filing at once from one office (one address),
or one person's double click, then get "you have filed many submissions" at a tenth of the limit: measured on a
2-core machine with the database cache, where the lock's holders queue behind the filings' own writes.

Here each limit counts requests in fixed windows, with the cache's ``add`` and ``incr``: nothing waits, and a
refusal always means the count is over the limit. Redis increments atomically; the database cache reads and writes
again, so under a burst a few requests may go uncounted (the limit then lets a few more through, never fewer). The
limits are read from ``ACCOUNT_RATE_LIMITS`` in allauth's notation (``10/10m/user,60/h/ip``), so one setting holds
them all, and a window boundary can let up to twice a limit through in a window's length (the price of not
keeping every request's time).
"""

from __future__ import annotations

import re
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

from .audit import client_ip
from .models import User

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*/\s*(user|ip)\s*$")


def rates(action: str) -> list[tuple[int, int, str]]:
    """``(amount, seconds, per)`` for each limit of ``action``, or none when rate limits are off."""
    config = settings.ACCOUNT_RATE_LIMITS or {}
    spec = config.get(action) or ""
    found = []
    for part in filter(None, (piece.strip() for piece in spec.split(","))):
        match = _RATE.match(part)
        if match is None:
            raise ImproperlyConfigured(f"ACCOUNT_RATE_LIMITS[{action!r}]: cannot read {part!r} (e.g. 10/10m/user).")
        amount, count, unit, per = match.groups()
        found.append((int(amount), int(count or 1) * _UNITS[unit], per))
    return found


def _count(key: str, seconds: int) -> int:
    """One more request in the current window of ``key``: the window's count after it."""
    window = f"trace:rl:{key}:{seconds}:{int(time.time() // seconds)}"
    cache.add(window, 0, seconds)
    try:
        return cache.incr(window)
    except ValueError:  # the window expired between add and incr
        cache.add(window, 1, seconds)
        return 1


def consume(request: HttpRequest, *, action: str, user: User) -> bool:
    """Count this request of ``user`` (and of the request's address) against each limit of ``action``, in order;
    False at the first limit it goes over (the later ones are then not counted)."""
    for amount, seconds, per in rates(action):
        source = f"user:{user.pk}" if per == "user" else f"ip:{client_ip(request)}"
        if _count(f"{action}:{source}", seconds) > amount:
            return False
    return True
